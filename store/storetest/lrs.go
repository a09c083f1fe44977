package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/store"
	"github.com/passportbridge/passport/store/backend"
)

// lrsTests is the lrs domain's part of the contract suite.
var lrsTests = []subTest{
	{"StatementIdempotentSave", testStatementIdempotentSave},
	{"StatementConflict", testStatementConflict},
	{"StatementStoredGrows", testStatementStoredGrows},
	{"VoidedHidden", testVoidedHidden},
	{"VoidingBeforeTarget", testVoidingBeforeTarget},
	{"QueryPagination", testQueryPagination},
	{"QueryFilters", testQueryFilters},
	{"QueryPagingEveryIndex", testQueryPagingEveryIndex},
	{"AttachmentsStoredOnce", testAttachmentsStoredOnce},
	{"ActivityDefinitionMerged", testActivityDefinitionMerged},
	{"DocumentETagPreconditions", testDocumentETagPreconditions},
	{"DocumentListDelete", testDocumentListDelete},
	{"LRSTenantIsolation", testLRSTenantIsolation},
	{"QueryIncludeVoided", testQueryIncludeVoided},
	{"StatementRefFilter", testStatementRefFilter},
}

var lrsAuthority = map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": "https://lrs.example", "name": "key-1"}}

// stmt builds a prepared statement from JSON with %s replaced by args.
func stmt(t *testing.T, format string, args ...any) *lrs.Statement {
	t.Helper()
	ms, err := lrs.ParseStatements(fmt.Appendf(nil, format, args...), lrs.V1, false)
	require.NoError(t, err)
	st, err := lrs.Prepare(ms[0], lrs.Prepared{Authority: lrsAuthority, Version: lrs.V1})
	require.NoError(t, err)
	return st
}

func simple(t *testing.T, id uuid.UUID, mbox, verb, activity string) *lrs.Statement {
	return stmt(t, `{"id":%q,"actor":{"mbox":%q},"verb":{"id":%q,"display":{"en":"x"}},"object":{"id":%q}}`,
		id.String(), mbox, verb, activity)
}

func testStatementIdempotentSave(t *testing.T, s backend.Store) {
	ctx := t.Context()
	id := uuid.New()
	a := simple(t, id, "mailto:a@example.com", "http://adlnet.gov/expapi/verbs/attempted", "http://example.com/act/1")
	require.NoError(t, s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{a}, nil))
	first, err := s.Statement(ctx, "t1", id, false)
	require.NoError(t, err)

	// The same content, a different verb display: a no-op (Data 2.3.1).
	b := stmt(t, `{"id":%q,"actor":{"mbox":"mailto:a@EXAMPLE.com"},"verb":{"id":"http://adlnet.gov/expapi/verbs/attempted","display":{"fr":"y"}},"object":{"id":"http://example.com/act/1"}}`, id.String())
	require.NoError(t, s.SaveStatements(ctx, "t1", t0.Add(time.Hour), []*lrs.Statement{b}, nil))
	again, err := s.Statement(ctx, "t1", id, false)
	require.NoError(t, err)
	assert.Equal(t, first, again, "the stored statement is unchanged")
	assert.JSONEq(t, string(first.JSON), string(again.JSON))

	page, err := s.QueryStatements(ctx, "t1", lrs.Query{Limit: 10})
	require.NoError(t, err)
	assert.Len(t, page.Statements, 1)
}

func testStatementConflict(t *testing.T, s backend.Store) {
	ctx := t.Context()
	id := uuid.New()
	require.NoError(t, s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{
		simple(t, id, "mailto:a@example.com", "http://example.com/v/1", "http://example.com/act/1"),
	}, nil))
	other := uuid.New()
	err := s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{
		simple(t, other, "mailto:b@example.com", "http://example.com/v/1", "http://example.com/act/1"),
		simple(t, id, "mailto:a@example.com", "http://example.com/v/2", "http://example.com/act/1"),
	}, nil)
	require.ErrorIs(t, err, store.ErrConflict)
	_, err = s.Statement(ctx, "t1", other, false)
	require.ErrorIs(t, err, store.ErrNotFound, "a batch with a conflict stores nothing")
}

func testStatementStoredGrows(t *testing.T, s backend.Store) {
	ctx := t.Context()
	var ids []uuid.UUID
	for i := range 3 {
		id := uuid.New()
		ids = append(ids, id)
		// The clock goes backwards: stored still grows for the sqlite store.
		require.NoError(t, s.SaveStatements(ctx, "t1", t0.Add(-time.Duration(i)*time.Second), []*lrs.Statement{
			simple(t, id, "mailto:a@example.com", "http://example.com/v/1", "http://example.com/act/1"),
		}, nil))
	}
	var prev time.Time
	for _, id := range ids {
		st, err := s.Statement(ctx, "t1", id, false)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(st.JSON, &m))
		assert.Equal(t, lrs.FormatTime(st.Stored), m["stored"], "stored in JSON matches the stored time")
		assert.Equal(t, m["stored"], m["timestamp"], "timestamp defaults to stored")
		assert.False(t, st.Stored.Before(t0.Add(-2*time.Second)))
		if !prev.IsZero() && st.Stored.Before(prev) {
			t.Logf("stored went backwards (allowed only for backends without a single writer)")
		}
		prev = st.Stored
	}
}

func voiding(t *testing.T, target uuid.UUID) *lrs.Statement {
	return stmt(t, `{"actor":{"mbox":"mailto:admin@example.com"},"verb":{"id":%q},"object":{"objectType":"StatementRef","id":%q}}`,
		lrs.VerbVoided, target.String())
}

func testVoidedHidden(t *testing.T, s backend.Store) {
	ctx := t.Context()
	target := uuid.New()
	require.NoError(t, s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{
		simple(t, target, "mailto:a@example.com", "http://example.com/v/1", "http://example.com/act/1"),
	}, nil))
	v := voiding(t, target)
	require.NoError(t, s.SaveStatements(ctx, "t1", t0.Add(time.Second), []*lrs.Statement{v}, nil))

	_, err := s.Statement(ctx, "t1", target, false)
	require.ErrorIs(t, err, store.ErrNotFound)
	got, err := s.Statement(ctx, "t1", target, true)
	require.NoError(t, err)
	assert.Equal(t, target, got.ID)
	_, err = s.Statement(ctx, "t1", v.ID, true)
	require.ErrorIs(t, err, store.ErrNotFound, "a voiding statement is not voided")

	page, err := s.QueryStatements(ctx, "t1", lrs.Query{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Statements, 1)
	assert.Equal(t, v.ID, page.Statements[0].ID, "queries hide voided statements")

	// A voiding statement cannot itself be voided.
	require.NoError(t, s.SaveStatements(ctx, "t1", t0.Add(2*time.Second), []*lrs.Statement{voiding(t, v.ID)}, nil))
	_, err = s.Statement(ctx, "t1", v.ID, false)
	require.NoError(t, err)
}

func testVoidingBeforeTarget(t *testing.T, s backend.Store) {
	ctx := t.Context()
	target := uuid.New()
	require.NoError(t, s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{voiding(t, target)}, nil))
	require.NoError(t, s.SaveStatements(ctx, "t1", t0.Add(time.Second), []*lrs.Statement{
		simple(t, target, "mailto:a@example.com", "http://example.com/v/1", "http://example.com/act/1"),
	}, nil))
	_, err := s.Statement(ctx, "t1", target, true)
	require.NoError(t, err, "a statement whose voiding statement arrived first is voided")
}

func testQueryPagination(t *testing.T, s backend.Store) {
	ctx := t.Context()
	const n = 11
	var batch []*lrs.Statement
	for range n {
		batch = append(batch, simple(t, uuid.New(), "mailto:a@example.com", "http://example.com/v/1", "http://example.com/act/1"))
	}
	require.NoError(t, s.SaveStatements(ctx, "t1", t0, batch, nil))

	for _, asc := range []bool{false, true} {
		t.Run(fmt.Sprintf("ascending=%v", asc), func(t *testing.T) {
			q := lrs.Query{Limit: 4, Ascending: asc, Agent: "mbox:mailto:a@example.com"}
			seen := map[uuid.UUID]bool{}
			var last *lrs.StoredStatement
			for pages := 0; ; pages++ {
				require.Less(t, pages, 10)
				page, err := s.QueryStatements(ctx, "t1", q)
				require.NoError(t, err)
				for i := range page.Statements {
					st := page.Statements[i]
					assert.False(t, seen[st.ID], "no statement twice")
					seen[st.ID] = true
					if last != nil {
						if asc {
							assert.False(t, st.Stored.Before(last.Stored))
						} else {
							assert.False(t, st.Stored.After(last.Stored))
						}
					}
					last = &st
				}
				if pages == 0 {
					// Writes while paging do not disturb the pages.
					require.NoError(t, s.SaveStatements(ctx, "t1", t0.Add(time.Minute), []*lrs.Statement{
						simple(t, uuid.New(), "mailto:b@example.com", "http://example.com/v/1", "http://example.com/act/1"),
					}, nil))
				}
				if page.More == nil {
					break
				}
				q.After = page.More
			}
			assert.Len(t, seen, n)
		})
	}
}

func testQueryFilters(t *testing.T, s backend.Store) {
	ctx := t.Context()
	reg := uuid.New()
	full := stmt(t, `{"actor":{"mbox":"mailto:learner@example.com"},"verb":{"id":"http://example.com/v/completed"},
		"object":{"id":"http://example.com/act/course"},
		"context":{"registration":%q,"instructor":{"mbox":"mailto:teacher@example.com"},
		"contextActivities":{"parent":{"id":"http://example.com/act/program"}}}}`, reg.String())
	sub := stmt(t, `{"actor":{"mbox":"mailto:other@example.com"},"verb":{"id":"http://example.com/v/planned"},
		"object":{"objectType":"SubStatement","actor":{"mbox":"mailto:learner@example.com"},"verb":{"id":"http://example.com/v/x"},"object":{"id":"http://example.com/act/sub"}}}`)
	asObject := stmt(t, `{"actor":{"mbox":"mailto:teacher@example.com"},"verb":{"id":"http://example.com/v/mentored"},
		"object":{"objectType":"Agent","mbox":"mailto:learner@example.com"}}`)
	require.NoError(t, s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{full, sub, asObject}, nil))
	ids := func(q lrs.Query) []uuid.UUID {
		t.Helper()
		q.Limit = 50
		page, err := s.QueryStatements(ctx, "t1", q)
		require.NoError(t, err)
		var out []uuid.UUID
		for _, st := range page.Statements {
			out = append(out, st.ID)
		}
		return out
	}
	learner := "mbox:mailto:learner@example.com"
	cases := []struct {
		name string
		q    lrs.Query
		want []uuid.UUID
	}{
		{"agent", lrs.Query{Agent: learner}, []uuid.UUID{full.ID, asObject.ID}},
		{"related_agents", lrs.Query{Agent: learner, RelatedAgents: true}, []uuid.UUID{full.ID, sub.ID, asObject.ID}},
		{"instructor only related", lrs.Query{Agent: "mbox:mailto:teacher@example.com"}, []uuid.UUID{asObject.ID}},
		{"verb", lrs.Query{Verb: "http://example.com/v/completed"}, []uuid.UUID{full.ID}},
		{"activity", lrs.Query{Activity: "http://example.com/act/program"}, nil},
		{"related_activities", lrs.Query{Activity: "http://example.com/act/program", RelatedActivities: true}, []uuid.UUID{full.ID}},
		{"substatement activity", lrs.Query{Activity: "http://example.com/act/sub", RelatedActivities: true}, []uuid.UUID{sub.ID}},
		{"registration", lrs.Query{Registration: reg.String()}, []uuid.UUID{full.ID}},
		{"agent and activity", lrs.Query{Agent: learner, Activity: "http://example.com/act/course"}, []uuid.UUID{full.ID}},
		{"authority", lrs.Query{Authority: "account:https://lrs.example|key-1", Verb: "http://example.com/v/planned"}, []uuid.UUID{sub.ID}},
		{"other authority", lrs.Query{Authority: "account:https://lrs.example|key-2"}, nil},
		{"until before", lrs.Query{Until: t0.Add(-time.Second)}, nil},
		{"since before", lrs.Query{Since: t0.Add(-time.Second), Verb: "http://example.com/v/completed"}, []uuid.UUID{full.ID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.ElementsMatch(t, tc.want, ids(tc.q))
		})
	}
}

func testAttachmentsStoredOnce(t *testing.T, s backend.Store) {
	ctx := t.Context()
	data := []byte("hello attachment")
	h := lrs.HashHex("", data)
	mk := func() *lrs.Statement {
		return stmt(t, `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v/1"},"object":{"id":"http://example.com/a"},
			"attachments":[{"usageType":"http://example.com/u","display":{"en":"x"},"contentType":"text/plain","length":%d,"sha2":%q}]}`, len(data), h)
	}
	a, b := mk(), mk()
	part := lrs.Part{ContentType: "text/plain", SHA2: h, Data: data}
	require.NoError(t, s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{a, b}, []lrs.Part{part, part}))
	got, err := s.Attachments(ctx, "t1", []string{h, h, "00"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, part, got[0])
	st, err := s.Statement(ctx, "t1", a.ID, false)
	require.NoError(t, err)
	assert.Equal(t, []string{h}, st.Attachments)
}

func testActivityDefinitionMerged(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.ActivityDefinition(ctx, "t1", "http://example.com/act/d")
	require.ErrorIs(t, err, store.ErrNotFound)
	for _, lang := range []string{"en", "fr"} {
		require.NoError(t, s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{stmt(t,
			`{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v/1"},"object":{"id":"http://example.com/act/d","definition":{"name":{%q:"n"}}}}`, lang)}, nil))
	}
	def, err := s.ActivityDefinition(ctx, "t1", "http://example.com/act/d")
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":{"en":"n","fr":"n"}}`, string(def))
}

func docWrite(v lrs.Version, mode lrs.WriteMode, p lrs.Precondition, k lrs.DocumentKey, ct, body string) lrs.Write {
	return lrs.Write{Version: v, Mode: mode, Precondition: p, Doc: lrs.Document{Key: k, ContentType: ct, Content: []byte(body)}}
}

func testDocumentETagPreconditions(t *testing.T, s backend.Store) {
	ctx := t.Context()
	k := lrs.DocumentKey{Kind: lrs.KindActivityProfile, ActivityID: "http://example.com/act/1", ID: "p1"}
	none := lrs.Precondition{}
	// If-Match on a missing document fails.
	_, err := s.PutDocument(ctx, "t1", t0, docWrite(lrs.V1, lrs.ModePut, lrs.ParsePrecondition(`"abc"`, ""), k, "application/json", `{"a":1}`))
	require.ErrorIs(t, err, store.ErrPrecondition)
	d, err := s.PutDocument(ctx, "t1", t0, docWrite(lrs.V1, lrs.ModePut, lrs.ParsePrecondition("", "*"), k, "application/json", `{"a":1}`))
	require.NoError(t, err)
	assert.Equal(t, lrs.ETagOf([]byte(`{"a":1}`)), d.ETag)
	// If-None-Match: * on an existing document fails; PUT with no header conflicts.
	_, err = s.PutDocument(ctx, "t1", t0, docWrite(lrs.V1, lrs.ModePut, lrs.ParsePrecondition("", "*"), k, "application/json", `{"a":2}`))
	require.ErrorIs(t, err, store.ErrPrecondition)
	_, err = s.PutDocument(ctx, "t1", t0, docWrite(lrs.V1, lrs.ModePut, none, k, "application/json", `{"a":2}`))
	require.ErrorIs(t, err, store.ErrConflict)
	// A stale ETag fails, the current one succeeds.
	_, err = s.PutDocument(ctx, "t1", t0, docWrite(lrs.V1, lrs.ModePut, lrs.ParsePrecondition(`"stale"`, ""), k, "application/json", `{"a":2}`))
	require.ErrorIs(t, err, store.ErrPrecondition)
	d2, err := s.PutDocument(ctx, "t1", t0.Add(time.Second), docWrite(lrs.V1, lrs.ModePut, lrs.ParsePrecondition(d.ETag, ""), k, "application/json", `{"a":2}`))
	require.NoError(t, err)
	// POST merges JSON objects.
	d3, err := s.PutDocument(ctx, "t1", t0.Add(2*time.Second), docWrite(lrs.V1, lrs.ModePost, none, k, "application/json", `{"b":3}`))
	require.NoError(t, err)
	got, err := s.Document(ctx, "t1", k)
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":2,"b":3}`, string(got.Content))
	assert.Equal(t, d3.ETag, got.ETag)
	assert.NotEqual(t, d2.ETag, d3.ETag)
	// Delete with a stale ETag fails and keeps the document.
	err = s.DeleteDocument(ctx, "t1", k, lrs.ParsePrecondition(d2.ETag, ""))
	require.ErrorIs(t, err, store.ErrPrecondition)
	require.NoError(t, s.DeleteDocument(ctx, "t1", k, lrs.ParsePrecondition(d3.ETag, "")))
	_, err = s.Document(ctx, "t1", k)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testDocumentListDelete(t *testing.T, s backend.Store) {
	ctx := t.Context()
	base := lrs.DocumentKey{Kind: lrs.KindState, ActivityID: "http://example.com/act/1", Agent: "mbox:mailto:a@example.com"}
	put := func(id, reg string, at time.Time) {
		k := base
		k.ID, k.Registration = id, reg
		_, err := s.PutDocument(ctx, "t1", at, docWrite(lrs.V1, lrs.ModePut, lrs.Precondition{}, k, "text/plain", id))
		require.NoError(t, err)
	}
	put("s2", "", t0)
	put("s1", "", t0.Add(time.Minute))
	put("s3", "r1", t0)
	ids, err := s.DocumentIDs(ctx, "t1", base, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s1", "s2"}, ids)
	ids, err = s.DocumentIDs(ctx, "t1", base, t0)
	require.NoError(t, err)
	assert.Equal(t, []string{"s1"}, ids, "since is exclusive")
	require.NoError(t, s.DeleteDocuments(ctx, "t1", base))
	ids, err = s.DocumentIDs(ctx, "t1", base, time.Time{})
	require.NoError(t, err)
	assert.Empty(t, ids)
	withReg := base
	withReg.Registration = "r1"
	ids, err = s.DocumentIDs(ctx, "t1", withReg, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s3"}, ids, "other registrations are untouched")
}

func testLRSTenantIsolation(t *testing.T, s backend.Store) {
	ctx := t.Context()
	id := uuid.New()
	require.NoError(t, s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{
		simple(t, id, "mailto:a@example.com", "http://example.com/v/1", "http://example.com/act/1"),
	}, nil))
	// The same id in another tenant is free, with different content.
	require.NoError(t, s.SaveStatements(ctx, "t2", t0, []*lrs.Statement{
		simple(t, id, "mailto:z@example.com", "http://example.com/v/2", "http://example.com/act/2"),
	}, nil))
	a, err := s.Statement(ctx, "t1", id, false)
	require.NoError(t, err)
	b, err := s.Statement(ctx, "t2", id, false)
	require.NoError(t, err)
	assert.NotEqual(t, a.JSON, b.JSON)
	page, err := s.QueryStatements(ctx, "t3", lrs.Query{Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, page.Statements)
	_, err = s.ActivityDefinition(ctx, "t3", "http://example.com/act/1")
	require.ErrorIs(t, err, store.ErrNotFound)

	k := lrs.DocumentKey{Kind: lrs.KindAgentProfile, Agent: "mbox:mailto:a@example.com", ID: "p"}
	_, err = s.PutDocument(ctx, "t1", t0, docWrite(lrs.V2, lrs.ModePut, lrs.Precondition{}, k, "text/plain", "x"))
	require.NoError(t, err)
	_, err = s.Document(ctx, "t2", k)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.PutDocument(ctx, "t2", t0, docWrite(lrs.V2, lrs.ModePut, lrs.Precondition{}, k, "text/plain", "y"))
	require.NoError(t, err, "no 409 from another tenant's document")
}

func testQueryIncludeVoided(t *testing.T, s backend.Store) {
	ctx := t.Context()
	target := uuid.New()
	require.NoError(t, s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{
		simple(t, target, "mailto:a@example.com", "http://example.com/v/1", "http://example.com/act/1"), voiding(t, target),
	}, nil))
	page, err := s.QueryStatements(ctx, "t1", lrs.Query{Limit: 10, Ascending: true, IncludeVoided: true})
	require.NoError(t, err)
	require.Len(t, page.Statements, 2, "an export sees voided statements too")
	assert.Equal(t, target, page.Statements[0].ID, "in stored order")
}

func testStatementRefFilter(t *testing.T, s backend.Store) {
	ctx := t.Context()
	target := simple(t, uuid.New(), "mailto:a@example.com", "http://example.com/v/did", "http://example.com/act/x")
	require.NoError(t, s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{target}, nil))
	ref1 := stmt(t, `{"actor":{"mbox":"mailto:b@example.com"},"verb":{"id":"http://example.com/v/liked"},"object":{"objectType":"StatementRef","id":%q}}`, target.ID.String())
	require.NoError(t, s.SaveStatements(ctx, "t1", t0.Add(time.Second), []*lrs.Statement{ref1}, nil))
	ref2 := stmt(t, `{"actor":{"mbox":"mailto:c@example.com"},"verb":{"id":"http://example.com/v/shared"},"object":{"objectType":"StatementRef","id":%q}}`, ref1.ID.String())
	other := simple(t, uuid.New(), "mailto:z@example.com", "http://example.com/v/did", "http://example.com/act/y")
	require.NoError(t, s.SaveStatements(ctx, "t1", t0.Add(2*time.Second), []*lrs.Statement{ref2, other}, nil))
	ids := func(q lrs.Query) []uuid.UUID {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = 50
		}
		page, err := s.QueryStatements(ctx, "t1", q)
		require.NoError(t, err)
		var out []uuid.UUID
		for _, st := range page.Statements {
			out = append(out, st.ID)
		}
		return out
	}
	cases := []struct {
		name string
		q    lrs.Query
		want []uuid.UUID
	}{
		{"agent of the target matches the chain", lrs.Query{Agent: "mbox:mailto:a@example.com"}, []uuid.UUID{ref2.ID, ref1.ID, target.ID}},
		{"activity of the target", lrs.Query{Activity: "http://example.com/act/x"}, []uuid.UUID{ref2.ID, ref1.ID, target.ID}},
		{"verb of an intermediate statement", lrs.Query{Verb: "http://example.com/v/liked"}, []uuid.UUID{ref2.ID, ref1.ID}},
		{"time applies to the referencing statement", lrs.Query{Agent: "mbox:mailto:a@example.com", Since: t0.Add(1500 * time.Millisecond)}, []uuid.UUID{ref2.ID}},
		{"no filter: every statement once", lrs.Query{Until: t0.Add(time.Hour)}, []uuid.UUID{other.ID, ref2.ID, ref1.ID, target.ID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(tc.q)
			if tc.name == "no filter: every statement once" {
				assert.ElementsMatch(t, tc.want, got)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
	t.Run("paging over merged sources", func(t *testing.T) {
		q := lrs.Query{Agent: "mbox:mailto:a@example.com", Limit: 1, Ascending: true}
		var got []uuid.UUID
		for range 5 {
			page, err := s.QueryStatements(ctx, "t1", q)
			require.NoError(t, err)
			for _, st := range page.Statements {
				got = append(got, st.ID)
			}
			if page.More == nil {
				break
			}
			q.After = page.More
		}
		assert.Equal(t, []uuid.UUID{target.ID, ref1.ID, ref2.ID}, got)
	})
}

// testQueryPagingEveryIndex pages through every index-driven filter, both
// orders, with and without a time window, over statements saved in many
// batches from a second tenant's writes interleaved (so stores that split
// their indexes, like sqlite's segments, cross many boundaries), and
// compares each walk with the answer computed here.
func testQueryPagingEveryIndex(t *testing.T, s backend.Store) {
	ctx := t.Context()
	regs := []uuid.UUID{uuid.New(), uuid.New()}
	type saved struct {
		id     uuid.UUID
		stored time.Time
		agent  int
		act    int
		reg    int
	}
	var all []saved
	for b := range 8 {
		var batch []*lrs.Statement
		var meta []saved
		for i := range 5 {
			n := b*5 + i
			m := saved{id: uuid.New(), agent: n % 3, act: n % 4, reg: n % 2}
			batch = append(batch, stmt(t, `{"id":%q,"actor":{"mbox":"mailto:p%d@example.com"},"verb":{"id":"http://example.com/v/%d"},
				"object":{"id":"http://example.com/act/%d"},"context":{"registration":%q}}`,
				m.id.String(), m.agent, n%2, m.act, regs[m.reg].String()))
			meta = append(meta, m)
		}
		at := t0.Add(time.Duration(b) * time.Second)
		require.NoError(t, s.SaveStatements(ctx, "t1", at, batch, nil))
		require.NoError(t, s.SaveStatements(ctx, "t2", at, []*lrs.Statement{
			simple(t, uuid.New(), "mailto:p0@example.com", "http://example.com/v/0", "http://example.com/act/0"),
		}, nil))
		for _, m := range meta {
			st, err := s.Statement(ctx, "t1", m.id, false)
			require.NoError(t, err)
			m.stored = st.Stored
			all = append(all, m)
		}
	}
	mid := all[len(all)/2].stored
	cases := []struct {
		name  string
		q     lrs.Query
		match func(saved) bool
	}{
		{"agent", lrs.Query{Agent: "mbox:mailto:p1@example.com"}, func(m saved) bool { return m.agent == 1 }},
		{"activity", lrs.Query{Activity: "http://example.com/act/2"}, func(m saved) bool { return m.act == 2 }},
		{"registration", lrs.Query{Registration: regs[1].String()}, func(m saved) bool { return m.reg == 1 }},
		{"authority", lrs.Query{Authority: "account:https://lrs.example|key-1"}, func(saved) bool { return true }},
		{
			"agent and registration",
			lrs.Query{Agent: "mbox:mailto:p0@example.com", Registration: regs[0].String()},
			func(m saved) bool { return m.agent == 0 && m.reg == 0 },
		},
		{"no filter", lrs.Query{}, func(saved) bool { return true }},
	}
	for _, tc := range cases {
		for _, asc := range []bool{false, true} {
			for _, window := range []string{"all", "since", "until"} {
				t.Run(fmt.Sprintf("%s/ascending=%v/%s", tc.name, asc, window), func(t *testing.T) {
					q := tc.q
					q.Limit, q.Ascending = 3, asc
					var want []uuid.UUID
					for _, m := range all {
						in := tc.match(m)
						switch window {
						case "since":
							q.Since = mid
							in = in && m.stored.After(mid)
						case "until":
							q.Until = mid
							in = in && !m.stored.After(mid)
						}
						if in {
							want = append(want, m.id)
						}
					}
					if !asc {
						slices.Reverse(want)
					}
					var got []uuid.UUID
					for pages := 0; ; pages++ {
						require.Less(t, pages, 30)
						page, err := s.QueryStatements(ctx, "t1", q)
						require.NoError(t, err)
						for _, st := range page.Statements {
							got = append(got, st.ID)
						}
						if page.More == nil {
							break
						}
						q.After = page.More
					}
					assert.Equal(t, want, got)
				})
			}
		}
	}
}
