package lrs_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
)

var update = flag.Bool("update", false, "rewrite golden files")

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create %s", path)
	assert.Equal(t, strings.TrimRight(string(want), "\n"), string(got))
}

var testAuthority = map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": "https://lrs.example/xapi/credentials", "name": "key-1"}}

func prepare(t *testing.T, body []byte, v lrs.Version) []*lrs.Statement {
	t.Helper()
	ms, err := lrs.ParseStatements(body, v, true)
	require.NoError(t, err)
	var out []*lrs.Statement
	for _, m := range ms {
		st, err := lrs.Prepare(m, lrs.Prepared{Authority: testAuthority, Version: v})
		require.NoError(t, err)
		out = append(out, st)
	}
	return out
}

func TestStatementGolden(t *testing.T) {
	t.Parallel()
	stored := time.Date(2026, 11, 28, 17, 0, 0, 123456789, time.UTC)
	cases := []struct {
		name string
		file string
		v    lrs.Version
	}{
		{"full_v1", "statements/full.json", lrs.V1},
		{"full_v2", "statements/full.json", lrs.V2},
		{"substatement_v1", "statements/substatement.json", lrs.V1},
		{"context_agents_v2", "statements/context_agents_v2.json", lrs.V2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ss := prepare(t, readFile(t, tc.file), tc.v)
			require.Len(t, ss, 1)
			exact := ss[0].WithStored(stored)
			if !strings.Contains(tc.file, "full") {
				// ids are random when the statement has none: blank them.
				exact = []byte(strings.Replace(string(exact), ss[0].ID.String(), "00000000-0000-4000-8000-000000000000", 1))
			}
			golden(t, tc.name+".exact.json", exact)
			ids, err := lrs.Render(exact, lrs.FormatIDs, nil, nil)
			require.NoError(t, err)
			golden(t, tc.name+".ids.json", ids)
			canon, err := lrs.Render(exact, lrs.FormatCanonical, lrs.ParseAcceptLanguage("fr-CA, en;q=0.5"), nil)
			require.NoError(t, err)
			golden(t, tc.name+".canonical.json", canon)
		})
	}
}

func TestPrepareIndexes(t *testing.T) {
	t.Parallel()
	st := prepare(t, readFile(t, "statements/full.json"), lrs.V1)[0]
	assert.Equal(t, "fd41c918-b88b-4b20-a0a5-a4c32391aaa0", st.ID.String())
	assert.Equal(t, "http://adlnet.gov/expapi/verbs/answered", st.VerbID)
	assert.Equal(t, "ec531277-b57b-4c15-8d91-d292c5b2b8f7", st.Registration)
	assert.Equal(t, []string{"mbox:mailto:learner@example.com"}, st.Agents)
	assert.ElementsMatch(t, []string{
		"mbox:mailto:learner@example.com", "account:https://lrs.example/xapi/credentials|key-1",
		"mbox:mailto:t1@example.com", "account:http://example.com|t2",
	}, st.RelatedAgents,
		"an anonymous instructor group has no IFI of its own, but its members match (Comm 2.1.3 agent)")
	assert.Equal(t, "http://example.com/quiz/q1", st.Activity)
	assert.ElementsMatch(t, []string{"http://example.com/quiz/q1", "http://example.com/quiz", "http://example.com/course"}, st.RelatedActivities)
	assert.True(t, st.HasTimestamp)
	assert.Equal(t, time.Date(2026, 1, 2, 0, 4, 5, 678000000, time.UTC), st.Timestamp.UTC())
	assert.Contains(t, st.Definitions, "http://example.com/quiz/q1")

	batch := prepare(t, readFile(t, "statements/batch.json"), lrs.V1)
	require.Len(t, batch, 2)
	assert.Nil(t, batch[1].VoidTarget, "only the voided verb makes a voiding statement")
}

func TestComparisonHash(t *testing.T) {
	t.Parallel()
	base := `{"id":"fd41c918-b88b-4b20-a0a5-a4c32391aaa0","actor":{"objectType":"Group","member":[{"mbox":"mailto:a@example.com"},{"mbox":"mailto:b@example.com"}]},"verb":{"id":"http://example.com/v","display":{"en":"x"}},"object":{"id":"http://example.com/a","definition":{"name":{"en":"A"}}}%s}`
	h := func(extra string) string {
		return prepare(t, []byte(strings.Replace(base, "%s", extra, 1)), lrs.V1)[0].Hash
	}
	ref := h("")
	same := []struct{ name, body string }{
		{"members reordered", `{"id":"fd41c918-b88b-4b20-a0a5-a4c32391aaa0","actor":{"objectType":"Group","member":[{"mbox":"mailto:b@example.com"},{"mbox":"mailto:a@example.com"}]},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
		{"mbox domain case", `{"id":"fd41c918-b88b-4b20-a0a5-a4c32391aaa0","actor":{"objectType":"Group","member":[{"mbox":"mailto:a@EXAMPLE.com"},{"mbox":"mailto:b@example.com"}]},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	}
	for _, tc := range same {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, ref, prepare(t, []byte(tc.body), lrs.V1)[0].Hash)
		})
	}
	assert.Equal(t, ref, h(`,"timestamp":"2020-01-01T00:00:00Z","version":"1.0.0"`), "LRS-assigned properties are ignored")
	assert.NotEqual(t, ref, h(`,"result":{"success":true}`))
	assert.NotEqual(t, ref, h(`,"result":{"duration":"PT1S"}`))
}

func TestWithStoredTimestamp(t *testing.T) {
	t.Parallel()
	st := prepare(t, []byte(`{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`), lrs.V2)[0]
	out := string(st.WithStored(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	assert.Contains(t, out, `"stored":"2026-01-01T00:00:00.000Z","timestamp":"2026-01-01T00:00:00.000Z"`)
	assert.Contains(t, out, `"version":"2.0.0"`)
}

func BenchmarkParsePrepare(b *testing.B) {
	body := readFile(b, "statements/full.json")
	for b.Loop() {
		ms, err := lrs.ParseStatements(body, lrs.V1, true)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := lrs.Prepare(ms[0], lrs.Prepared{Authority: testAuthority, Version: lrs.V1}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPrepareAssignsTimeOrderedIDs(t *testing.T) {
	t.Parallel()
	body := []byte(`[{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}},
		{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}]`)
	ss := prepare(t, body, lrs.V2)
	require.Len(t, ss, 2)
	for _, st := range ss {
		assert.Equal(t, 7, int(st.ID.Version()), "an LRS-assigned id is a version 7 UUID")
		assert.True(t, lrs.IsUUID(st.ID.String()))
	}
	assert.Negative(t, strings.Compare(ss[0].ID.String(), ss[1].ID.String()), "later ids sort after earlier ones")
}
