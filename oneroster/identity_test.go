package oneroster_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/oneroster/memstore"
	"github.com/passportbridge/passport/store"
)

func seedUsers(t *testing.T, st *memstore.Store, us ...oneroster.User) {
	t.Helper()
	_, err := st.Apply(context.Background(), oneroster.Batch{Tenant: "t", Now: time.Unix(0, 0), Rows: func(yield func(oneroster.Change) error) error {
		for i := range us {
			c, err := oneroster.ChangeOf(&us[i])
			if err != nil {
				return err
			}
			if err := yield(c); err != nil {
				return err
			}
		}
		return nil
	}})
	require.NoError(t, err)
}

func TestMergeAndFindLearner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memstore.New()
	seedUsers(t, st,
		oneroster.User{Base: oneroster.Base{SourcedID: "old"}, GivenName: "Amina", Identifier: "AH001", Email: "amina@example.org", UserIDs: []oneroster.UserID{{Type: "LTI", Identifier: "lti-9"}}},
		oneroster.User{Base: oneroster.Base{SourcedID: "new"}, GivenName: "Amina", Identifier: "AH777"},
		oneroster.User{Base: oneroster.Base{SourcedID: "newer"}, GivenName: "Amina"},
	)
	now := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	m, err := oneroster.MergeLearners(ctx, st, "t", "new", "old", "admin-key", "re-registered at camp B", now)
	require.NoError(t, err)
	assert.Equal(t, oneroster.Merge{Tenant: "t", From: "new", Into: "old", Actor: "admin-key", Reason: "re-registered at camp B", At: now}, m)
	_, err = oneroster.MergeLearners(ctx, st, "t", "newer", "new", "admin-key", "", now)
	require.NoError(t, err)

	for _, tc := range []struct{ by, value string }{
		{oneroster.BySourcedID, "new"},
		{oneroster.BySourcedID, "newer"},
		{oneroster.ByIdentifier, "AH777"},
		{oneroster.ByEmail, "AMINA@example.org"},
		{oneroster.ByLTI, "lti-9"},
		{oneroster.ByLTI, "old"},
	} {
		u, err := oneroster.FindLearner(ctx, st, "t", tc.by, tc.value)
		require.NoError(t, err, tc)
		assert.Equal(t, "old", u.SourcedID, tc)
	}
	_, err = oneroster.FindLearner(ctx, st, "t", oneroster.ByEmail, "nobody@example.org")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = oneroster.FindLearner(ctx, st, "other", oneroster.BySourcedID, "old")
	require.ErrorIs(t, err, store.ErrNotFound, "tenants are isolated")

	al, err := oneroster.Aliases(ctx, st, "t", "old")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"old", "new", "newer"}, al)

	ms, err := st.Merges(ctx, "t")
	require.NoError(t, err)
	assert.Len(t, ms, 2, "each merge is an audit entry")

	var me *oneroster.MergeError
	for _, tc := range []struct{ from, into string }{{"old", "old"}, {"ghost", "old"}, {"old", "newer"}, {"new", "newer"}} {
		_, err := oneroster.MergeLearners(ctx, st, "t", tc.from, tc.into, "k", "", now)
		require.ErrorAs(t, err, &me, tc)
	}
}

func TestGuard(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		g    oneroster.Guard
		d    map[oneroster.Kind][2]int
		fail bool
	}{
		{"under the default share", oneroster.Guard{}, map[oneroster.Kind][2]int{oneroster.KindUser: {20, 100}}, false},
		{"over the default share", oneroster.Guard{}, map[oneroster.Kind][2]int{oneroster.KindUser: {21, 100}}, true},
		{"enrollments guarded", oneroster.Guard{}, map[oneroster.Kind][2]int{oneroster.KindEnrollment: {50, 100}}, true},
		{"classes not guarded by default", oneroster.Guard{}, map[oneroster.Kind][2]int{oneroster.KindClass: {100, 100}}, false},
		{"configured share", oneroster.Guard{MaxShare: 0.6}, map[oneroster.Kind][2]int{oneroster.KindUser: {50, 100}}, false},
		{"allowed", oneroster.Guard{Allow: true}, map[oneroster.Kind][2]int{oneroster.KindUser: {100, 100}}, false},
		{"empty store", oneroster.Guard{}, map[oneroster.Kind][2]int{oneroster.KindUser: {0, 0}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.g.Check(tc.d)
			if tc.fail {
				var de *oneroster.DeletionError
				require.ErrorAs(t, err, &de)
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	active := &oneroster.Record{Status: oneroster.StatusActive, Hash: 1, SourceModified: t1}
	deleted := &oneroster.Record{Status: oneroster.StatusToBeDeleted, Hash: 1}
	cases := []struct {
		name string
		ex   *oneroster.Record
		c    oneroster.Change
		want oneroster.Outcome
	}{
		{"create", nil, oneroster.Change{Status: oneroster.StatusActive, Hash: 1}, oneroster.Created},
		{"same", active, oneroster.Change{Status: oneroster.StatusActive, Hash: 1}, oneroster.Unchanged},
		{"update", active, oneroster.Change{Status: oneroster.StatusActive, Hash: 2}, oneroster.Updated},
		{"revive", deleted, oneroster.Change{Status: oneroster.StatusActive, Hash: 1}, oneroster.Updated},
		{"delete", active, oneroster.Change{Status: oneroster.StatusToBeDeleted}, oneroster.Deleted},
		{"delete absent", nil, oneroster.Change{Status: oneroster.StatusToBeDeleted}, oneroster.Unchanged},
		{"delete deleted", deleted, oneroster.Change{Status: oneroster.StatusToBeDeleted}, oneroster.Unchanged},
		{"stale", active, oneroster.Change{Status: oneroster.StatusActive, Hash: 2, SourceModified: t1.Add(-time.Second)}, oneroster.Stale},
		{"newer", active, oneroster.Change{Status: oneroster.StatusActive, Hash: 2, SourceModified: t1.Add(time.Second)}, oneroster.Updated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, oneroster.Decide(tc.ex, tc.c))
		})
	}
}

func TestRole11(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"principal": "administrator", "siteAdministrator": "administrator", "districtAdministrator": "administrator",
		"systemAdministrator": "administrator", "counselor": "aide", "student": "student", "guardian": "guardian",
	} {
		assert.Equal(t, want, oneroster.Role11(in), in)
	}
}

func TestFindDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memstore.New()
	seedUsers(t, st,
		oneroster.User{Base: oneroster.Base{SourcedID: "a"}, GivenName: "Amina", FamilyName: "Hassan", MasterIdentifier: "M1"},
		oneroster.User{Base: oneroster.Base{SourcedID: "b"}, GivenName: "AMINA", FamilyName: "hassan"},
		oneroster.User{Base: oneroster.Base{SourcedID: "c"}, GivenName: "Other", FamilyName: "Person", MasterIdentifier: "M1"},
		oneroster.User{Base: oneroster.Base{SourcedID: "d"}, GivenName: "Amina", FamilyName: "Hassan"},
	)
	_, err := st.Apply(ctx, oneroster.Batch{Tenant: "t", Now: time.Unix(1, 0), Rows: func(yield func(oneroster.Change) error) error {
		for _, id := range []string{"a", "b", "d"} {
			bd := "2015-03-02"
			if id == "d" {
				bd = "2016-01-01"
			}
			c, err := oneroster.ChangeOf(&oneroster.Demographics{Base: oneroster.Base{SourcedID: id}, BirthDate: bd})
			if err != nil {
				return err
			}
			if err := yield(c); err != nil {
				return err
			}
		}
		return nil
	}})
	require.NoError(t, err)
	d, err := oneroster.FindDuplicates(ctx, st, "t")
	require.NoError(t, err)
	assert.Equal(t, []oneroster.Duplicate{
		{SourcedIDs: []string{"a", "c"}, Why: "userMasterIdentifier"},
		{SourcedIDs: []string{"a", "b"}, Why: "name and birthDate"},
	}, d)
	// Once merged, a pair is no longer reported.
	_, err = oneroster.MergeLearners(ctx, st, "t", "b", "a", "k", "", time.Unix(2, 0))
	require.NoError(t, err)
	d, err = oneroster.FindDuplicates(ctx, st, "t")
	require.NoError(t, err)
	assert.Len(t, d, 1)
}
