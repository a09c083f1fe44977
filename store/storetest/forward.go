package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
	"github.com/passportbridge/passport/store"
	"github.com/passportbridge/passport/store/backend"
)

// forwardTests is the forward domain's part of the contract suite.
var forwardTests = []subTest{
	{"StatementLogOrderAndBounds", testStatementLog},
	{"StatementsByIDIncludesVoided", testStatementsByID},
	{"ForwardCursor", testForwardCursor},
	{"AdvanceForwardCursor", testAdvanceForwardCursor},
	{"DeadLetters", testDeadLetters},
	{"EraseAgent", testEraseAgent},
	{"EraseDryRunChangesNothing", testEraseDryRun},
	{"ErasureRecords", testErasureRecords},
}

// fwdTime is the forward tests' base time.
var fwdTime = time.Date(2026, 11, 28, 17, 0, 0, 123456789, time.UTC)

var fwdAuthority = map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": "https://lrs.example", "name": "fwd"}}

// fwdStmt builds a prepared statement from JSON with %s replaced by args.
func fwdStmt(t *testing.T, format string, args ...any) *lrs.Statement {
	t.Helper()
	ms, err := lrs.ParseStatements(fmt.Appendf(nil, format, args...), lrs.V1, false)
	require.NoError(t, err)
	st, err := lrs.Prepare(ms[0], lrs.Prepared{Authority: fwdAuthority, Version: lrs.V1})
	require.NoError(t, err)
	return st
}

func fwdSimple(t *testing.T, mbox, activity string) *lrs.Statement {
	t.Helper()
	return fwdStmt(t, `{"actor":{"mbox":%q},"verb":{"id":"http://example.com/v/did"},"object":{"id":%q}}`, mbox, activity)
}

func fwdLogIDs(sts []lrs.StoredStatement) []uuid.UUID {
	out := make([]uuid.UUID, len(sts))
	for i, st := range sts {
		out[i] = st.ID
	}
	return out
}

func testStatementLog(t *testing.T, s backend.Store) {
	ctx := t.Context()
	var saved []uuid.UUID
	for i := range 5 {
		st := fwdSimple(t, "mailto:a@example.com", fmt.Sprintf("http://example.com/a/%d", i))
		require.NoError(t, s.SaveStatements(ctx, "t1", fwdTime.Add(time.Duration(i)*time.Second), []*lrs.Statement{st}, nil))
		saved = append(saved, st.ID)
	}
	// Voided statements stay in the log (the voiding statement follows).
	v := fwdStmt(t, `{"actor":{"mbox":"mailto:admin@example.com"},"verb":{"id":%q},"object":{"objectType":"StatementRef","id":%q}}`,
		lrs.VerbVoided, saved[1].String())
	require.NoError(t, s.SaveStatements(ctx, "t1", fwdTime.Add(10*time.Second), []*lrs.Statement{v}, nil))
	saved = append(saved, v.ID)
	require.NoError(t, s.SaveStatements(ctx, "t2", fwdTime, []*lrs.Statement{fwdSimple(t, "mailto:b@example.com", "http://example.com/x")}, nil))

	all, err := s.StatementLog(ctx, "t1", nil, time.Time{}, 100)
	require.NoError(t, err)
	require.Equal(t, saved, fwdLogIDs(all))
	for i := 1; i < len(all); i++ {
		assert.True(t, all[i].Stored.After(all[i-1].Stored), "stored grows")
	}

	tests := []struct {
		name  string
		after *lrs.Cursor
		until time.Time
		limit int
		want  []uuid.UUID
	}{
		{"limit", nil, time.Time{}, 2, saved[:2]},
		{"after cursor", &lrs.Cursor{Stored: all[2].Stored, ID: all[2].ID}, time.Time{}, 100, saved[3:]},
		{"until inclusive", nil, all[3].Stored, 100, saved[:4]},
		{"after and until", &lrs.Cursor{Stored: all[0].Stored, ID: all[0].ID}, all[2].Stored, 100, saved[1:3]},
		{"after the end", &lrs.Cursor{Stored: all[5].Stored, ID: all[5].ID}, time.Time{}, 100, []uuid.UUID{}},
		{"since cursor", forward.SinceCursor(all[3].Stored), time.Time{}, 100, saved[4:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.StatementLog(ctx, "t1", tc.after, tc.until, tc.limit)
			require.NoError(t, err)
			assert.Equal(t, tc.want, fwdLogIDs(got))
		})
	}
	other, err := s.StatementLog(ctx, "t2", nil, time.Time{}, 100)
	require.NoError(t, err)
	assert.Len(t, other, 1, "another tenant's log is its own")
	none, err := s.StatementLog(ctx, "t3", nil, time.Time{}, 100)
	require.NoError(t, err)
	assert.Empty(t, none)
}

func testStatementsByID(t *testing.T, s backend.Store) {
	ctx := t.Context()
	a := fwdSimple(t, "mailto:a@example.com", "http://example.com/a")
	v := fwdStmt(t, `{"actor":{"mbox":"mailto:admin@example.com"},"verb":{"id":%q},"object":{"objectType":"StatementRef","id":%q}}`,
		lrs.VerbVoided, a.ID.String())
	require.NoError(t, s.SaveStatements(ctx, "t1", fwdTime, []*lrs.Statement{a, v}, nil))
	got, err := s.StatementsByID(ctx, "t1", []uuid.UUID{a.ID, v.ID, uuid.New()})
	require.NoError(t, err)
	assert.ElementsMatch(t, []uuid.UUID{a.ID, v.ID}, fwdLogIDs(got))
	got, err = s.StatementsByID(ctx, "t2", []uuid.UUID{a.ID})
	require.NoError(t, err)
	assert.Empty(t, got, "ids are per tenant")
}

func testForwardCursor(t *testing.T, s backend.Store) {
	ctx := t.Context()
	c, err := s.ForwardCursor(ctx, "t1", "r1")
	require.NoError(t, err)
	assert.Nil(t, c)
	want := lrs.Cursor{Stored: fwdTime, ID: uuid.New()}
	require.NoError(t, s.SetForwardCursor(ctx, "t1", "r1", &want))
	next := lrs.Cursor{Stored: fwdTime.Add(time.Second), ID: uuid.New()}
	require.NoError(t, s.SetForwardCursor(ctx, "t1", "r2", &next))
	c, err = s.ForwardCursor(ctx, "t1", "r1")
	require.NoError(t, err)
	require.NotNil(t, c)
	assert.True(t, want.Stored.Equal(c.Stored))
	assert.Equal(t, want.ID, c.ID)
	c, err = s.ForwardCursor(ctx, "t2", "r1")
	require.NoError(t, err)
	assert.Nil(t, c, "cursors are per tenant")
	require.NoError(t, s.SetForwardCursor(ctx, "t1", "r1", &next))
	c, err = s.ForwardCursor(ctx, "t1", "r1")
	require.NoError(t, err)
	assert.Equal(t, next.ID, c.ID)
	require.NoError(t, s.SetForwardCursor(ctx, "t1", "r1", nil))
	c, err = s.ForwardCursor(ctx, "t1", "r1")
	require.NoError(t, err)
	assert.Nil(t, c, "nil rewinds to the start")
	c, err = s.ForwardCursor(ctx, "t1", "r2")
	require.NoError(t, err)
	assert.NotNil(t, c, "other rules keep their cursor")
}

func testAdvanceForwardCursor(t *testing.T, s backend.Store) {
	ctx := t.Context()
	a := lrs.Cursor{Stored: fwdTime, ID: uuid.New()}
	b := lrs.Cursor{Stored: fwdTime.Add(time.Second), ID: uuid.New()}
	c := lrs.Cursor{Stored: fwdTime.Add(2 * time.Second), ID: uuid.New()}
	steps := []struct {
		name      string
		from      *lrs.Cursor
		to        lrs.Cursor
		wantMoved bool
		wantAt    uuid.UUID
	}{
		{"first position", nil, a, true, a.ID},
		{"from none, but there is one", nil, b, false, a.ID},
		{"from the current position", &a, b, true, b.ID},
		{"from a stale position", &a, c, false, b.ID},
		{"on from the current one", &b, c, true, c.ID},
	}
	for _, st := range steps {
		moved, err := s.AdvanceForwardCursor(ctx, "t1", "r1", st.from, st.to)
		require.NoError(t, err, st.name)
		assert.Equal(t, st.wantMoved, moved, st.name)
		cur, err := s.ForwardCursor(ctx, "t1", "r1")
		require.NoError(t, err)
		require.NotNil(t, cur)
		assert.Equal(t, st.wantAt, cur.ID, st.name)
	}
	moved, err := s.AdvanceForwardCursor(ctx, "t2", "r1", nil, a)
	require.NoError(t, err)
	assert.True(t, moved, "cursors are per tenant")
}

func testDeadLetters(t *testing.T, s backend.Store) {
	ctx := t.Context()
	ids := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	for i, id := range ids {
		require.NoError(t, s.PutDeadLetter(ctx, "t1", "r1", forward.DeadLetter{
			StatementID: id, Stored: fwdTime.Add(time.Duration(i) * time.Second), Reason: "400: bad", At: fwdTime,
		}))
	}
	require.NoError(t, s.PutDeadLetter(ctx, "t1", "r2", forward.DeadLetter{StatementID: ids[0], Stored: fwdTime, Reason: "x", At: fwdTime}))
	require.NoError(t, s.PutDeadLetter(ctx, "t2", "r1", forward.DeadLetter{StatementID: ids[0], Stored: fwdTime, Reason: "x", At: fwdTime}))

	got, err := s.DeadLetters(ctx, "t1", "r1", false, 100)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, ids[0], got[0].StatementID)
	assert.Equal(t, "400: bad", got[0].Reason)
	assert.True(t, fwdTime.Equal(got[0].At))
	assert.False(t, got[0].Retry)
	retry, err := s.DeadLetters(ctx, "t1", "r1", true, 100)
	require.NoError(t, err)
	assert.Empty(t, retry)

	n, err := s.RequeueDeadLetters(ctx, "t1", "r1")
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	retry, err = s.DeadLetters(ctx, "t1", "r1", true, 2)
	require.NoError(t, err)
	require.Len(t, retry, 2, "limit")
	assert.True(t, retry[0].Retry)
	other, err := s.DeadLetters(ctx, "t1", "r2", true, 100)
	require.NoError(t, err)
	assert.Empty(t, other, "requeue touches one rule")

	// Refused again: the record is replaced and leaves the retry queue.
	require.NoError(t, s.PutDeadLetter(ctx, "t1", "r1", forward.DeadLetter{StatementID: ids[1], Stored: fwdTime.Add(time.Second), Reason: "409", At: fwdTime}))
	require.NoError(t, s.DeleteDeadLetter(ctx, "t1", "r1", ids[0]))
	require.NoError(t, s.DeleteDeadLetter(ctx, "t1", "r1", uuid.New()))
	got, err = s.DeadLetters(ctx, "t1", "r1", false, 100)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, ids[1], got[0].StatementID)
	assert.Equal(t, "409", got[0].Reason)
	assert.False(t, got[0].Retry)
	assert.True(t, got[1].Retry)
	t2, err := s.DeadLetters(ctx, "t2", "r1", false, 100)
	require.NoError(t, err)
	assert.Len(t, t2, 1, "another tenant's dead letters are untouched")
}

// fwdErasureFixture stores, in tenants t1 and t2, statements and documents of
// the learner to erase and of another learner.
type fwdErasureFixture struct {
	victim, other         []uuid.UUID
	victimOnlyAtt, shared string
	victimKey, otherKey   string
	otherTenantStatement  uuid.UUID
}

const (
	fwdVictimMbox = "mailto:victim@example.com"
	fwdOtherMbox  = "mailto:other@example.com"
)

func newFwdErasureFixture(t *testing.T, s backend.Store) fwdErasureFixture {
	t.Helper()
	ctx := t.Context()
	f := fwdErasureFixture{victimKey: "mbox:" + fwdVictimMbox, otherKey: "mbox:" + fwdOtherMbox}
	only, shared := []byte("victim's essay"), []byte("shared worksheet")
	f.victimOnlyAtt, f.shared = lrs.HashHex("", only), lrs.HashHex("", shared)
	att := func(h string, n int) string {
		return fmt.Sprintf(`[{"usageType":"http://example.com/u","display":{"en":"x"},"contentType":"text/plain","length":%d,"sha2":%q}]`, n, h)
	}
	victim := []*lrs.Statement{
		fwdSimple(t, fwdVictimMbox, "http://example.com/act/1"),
		fwdStmt(t, `{"actor":{"mbox":%q},"verb":{"id":"http://example.com/v/wrote"},"object":{"id":"http://example.com/act/2"},"attachments":%s}`,
			fwdVictimMbox, att(f.victimOnlyAtt, len(only))),
		fwdStmt(t, `{"actor":{"mbox":%q},"verb":{"id":"http://example.com/v/got"},"object":{"id":"http://example.com/act/3"},"attachments":%s}`,
			fwdVictimMbox, att(f.shared, len(shared))),
		// As the object of someone else's statement, and as instructor.
		fwdStmt(t, `{"actor":{"mbox":%q},"verb":{"id":"http://example.com/v/helped"},"object":{"objectType":"Agent","mbox":%q}}`, fwdOtherMbox, fwdVictimMbox),
		fwdStmt(t, `{"actor":{"mbox":%q},"verb":{"id":"http://example.com/v/did"},"object":{"id":"http://example.com/act/1"},"context":{"instructor":{"mbox":%q}}}`,
			fwdOtherMbox, fwdVictimMbox),
		// As a member of an anonymous Group (no index holds members; the
		// domain's case differs), and inside a SubStatement.
		fwdStmt(t, `{"actor":{"objectType":"Group","member":[{"mbox":"mailto:victim@EXAMPLE.com"},{"mbox":%q}]},"verb":{"id":"http://example.com/v/did"},"object":{"id":"http://example.com/act/4"}}`,
			fwdOtherMbox),
		fwdStmt(t, `{"actor":{"mbox":%q},"verb":{"id":"http://example.com/v/planned"},"object":{"objectType":"SubStatement","actor":{"mbox":%q},"verb":{"id":"http://example.com/v/did"},"object":{"id":"http://example.com/act/1"}}}`,
			fwdOtherMbox, fwdVictimMbox),
	}
	other := []*lrs.Statement{
		fwdSimple(t, fwdOtherMbox, "http://example.com/act/1"),
		fwdStmt(t, `{"actor":{"mbox":%q},"verb":{"id":"http://example.com/v/got"},"object":{"id":"http://example.com/act/3"},"attachments":%s}`,
			fwdOtherMbox, att(f.shared, len(shared))),
		// A look-alike address is someone else.
		fwdStmt(t, `{"actor":{"mbox":"mailto:victim@example.com.evil"},"verb":{"id":"http://example.com/v/did"},"object":{"id":"http://example.com/act/5"}}`),
	}
	parts := []lrs.Part{{ContentType: "text/plain", SHA2: f.victimOnlyAtt, Data: only}, {ContentType: "text/plain", SHA2: f.shared, Data: shared}}
	require.NoError(t, s.SaveStatements(ctx, "t1", fwdTime, victim, parts))
	require.NoError(t, s.SaveStatements(ctx, "t1", fwdTime.Add(time.Second), other, nil))
	for _, st := range victim {
		f.victim = append(f.victim, st.ID)
	}
	for _, st := range other {
		f.other = append(f.other, st.ID)
	}
	same := fwdSimple(t, fwdVictimMbox, "http://example.com/act/1")
	require.NoError(t, s.SaveStatements(ctx, "t2", fwdTime, []*lrs.Statement{same}, parts))
	f.otherTenantStatement = same.ID
	for _, tenant := range []string{"t1", "t2"} {
		for _, who := range []string{f.victimKey, f.otherKey} {
			for _, k := range []lrs.DocumentKey{
				{Kind: lrs.KindState, ActivityID: "http://example.com/act/1", Agent: who, ID: "bookmark"},
				{Kind: lrs.KindAgentProfile, Agent: who, ID: "prefs"},
			} {
				_, err := s.PutDocument(ctx, tenant, fwdTime, lrs.Write{
					Version: lrs.V1, Mode: lrs.ModePost,
					Doc: lrs.Document{Key: k, ContentType: "application/json", Content: []byte(`{"a":1}`)},
				})
				require.NoError(t, err)
			}
		}
	}
	return f
}

func testEraseAgent(t *testing.T, s backend.Store) {
	ctx := t.Context()
	f := newFwdErasureFixture(t, s)
	counts, err := s.EraseAgent(ctx, "t1", f.victimKey, false)
	require.NoError(t, err)
	assert.Equal(t, forward.ErasureCounts{Statements: 7, Documents: 2, Attachments: 1}, counts)

	for _, id := range f.victim {
		for _, voided := range []bool{false, true} {
			_, err := s.Statement(ctx, "t1", id, voided)
			require.ErrorIs(t, err, store.ErrNotFound)
		}
	}
	for _, q := range []lrs.Query{
		{Agent: f.victimKey, RelatedAgents: true},
		{Agent: f.victimKey},
		{Verb: "http://example.com/v/wrote"},
		{Activity: "http://example.com/act/2", RelatedActivities: true},
	} {
		page, err := s.QueryStatements(ctx, "t1", q)
		require.NoError(t, err)
		assert.Empty(t, page.Statements, "query %+v", q)
	}
	page, err := s.QueryStatements(ctx, "t1", lrs.Query{Activity: "http://example.com/act/1"})
	require.NoError(t, err)
	assert.Equal(t, f.other[:1], fwdLogIDs(page.Statements), "other learners' statements stay queryable")
	log, err := s.StatementLog(ctx, "t1", nil, time.Time{}, 100)
	require.NoError(t, err)
	assert.Equal(t, f.other, fwdLogIDs(log))

	for _, k := range []lrs.DocumentKey{
		{Kind: lrs.KindState, ActivityID: "http://example.com/act/1", Agent: f.victimKey, ID: "bookmark"},
		{Kind: lrs.KindAgentProfile, Agent: f.victimKey, ID: "prefs"},
	} {
		_, err := s.Document(ctx, "t1", k)
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.Document(ctx, "t2", k)
		require.NoError(t, err, "another tenant's documents are untouched")
		k.Agent = f.otherKey
		_, err = s.Document(ctx, "t1", k)
		require.NoError(t, err, "other learners' documents stay")
	}
	parts, err := s.Attachments(ctx, "t1", []string{f.victimOnlyAtt, f.shared})
	require.NoError(t, err)
	require.Len(t, parts, 1, "an attachment still referenced stays")
	assert.Equal(t, f.shared, parts[0].SHA2)
	parts, err = s.Attachments(ctx, "t2", []string{f.victimOnlyAtt, f.shared})
	require.NoError(t, err)
	assert.Len(t, parts, 2)
	_, err = s.Statement(ctx, "t2", f.otherTenantStatement, false)
	require.NoError(t, err, "another tenant's statements are untouched")

	again, err := s.EraseAgent(ctx, "t1", f.victimKey, false)
	require.NoError(t, err)
	assert.Equal(t, forward.ErasureCounts{}, again, "erasing twice finds nothing")
}

func testEraseDryRun(t *testing.T, s backend.Store) {
	ctx := t.Context()
	f := newFwdErasureFixture(t, s)
	counts, err := s.EraseAgent(ctx, "t1", f.victimKey, true)
	require.NoError(t, err)
	assert.Equal(t, forward.ErasureCounts{Statements: 7, Documents: 2, Attachments: 1}, counts)
	log, err := s.StatementLog(ctx, "t1", nil, time.Time{}, 100)
	require.NoError(t, err)
	assert.Len(t, log, 10)
	parts, err := s.Attachments(ctx, "t1", []string{f.victimOnlyAtt})
	require.NoError(t, err)
	assert.Len(t, parts, 1)
}

func testErasureRecords(t *testing.T, s backend.Store) {
	ctx := t.Context()
	r1 := forward.ErasureRecord{
		ID: uuid.New(), Tenant: "t1", At: fwdTime, RequestedBy: "key-1", SubjectHash: "ab", Salt: "cd",
		ErasureCounts: forward.ErasureCounts{Statements: 3, Documents: 1, Attachments: 2},
	}
	r2 := r1
	r2.ID, r2.At = uuid.New(), fwdTime.Add(time.Minute)
	r3 := r1
	r3.ID, r3.Tenant = uuid.New(), "t2"
	for _, r := range []forward.ErasureRecord{r2, r1, r3} {
		require.NoError(t, s.AddErasureRecord(ctx, r))
	}
	got, err := s.ErasureRecords(ctx, "t1")
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, r1.ID, got[0].ID)
	assert.Equal(t, r1.ErasureCounts, got[0].ErasureCounts)
	assert.Equal(t, "key-1", got[0].RequestedBy)
	assert.True(t, fwdTime.Equal(got[0].At))
	assert.Equal(t, r2.ID, got[1].ID)
}
