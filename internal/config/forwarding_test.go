package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs/forward"
)

func TestParseForwarding(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("testdata", "forwarding.yaml"))
	require.NoError(t, err)
	f, err := ParseFile(raw)
	require.NoError(t, err)
	require.Len(t, f.Forwarding, 2)
	require.NoError(t, ValidateForwarding(f.Forwarding))
	c := f.Forwarding[0]
	assert.Equal(t, "auto", c.Version, "default version")
	assert.Equal(t, forward.DefaultBatch, c.Batch)
	assert.Equal(t, forward.DefaultPoll, c.Poll)
	m := f.Forwarding[1]
	assert.Equal(t, time.Minute, m.Poll)
	assert.Equal(t, 100, m.Batch)

	files := map[string][]byte{"/run/secrets/central-lrs": []byte("s3cret\n")}
	readFile := func(p string) ([]byte, error) {
		if b, ok := files[p]; ok {
			return b, nil
		}
		return nil, os.ErrNotExist
	}
	getenv := func(k string) string { return map[string]string{"MINISTRY_LRS_SECRET": "from-env"}[k] }
	r, err := c.Rule(getenv, readFile)
	require.NoError(t, err)
	assert.Equal(t, "s3cret", r.Secret, "trailing newline dropped")
	r, err = m.Rule(getenv, readFile)
	require.NoError(t, err)
	assert.Equal(t, "from-env", r.Secret)
	assert.Equal(t, forward.Filter{
		Verbs:      []string{"http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/verbs/passed"},
		Activities: []string{"https://content.example/course/math-1"},
		Actors:     []string{"mbox:mailto:learner@example.org", "account:https://camp.example|L-0042"},
	}, r.Filter)

	_, err = m.Rule(func(string) string { return "" }, readFile)
	require.ErrorContains(t, err, "secret is empty")
	files = map[string][]byte{}
	_, err = c.Rule(getenv, readFile)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestParseForwardingErrors(t *testing.T) {
	t.Parallel()
	const ok = "  - id: r1\n    url: https://x.example/xapi/\n    key: k\n    secret: s\n"
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"unknown key", ok + "    secrte: x\n", `line 6: field secrte not found in forwarding rule`},
		{"unknown filter key", ok + "    filter: {verb: [x:y]}\n", `field verb not found in forwarding filter`},
		{"not a mapping", "  - just-a-string\n", "forwarding rule must be a mapping"},
		{"missing id", "  - url: https://x.example/\n    key: k\n    secret: s\n", "id: want 1-64"},
		{"bad url", "  - id: r\n    url: ftp://x\n    key: k\n    secret: s\n", `url "ftp://x"`},
		{"credentials in url", "  - id: r\n    url: https://u:p@x.example/\n    key: k\n    secret: s\n", "without credentials"},
		{"bad tenant", "  - id: r\n    tenant: a b\n    url: https://x.example/\n    key: k\n    secret: s\n", `tenant "a b"`},
		{"missing key", "  - id: r\n    url: https://x.example/\n    secret: s\n", "key is required"},
		{"no secret", "  - id: r\n    url: https://x.example/\n    key: k\n", "exactly one of secret"},
		{"two secrets", ok + "    secret_env: X\n", "exactly one of secret"},
		{"bad version", ok + "    version: 1.1\n", `version "1.1"`},
		{"bad batch", ok + "    batch: 501\n", "batch 501"},
		{"short poll", ok + "    poll: 10ms\n", "poll 10ms"},
		{"bad poll", ok + "    poll: soon\n", "soon"},
		{"bad verb", ok + "    filter: {verbs: [completed]}\n", `filter.verbs[0] "completed"`},
		{"bad actor", ok + "    filter: {actors: [{name: Bob}]}\n", "filter.actors[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFile([]byte("forwarding:\n" + tc.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	f, err := ParseFile([]byte("forwarding:\n" + ok + ok))
	require.NoError(t, err)
	err = ValidateForwarding(f.Forwarding)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"r1": id used twice`)
}

// FuzzParseForwarding checks that no forwarding section makes the config
// decoder panic, and that an accepted rule resolves or fails cleanly.
func FuzzParseForwarding(f *testing.F) {
	raw, err := os.ReadFile(filepath.Join("testdata", "forwarding.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte("forwarding:\n  - id: r\n    url: https://x.example/\n    key: k\n    secret: s\n    filter: {actors: [{mbox: 'mailto:a@b'}]}\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		file, err := ParseFile(raw)
		if err != nil {
			return
		}
		_ = ValidateForwarding(file.Forwarding)
		for _, r := range file.Forwarding {
			_, _ = r.Rule(func(string) string { return "x" }, func(string) ([]byte, error) { return []byte("x"), nil })
		}
	})
}
