package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store"
	"github.com/passportbridge/passport/store/backend"
)

// connectorsTests is the connectors domain's part of the contract suite.
var connectorsTests = []subTest{
	{"RunSaveGet", testRunSaveGet},
	{"RunReplace", testRunReplace},
	{"RunsNewestFirst", testRunsNewestFirst},
	{"RunTenantIsolation", testRunTenantIsolation},
	{"CursorSetGet", testCursorSetGet},
}

func sampleRun(tenant, id, connector string, started time.Time) connectors.Run {
	rep := connectors.Report{Created: 3, Failed: 1, Writes: 2}
	rep.Add(oneroster.KindUser, "stu-9", connectors.OutcomeFailed, "Username already exists: x")
	return connectors.Run{
		ID: id, Tenant: tenant, Connector: connector, Type: "moodle", Operation: "push",
		Status: connectors.RunPartial, Started: started, Finished: started.Add(time.Second),
		From: "10", To: "12", Report: rep,
	}
}

func testRunSaveGet(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.Run(ctx, "camp-a", "run-1")
	require.ErrorIs(t, err, store.ErrNotFound)

	want := sampleRun("camp-a", "run-1", "moodle-1", t0)
	require.NoError(t, s.SaveRun(ctx, want))
	got, err := s.Run(ctx, "camp-a", "run-1")
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func testRunReplace(t *testing.T, s backend.Store) {
	ctx := t.Context()
	r := sampleRun("camp-a", "run-1", "moodle-1", t0)
	r.Status, r.Finished, r.Report = connectors.RunRunning, time.Time{}, connectors.Report{}
	require.NoError(t, s.SaveRun(ctx, r))
	done := sampleRun("camp-a", "run-1", "moodle-1", t0)
	require.NoError(t, s.SaveRun(ctx, done))
	got, err := s.Run(ctx, "camp-a", "run-1")
	require.NoError(t, err)
	assert.Equal(t, done, got)
	runs, err := s.Runs(ctx, "camp-a", "", 0)
	require.NoError(t, err)
	assert.Len(t, runs, 1)
}

func testRunsNewestFirst(t *testing.T, s backend.Store) {
	ctx := t.Context()
	for i, c := range []string{"moodle-1", "kolibri-1", "moodle-1", "moodle-1"} {
		r := sampleRun("camp-a", "run-"+string(rune('a'+i)), c, t0.Add(time.Duration(i)*time.Minute))
		require.NoError(t, s.SaveRun(ctx, r))
	}
	all, err := s.Runs(ctx, "camp-a", "", 0)
	require.NoError(t, err)
	require.Len(t, all, 4)
	assert.Equal(t, []string{"run-d", "run-c", "run-b", "run-a"}, []string{all[0].ID, all[1].ID, all[2].ID, all[3].ID})

	m, err := s.Runs(ctx, "camp-a", "moodle-1", 2)
	require.NoError(t, err)
	require.Len(t, m, 2)
	assert.Equal(t, "run-d", m[0].ID)
	assert.Equal(t, "run-c", m[1].ID)
}

func testRunTenantIsolation(t *testing.T, s backend.Store) {
	ctx := t.Context()
	require.NoError(t, s.SaveRun(ctx, sampleRun("camp-a", "run-1", "moodle-1", t0)))
	require.NoError(t, s.SaveRun(ctx, sampleRun("camp-b", "run-1", "moodle-1", t0.Add(time.Hour))))
	a, err := s.Run(ctx, "camp-a", "run-1")
	require.NoError(t, err)
	assert.Equal(t, t0, a.Started)
	_, err = s.Run(ctx, "camp-c", "run-1")
	require.ErrorIs(t, err, store.ErrNotFound)
	runs, err := s.Runs(ctx, "camp-b", "", 0)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, "camp-b", runs[0].Tenant)

	require.NoError(t, s.SetConnectorCursor(ctx, "camp-a", "moodle-1", "roster", "42"))
	v, err := s.ConnectorCursor(ctx, "camp-b", "moodle-1", "roster")
	require.NoError(t, err)
	assert.Empty(t, v)
}

func testCursorSetGet(t *testing.T, s backend.Store) {
	ctx := t.Context()
	v, err := s.ConnectorCursor(ctx, "camp-a", "moodle-1", "roster")
	require.NoError(t, err)
	assert.Empty(t, v)
	require.NoError(t, s.SetConnectorCursor(ctx, "camp-a", "moodle-1", "roster", "42"))
	require.NoError(t, s.SetConnectorCursor(ctx, "camp-a", "moodle-1", "progress", "1790000000"))
	require.NoError(t, s.SetConnectorCursor(ctx, "camp-a", "moodle-1", "roster", "43"))
	v, err = s.ConnectorCursor(ctx, "camp-a", "moodle-1", "roster")
	require.NoError(t, err)
	assert.Equal(t, "43", v)
	v, err = s.ConnectorCursor(ctx, "camp-a", "moodle-1", "progress")
	require.NoError(t, err)
	assert.Equal(t, "1790000000", v)
}
