package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store"
	"github.com/passportbridge/passport/store/backend"
)

// onerosterTests is the oneroster domain's part of the contract suite.
var onerosterTests = []subTest{
	{"RosterApplyRead", testRosterApplyRead},
	{"RosterDeltaIdempotent", testRosterDeltaIdempotent},
	{"RosterBulkImplicitDeletes", testRosterBulkImplicitDeletes},
	{"RosterStaleRows", testRosterStaleRows},
	{"RosterAtomic", testRosterAtomic},
	{"RosterChangesSinceCursor", testRosterChangesSinceCursor},
	{"RosterTenantIsolation", testRosterTenantIsolation},
	{"RosterMerges", testRosterMerges},
	{"RosterSameRecordTwiceInABatch", testRosterSameRecordTwice},
	{"RosterSyncMarks", testRosterSyncMarks},
	{"RosterPurgeRosterTombstones", testRosterPurgeRosterTombstones},
	{"RosterAssessmentRecords", testRosterAssessmentRecords},
}

func testRosterPurgeRosterTombstones(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.Apply(ctx, rosterBatch("t", rosterT0, nil, rosterUser(t, "u1", "A", "", time.Time{}), rosterUser(t, "u2", "B", "", time.Time{}),
		rosterUser(t, "u3", "C", "", time.Time{})))
	require.NoError(t, err)
	_, err = s.Apply(ctx, rosterBatch("other", rosterT0, nil, rosterUser(t, "u1", "A", "", time.Time{})))
	require.NoError(t, err)
	_, err = s.Apply(ctx, rosterBatch("t", rosterT0.Add(time.Hour), nil, rosterUser(t, "u1", "", "tobedeleted", time.Time{})))
	require.NoError(t, err)
	_, err = s.Apply(ctx, rosterBatch("other", rosterT0.Add(time.Hour), nil, rosterUser(t, "u1", "", "tobedeleted", time.Time{})))
	require.NoError(t, err)
	a, err := s.Apply(ctx, rosterBatch("t", rosterT0.Add(48*time.Hour), nil, rosterUser(t, "u2", "", "tobedeleted", time.Time{})))
	require.NoError(t, err)

	n, err := s.PurgeRosterTombstones(ctx, "t", rosterT0.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only u1's tombstone is older than the cut")
	_, err = s.Record(ctx, "t", oneroster.KindUser, "u1")
	require.ErrorIs(t, err, store.ErrNotFound)
	recs, err := s.Records(ctx, "t", oneroster.KindUser)
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, "u2", recs[0].SourcedID)
	assert.Equal(t, oneroster.StatusToBeDeleted, recs[0].Status, "a recent tombstone stays")
	d, err := s.Changes(ctx, "t", 0)
	require.NoError(t, err)
	assert.Equal(t, []oneroster.Ref{{Kind: oneroster.KindUser, SourcedID: "u2"}}, d.Deletes)
	cur, err := s.Cursor(ctx, "t")
	require.NoError(t, err)
	assert.Greater(t, cur, a.Cursor, "a purge moves the cursor, so cached readers see it")
	d, err = s.Changes(ctx, "t", a.Cursor)
	require.NoError(t, err)
	assert.Empty(t, d.Deletes, "but changes nothing since the old one")
	assert.Empty(t, d.Upserts.Users)
	assert.Equal(t, cur, d.Cursor)
	oc, err := s.Cursor(ctx, "other")
	require.NoError(t, err)
	_, err = s.Record(ctx, "other", oneroster.KindUser, "u1")
	require.NoError(t, err, "another tenant's tombstones stay")

	// A purged record can come back as new.
	b, err := s.Apply(ctx, rosterBatch("t", rosterT0.Add(49*time.Hour), nil, rosterUser(t, "u1", "A2", "", time.Time{})))
	require.NoError(t, err)
	assert.Equal(t, 1, b.Counts[oneroster.KindUser].Created)
	cur, err = s.Cursor(ctx, "t")
	require.NoError(t, err)
	n, err = s.PurgeRosterTombstones(ctx, "t", rosterT0.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Zero(t, n)
	again, err := s.Cursor(ctx, "t")
	require.NoError(t, err)
	assert.Equal(t, cur, again, "a purge that removes nothing leaves the cursor")
	again, err = s.Cursor(ctx, "other")
	require.NoError(t, err)
	assert.Equal(t, oc, again, "another tenant's cursor stays")
}

func testRosterSyncMarks(t *testing.T, s backend.Store) {
	ctx := t.Context()
	src := "https://sis.example/ims/oneroster/v1p1"
	m, err := s.SyncMark(ctx, "t", src)
	require.NoError(t, err)
	assert.True(t, m.IsZero())
	at := rosterT0.Add(123 * time.Millisecond)
	require.NoError(t, s.SetSyncMark(ctx, "t", src, at))
	require.NoError(t, s.SetSyncMark(ctx, "t", src, at.Add(time.Hour)))
	m, err = s.SyncMark(ctx, "t", src)
	require.NoError(t, err)
	assert.Equal(t, at.Add(time.Hour), m)
	m, err = s.SyncMark(ctx, "other", src)
	require.NoError(t, err)
	assert.True(t, m.IsZero(), "marks are per tenant")
}

func testRosterSameRecordTwice(t *testing.T, s backend.Store) {
	ctx := t.Context()
	a, err := s.Apply(ctx, rosterBatch("t", rosterT0, nil,
		rosterUser(t, "u1", "A", "", time.Time{}), rosterUser(t, "u1", "", "tobedeleted", time.Time{}),
		rosterUser(t, "u2", "B", "", time.Time{}), rosterUser(t, "u2", "B2", "", time.Time{})))
	require.NoError(t, err)
	assert.Equal(t, oneroster.Counts{Created: 2, Updated: 1, Deleted: 1}, a.Counts[oneroster.KindUser])
	r, err := s.Record(ctx, "t", oneroster.KindUser, "u1")
	require.NoError(t, err)
	assert.Equal(t, oneroster.StatusToBeDeleted, r.Status)
	e, err := oneroster.Decode(r)
	require.NoError(t, err)
	assert.Equal(t, "A", e.(*oneroster.User).GivenName, "the tombstone keeps the payload written earlier in the batch")
	r, err = s.Record(ctx, "t", oneroster.KindUser, "u2")
	require.NoError(t, err)
	e, err = oneroster.Decode(r)
	require.NoError(t, err)
	assert.Equal(t, "B2", e.(*oneroster.User).GivenName)
	assert.Equal(t, int64(1), r.Seq)
}

var rosterT0 = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

func rosterUser(t *testing.T, id, given string, st oneroster.Status, dlm time.Time) oneroster.Change {
	t.Helper()
	c, err := oneroster.ChangeOf(&oneroster.User{
		Base:        oneroster.Base{SourcedID: id, Status: st, DateLastModified: dlm},
		EnabledUser: true, Username: id, GivenName: given, FamilyName: "F", Role: "student", Orgs: []string{"s1"},
	})
	require.NoError(t, err)
	return c
}

func rosterBatch(tenant string, at time.Time, keep map[oneroster.Kind]func(string) bool, cs ...oneroster.Change) oneroster.Batch {
	return oneroster.Batch{Tenant: tenant, Now: at, Keep: keep, Rows: func(yield func(oneroster.Change) error) error {
		for _, c := range cs {
			if err := yield(c); err != nil {
				return err
			}
		}
		return nil
	}}
}

func testRosterApplyRead(t *testing.T, s backend.Store) {
	ctx := t.Context()
	c, err := s.Cursor(ctx, "t")
	require.NoError(t, err)
	assert.Zero(t, c)
	a, err := s.Apply(ctx, rosterBatch("t", rosterT0, nil, rosterUser(t, "u2", "B", "", time.Time{}), rosterUser(t, "u1", "A", "", time.Time{})))
	require.NoError(t, err)
	assert.Equal(t, int64(1), a.Cursor)
	assert.Equal(t, oneroster.Counts{Created: 2}, a.Counts[oneroster.KindUser])
	recs, err := s.Records(ctx, "t", oneroster.KindUser)
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, "u1", recs[0].SourcedID, "ordered by sourcedId")
	assert.Equal(t, rosterT0, recs[0].Modified)
	assert.Equal(t, int64(1), recs[0].Seq)
	e, err := oneroster.Decode(recs[0])
	require.NoError(t, err)
	assert.Equal(t, "A", e.(*oneroster.User).GivenName)
	_, err = s.Record(ctx, "t", oneroster.KindUser, "nope")
	require.ErrorIs(t, err, store.ErrNotFound)
	r, err := s.Record(ctx, "t", oneroster.KindUser, "u2")
	require.NoError(t, err)
	assert.Equal(t, oneroster.StatusActive, r.Status)
}

func testRosterDeltaIdempotent(t *testing.T, s backend.Store) {
	ctx := t.Context()
	b := rosterBatch("t", rosterT0, nil, rosterUser(t, "u1", "A", "active", rosterT0), rosterUser(t, "u9", "", "tobedeleted", rosterT0))
	a, err := s.Apply(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, oneroster.Counts{Created: 1, Unchanged: 1}, a.Counts[oneroster.KindUser], "deleting an absent record is a no-op")
	b = rosterBatch("t", rosterT0.Add(time.Hour), nil, rosterUser(t, "u1", "A", "active", rosterT0), rosterUser(t, "u9", "", "tobedeleted", rosterT0))
	a, err = s.Apply(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, int64(1), a.Cursor, "replaying changes nothing")
	assert.Equal(t, oneroster.Counts{Unchanged: 2}, a.Counts[oneroster.KindUser])
	r, err := s.Record(ctx, "t", oneroster.KindUser, "u1")
	require.NoError(t, err)
	assert.Equal(t, rosterT0, r.Modified, "an unchanged record keeps its dateLastModified")
}

func testRosterBulkImplicitDeletes(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.Apply(ctx, rosterBatch("t", rosterT0, nil, rosterUser(t, "u1", "A", "", time.Time{}), rosterUser(t, "u2", "B", "", time.Time{}), rosterUser(t, "u3", "C", "", time.Time{})))
	require.NoError(t, err)
	keep := map[oneroster.Kind]func(string) bool{oneroster.KindUser: func(id string) bool { return id == "u1" || id == "u2" }}
	t1 := rosterT0.Add(time.Hour)
	a, err := s.Apply(ctx, rosterBatch("t", t1, keep, rosterUser(t, "u1", "A2", "", time.Time{})))
	require.NoError(t, err)
	assert.Equal(t, oneroster.Counts{Updated: 1, Deleted: 1}, a.Counts[oneroster.KindUser])
	assert.Equal(t, int64(2), a.Cursor)
	r, err := s.Record(ctx, "t", oneroster.KindUser, "u3")
	require.NoError(t, err)
	assert.Equal(t, oneroster.StatusToBeDeleted, r.Status, "a tombstone stays readable")
	assert.Equal(t, t1, r.Modified)
	e, err := oneroster.Decode(r)
	require.NoError(t, err)
	assert.Equal(t, "C", e.(*oneroster.User).GivenName, "a tombstone keeps its last payload")
	r, err = s.Record(ctx, "t", oneroster.KindUser, "u2")
	require.NoError(t, err)
	assert.Equal(t, oneroster.StatusActive, r.Status)
	assert.Equal(t, rosterT0, r.Modified)
	// A deleted record comes back as an update.
	a, err = s.Apply(ctx, rosterBatch("t", t1.Add(time.Hour), nil, rosterUser(t, "u3", "C", "", time.Time{})))
	require.NoError(t, err)
	assert.Equal(t, oneroster.Counts{Updated: 1}, a.Counts[oneroster.KindUser])
}

func testRosterStaleRows(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.Apply(ctx, rosterBatch("t", rosterT0, nil, rosterUser(t, "u1", "New", "active", rosterT0)))
	require.NoError(t, err)
	a, err := s.Apply(ctx, rosterBatch("t", rosterT0.Add(time.Hour), nil,
		rosterUser(t, "u1", "Old", "active", rosterT0.Add(-time.Hour)), rosterUser(t, "u1", "", "tobedeleted", rosterT0.Add(-time.Minute))))
	require.NoError(t, err)
	assert.Equal(t, oneroster.Counts{Stale: 2}, a.Counts[oneroster.KindUser])
	r, err := s.Record(ctx, "t", oneroster.KindUser, "u1")
	require.NoError(t, err)
	e, err := oneroster.Decode(r)
	require.NoError(t, err)
	assert.Equal(t, "New", e.(*oneroster.User).GivenName)
	assert.Equal(t, oneroster.StatusActive, r.Status)
}

func testRosterAtomic(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.Apply(ctx, rosterBatch("t", rosterT0, nil, rosterUser(t, "u1", "A", "", time.Time{})))
	require.NoError(t, err)
	boom := errors.New("boom")
	b := oneroster.Batch{Tenant: "t", Now: rosterT0.Add(time.Hour), Rows: func(yield func(oneroster.Change) error) error {
		for i := range 1500 { // more than one write batch
			if err := yield(rosterUser(t, "x"+string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676)), "X", "", time.Time{})); err != nil {
				return err
			}
		}
		if err := yield(rosterUser(t, "u1", "changed", "", time.Time{})); err != nil {
			return err
		}
		return boom
	}}
	_, err = s.Apply(ctx, b)
	require.ErrorIs(t, err, boom)
	recs, err := s.Records(ctx, "t", oneroster.KindUser)
	require.NoError(t, err)
	require.Len(t, recs, 1, "nothing of a failed batch is kept")
	e, err := oneroster.Decode(recs[0])
	require.NoError(t, err)
	assert.Equal(t, "A", e.(*oneroster.User).GivenName)
	c, err := s.Cursor(ctx, "t")
	require.NoError(t, err)
	assert.Equal(t, int64(1), c)
	// The tenant is usable again.
	a, err := s.Apply(ctx, rosterBatch("t", rosterT0.Add(2*time.Hour), nil, rosterUser(t, "u2", "B", "", time.Time{})))
	require.NoError(t, err)
	assert.Equal(t, int64(2), a.Cursor)
}

func testRosterChangesSinceCursor(t *testing.T, s backend.Store) {
	ctx := t.Context()
	d, err := s.Changes(ctx, "t", 0)
	require.NoError(t, err)
	assert.Empty(t, d.Upserts.Users)
	assert.Zero(t, d.Cursor)
	a1, err := s.Apply(ctx, rosterBatch("t", rosterT0, nil, rosterUser(t, "u1", "A", "", time.Time{}), rosterUser(t, "u2", "B", "", time.Time{})))
	require.NoError(t, err)
	a2, err := s.Apply(ctx, rosterBatch("t", rosterT0.Add(time.Hour), nil, rosterUser(t, "u2", "B2", "", time.Time{}), rosterUser(t, "u1", "", "tobedeleted", time.Time{}), rosterUser(t, "u3", "C", "", time.Time{})))
	require.NoError(t, err)
	d, err = s.Changes(ctx, "t", a1.Cursor)
	require.NoError(t, err)
	assert.Equal(t, a2.Cursor, d.Cursor)
	assert.Equal(t, []oneroster.Ref{{Kind: oneroster.KindUser, SourcedID: "u1"}}, d.Deletes)
	require.Len(t, d.Upserts.Users, 2)
	assert.Equal(t, "u2", d.Upserts.Users[0].SourcedID)
	assert.Equal(t, "B2", d.Upserts.Users[0].GivenName)
	assert.Equal(t, rosterT0.Add(time.Hour), d.Upserts.Users[0].DateLastModified)
	assert.Equal(t, "u3", d.Upserts.Users[1].SourcedID)
	d, err = s.Changes(ctx, "t", a2.Cursor)
	require.NoError(t, err)
	assert.Empty(t, d.Upserts.Users)
	assert.Empty(t, d.Deletes)
	assert.Equal(t, a2.Cursor, d.Cursor)
	d, err = s.Changes(ctx, "t", 0)
	require.NoError(t, err)
	assert.Len(t, d.Upserts.Users, 2)
	assert.Len(t, d.Deletes, 1)
}

func testRosterTenantIsolation(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.Apply(ctx, rosterBatch("a", rosterT0, nil, rosterUser(t, "u1", "A", "", time.Time{})))
	require.NoError(t, err)
	// A bulk batch in tenant b deletes nothing of tenant a.
	keep := map[oneroster.Kind]func(string) bool{oneroster.KindUser: func(id string) bool { return id == "u2" }}
	a, err := s.Apply(ctx, rosterBatch("b", rosterT0, keep, rosterUser(t, "u2", "B", "", time.Time{})))
	require.NoError(t, err)
	assert.Equal(t, oneroster.Counts{Created: 1}, a.Counts[oneroster.KindUser])
	_, err = s.Record(ctx, "b", oneroster.KindUser, "u1")
	require.ErrorIs(t, err, store.ErrNotFound)
	r, err := s.Record(ctx, "a", oneroster.KindUser, "u1")
	require.NoError(t, err)
	assert.Equal(t, oneroster.StatusActive, r.Status)
	recs, err := s.Records(ctx, "b", oneroster.KindUser)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	d, err := s.Changes(ctx, "b", 0)
	require.NoError(t, err)
	require.Len(t, d.Upserts.Users, 1)
	assert.Equal(t, "u2", d.Upserts.Users[0].SourcedID)
	require.NoError(t, s.SaveMerge(ctx, oneroster.Merge{Tenant: "a", From: "u1", Into: "u0", Actor: "k", At: rosterT0}))
	ms, err := s.Merges(ctx, "b")
	require.NoError(t, err)
	assert.Empty(t, ms)
}

func testRosterMerges(t *testing.T, s backend.Store) {
	ctx := t.Context()
	m1 := oneroster.Merge{Tenant: "t", From: "u2", Into: "u1", Actor: "admin-key", Reason: "re-registered", At: rosterT0}
	m2 := oneroster.Merge{Tenant: "t", From: "u3", Into: "u1", Actor: "admin-key", At: rosterT0.Add(time.Minute)}
	require.NoError(t, s.SaveMerge(ctx, m1))
	require.NoError(t, s.SaveMerge(ctx, m2))
	require.ErrorIs(t, s.SaveMerge(ctx, oneroster.Merge{Tenant: "t", From: "u2", Into: "u9", At: rosterT0}), store.ErrConflict)
	ms, err := s.Merges(ctx, "t")
	require.NoError(t, err)
	assert.Equal(t, []oneroster.Merge{m1, m2}, ms)
}

// testRosterAssessmentRecords checks that the Assessment Results Profile
// kinds live in the generic record store like the gradebook ones: they round
// trip (with any-typed metadata), are per tenant, delete to tombstones, are
// implicitly deleted only when their own kind is bulk, and stay out of the
// roster Delta.
func testRosterAssessmentRecords(t *testing.T, s backend.Store) {
	ctx := t.Context()
	score, lo, hi := 87.5, 0.0, 100.0
	item := func(id, title string) oneroster.Change {
		c, err := oneroster.ChangeOf(&oneroster.AssessmentLineItem{
			Base: oneroster.Base{SourcedID: id}, Title: title, Class: "c1", ResultValueMin: &lo, ResultValueMax: &hi,
			LearningObjectives: []oneroster.LearningObjectiveSet{{Source: "case", IDs: []string{"lo-1"}}},
			Meta:               map[string]any{"duration": "120", "allowCalculator": true},
		})
		require.NoError(t, err)
		return c
	}
	result := func(id, item string, st oneroster.Status) oneroster.Change {
		c, err := oneroster.ChangeOf(&oneroster.AssessmentResult{
			Base: oneroster.Base{SourcedID: id, Status: st}, AssessmentLineItem: item, Student: "u1", Score: &score,
			ScoreDate: "2026-02-01", ScoreStatus: "fully graded", Late: "true",
			LearningObjectives: []oneroster.LearningObjectiveScoreSet{{Source: "case", Results: []oneroster.LearningObjectiveResult{{ID: "lo-1", Score: &score}}}},
		})
		require.NoError(t, err)
		if st == oneroster.StatusToBeDeleted {
			c.Status = st
		}
		return c
	}
	a, err := s.Apply(ctx, rosterBatch("t", rosterT0, nil, rosterUser(t, "u1", "A", "", time.Time{}),
		item("ali-1", "Exam"), item("ali-2", "Quiz"), result("ar-1", "ali-1", ""), result("ar-2", "ali-2", "")))
	require.NoError(t, err)
	assert.Equal(t, 2, a.Counts[oneroster.KindAssessmentLineItem].Created)
	assert.Equal(t, 2, a.Counts[oneroster.KindAssessmentResult].Created)
	_, err = s.Apply(ctx, rosterBatch("other", rosterT0, nil, item("ali-1", "Elsewhere")))
	require.NoError(t, err)

	rec, err := s.Record(ctx, "t", oneroster.KindAssessmentLineItem, "ali-1")
	require.NoError(t, err)
	e, err := oneroster.Decode(rec)
	require.NoError(t, err)
	li := e.(*oneroster.AssessmentLineItem)
	assert.Equal(t, "Exam", li.Title)
	assert.Equal(t, rosterT0, li.DateLastModified)
	assert.Equal(t, map[string]any{"duration": "120", "allowCalculator": true}, li.Meta)
	assert.Equal(t, []oneroster.LearningObjectiveSet{{Source: "case", IDs: []string{"lo-1"}}}, li.LearningObjectives)
	rec, err = s.Record(ctx, "t", oneroster.KindAssessmentResult, "ar-1")
	require.NoError(t, err)
	e, err = oneroster.Decode(rec)
	require.NoError(t, err)
	r := e.(*oneroster.AssessmentResult)
	assert.Equal(t, "ali-1", r.AssessmentLineItem)
	assert.InDelta(t, 87.5, *r.Score, 0)
	assert.Equal(t, "true", r.Late)
	require.Len(t, r.LearningObjectives, 1)
	assert.Equal(t, "lo-1", r.LearningObjectives[0].Results[0].ID)

	// Same content again: unchanged. Tenants are apart.
	a, err = s.Apply(ctx, rosterBatch("t", rosterT0.Add(time.Hour), nil, item("ali-1", "Exam")))
	require.NoError(t, err)
	assert.Equal(t, 1, a.Counts[oneroster.KindAssessmentLineItem].Unchanged)
	rec, err = s.Record(ctx, "other", oneroster.KindAssessmentLineItem, "ali-1")
	require.NoError(t, err)
	e, err = oneroster.Decode(rec)
	require.NoError(t, err)
	assert.Equal(t, "Elsewhere", e.(*oneroster.AssessmentLineItem).Title)
	_, err = s.Record(ctx, "other", oneroster.KindAssessmentResult, "ar-1")
	require.ErrorIs(t, err, store.ErrNotFound)

	// A deletion leaves a tombstone, listed by Records, not by ActiveIDs.
	a, err = s.Apply(ctx, rosterBatch("t", rosterT0.Add(2*time.Hour), nil, result("ar-2", "", oneroster.StatusToBeDeleted)))
	require.NoError(t, err)
	assert.Equal(t, 1, a.Counts[oneroster.KindAssessmentResult].Deleted)
	recs, err := s.Records(ctx, "t", oneroster.KindAssessmentResult)
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, oneroster.StatusToBeDeleted, recs[1].Status)
	assert.Equal(t, rosterT0.Add(2*time.Hour), recs[1].Modified)
	active, err := s.ActiveIDs(ctx, "t", oneroster.KindAssessmentResult)
	require.NoError(t, err)
	assert.Equal(t, []string{"ar-1"}, active)

	// A bulk batch of line items implicitly deletes the line items it does
	// not carry, and no result.
	a, err = s.Apply(ctx, rosterBatch("t", rosterT0.Add(3*time.Hour),
		map[oneroster.Kind]func(string) bool{oneroster.KindAssessmentLineItem: func(string) bool { return false }}, item("ali-1", "Exam v2")))
	require.NoError(t, err)
	assert.Equal(t, 1, a.Counts[oneroster.KindAssessmentLineItem].Updated)
	assert.Equal(t, 1, a.Counts[oneroster.KindAssessmentLineItem].Deleted, "ali-2 is not in the bulk batch")
	active, err = s.ActiveIDs(ctx, "t", oneroster.KindAssessmentLineItem)
	require.NoError(t, err)
	assert.Equal(t, []string{"ali-1"}, active)
	active, err = s.ActiveIDs(ctx, "t", oneroster.KindAssessmentResult)
	require.NoError(t, err)
	assert.Equal(t, []string{"ar-1"}, active)

	// Not part of the roster Delta.
	d, err := s.Changes(ctx, "t", 0)
	require.NoError(t, err)
	assert.Len(t, d.Upserts.Users, 1)
	assert.Empty(t, d.Deletes, "assessment tombstones are not roster deletions")
}
