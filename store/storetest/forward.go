package storetest

import (
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
	{"EraseAgent", testEraseAgent},
	{"ForwardProgress", testForwardProgress},
}

func testEraseAgent(t *testing.T, s backend.Store) {
	ctx := t.Context()
	own, shared := []byte("own attachment"), []byte("shared attachment")
	withAtt := func(mbox string, data []byte) *lrs.Statement {
		return stmt(t, `{"actor":{"mbox":%q},"verb":{"id":"http://example.com/v/1"},"object":{"id":"http://example.com/a"},
			"attachments":[{"usageType":"http://example.com/u","display":{"en":"x"},"contentType":"text/plain","length":%d,"sha2":%q}]}`,
			mbox, len(data), lrs.HashHex("", data))
	}
	a1 := withAtt("mailto:learner@example.com", own)
	a2 := withAtt("mailto:learner@example.com", shared)
	asObject := stmt(t, `{"actor":{"mbox":"mailto:teacher@example.com"},"verb":{"id":"http://example.com/v/2"},"object":{"objectType":"Agent","mbox":"mailto:learner@example.com"}}`)
	mentions := stmt(t, `{"actor":{"mbox":"mailto:teacher@example.com"},"verb":{"id":"http://example.com/v/3"},"object":{"id":"http://example.com/a"},"context":{"instructor":{"mbox":"mailto:learner@example.com"}}}`)
	b := withAtt("mailto:other@example.com", shared)
	parts := []lrs.Part{
		{ContentType: "text/plain", SHA2: lrs.HashHex("", own), Data: own},
		{ContentType: "text/plain", SHA2: lrs.HashHex("", shared), Data: shared},
	}
	require.NoError(t, s.SaveStatements(ctx, "t1", t0, []*lrs.Statement{a1, a2, asObject, mentions, b}, parts))
	learner := "mbox:mailto:learner@example.com"
	for _, k := range []lrs.DocumentKey{
		{Kind: lrs.KindState, ActivityID: "http://example.com/a", Agent: learner, ID: "s"},
		{Kind: lrs.KindAgentProfile, Agent: learner, ID: "p"},
		{Kind: lrs.KindActivityProfile, ActivityID: "http://example.com/a", ID: "p"},
	} {
		_, err := s.PutDocument(ctx, "t1", t0, docWrite(lrs.V1, lrs.ModePut, lrs.Precondition{}, k, "text/plain", "x"))
		require.NoError(t, err)
	}
	// The same learner in another tenant is untouched.
	require.NoError(t, s.SaveStatements(ctx, "t2", t0, []*lrs.Statement{
		simple(t, uuid.New(), "mailto:learner@example.com", "http://example.com/v/1", "http://example.com/a"),
	}, nil))

	id := uuid.New()
	e, err := s.EraseAgent(ctx, "t1", learner, forward.Erasure{ID: id, At: t0.Add(time.Hour), By: "key-admin"})
	require.NoError(t, err)
	assert.Equal(t, forward.Erasure{ID: id, Tenant: "t1", At: t0.Add(time.Hour), By: "key-admin", Statements: 3, Documents: 2, Attachments: 1}, e)

	for _, st := range []*lrs.Statement{a1, a2, asObject} {
		_, err := s.Statement(ctx, "t1", st.ID, false)
		require.ErrorIs(t, err, store.ErrNotFound)
	}
	for _, st := range []*lrs.Statement{mentions, b} {
		_, err := s.Statement(ctx, "t1", st.ID, false)
		require.NoError(t, err)
	}
	page, err := s.QueryStatements(ctx, "t1", lrs.Query{Agent: learner, Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, page.Statements)
	page, err = s.QueryStatements(ctx, "t1", lrs.Query{Agent: "mbox:mailto:teacher@example.com", Limit: 10})
	require.NoError(t, err)
	assert.Len(t, page.Statements, 1, "the teacher's other statement stays")
	got, err := s.Attachments(ctx, "t1", []string{lrs.HashHex("", own), lrs.HashHex("", shared)})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, shared, got[0].Data)
	ids, err := s.DocumentIDs(ctx, "t1", lrs.DocumentKey{Kind: lrs.KindActivityProfile, ActivityID: "http://example.com/a"}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, []string{"p"}, ids)
	page, err = s.QueryStatements(ctx, "t2", lrs.Query{Agent: learner, Limit: 10})
	require.NoError(t, err)
	assert.Len(t, page.Statements, 1)

	list, err := s.Erasures(ctx, "t1")
	require.NoError(t, err)
	assert.Equal(t, []forward.Erasure{e}, list)
	list, err = s.Erasures(ctx, "t2")
	require.NoError(t, err)
	assert.Empty(t, list)
}

func testForwardProgress(t *testing.T, s backend.Store) {
	ctx := t.Context()
	c, err := s.ForwardCursor(ctx, "t1", "central")
	require.NoError(t, err)
	assert.Nil(t, c)
	want := lrs.Cursor{Stored: t0, ID: uuid.New()}
	require.NoError(t, s.SetForwardCursor(ctx, "t1", "central", want))
	want.Stored = t0.Add(time.Second)
	require.NoError(t, s.SetForwardCursor(ctx, "t1", "central", want))
	c, err = s.ForwardCursor(ctx, "t1", "central")
	require.NoError(t, err)
	require.NotNil(t, c)
	assert.Equal(t, want, *c)
	c, err = s.ForwardCursor(ctx, "t2", "central")
	require.NoError(t, err)
	assert.Nil(t, c, "cursors are per tenant")

	a, b := uuid.New(), uuid.New()
	require.NoError(t, s.AddDeadLetters(ctx, "t1", "central", []forward.DeadLetter{
		{ID: a, At: t0, Status: 400, Reason: "bad"}, {ID: b, At: t0.Add(time.Second), Status: 409, Reason: "conflict"},
	}))
	require.NoError(t, s.AddDeadLetters(ctx, "t1", "central", []forward.DeadLetter{{ID: a, At: t0.Add(2 * time.Second), Status: 400, Reason: "still bad"}}))
	dl, err := s.DeadLetters(ctx, "t1", "central")
	require.NoError(t, err)
	assert.Equal(t, []forward.DeadLetter{
		{ID: b, At: t0.Add(time.Second), Status: 409, Reason: "conflict"},
		{ID: a, At: t0.Add(2 * time.Second), Status: 400, Reason: "still bad"},
	}, dl)
	require.NoError(t, s.DeleteDeadLetter(ctx, "t1", "central", a))
	dl, err = s.DeadLetters(ctx, "t1", "central")
	require.NoError(t, err)
	assert.Len(t, dl, 1)
	dl, err = s.DeadLetters(ctx, "t2", "central")
	require.NoError(t, err)
	assert.Empty(t, dl)
}
