package rostersync_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/connectortest"
	"github.com/passportbridge/passport/connectors/openemis"
	"github.com/passportbridge/passport/connectors/openemis/openemisfake"
	"github.com/passportbridge/passport/internal/rostersync"
	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

func pullFixture(t *testing.T, mode string, share float64) (*openemisfake.Server, *rostersync.Runner, rostersync.Job, *memRuns) {
	t.Helper()
	fake := openemisfake.New()
	openemisfake.Seed(fake)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	conn, err := (&openemis.Config{
		URL: srv.URL, Username: openemisfake.Username, Password: openemisfake.Password,
		APIKey: openemisfake.APIKey, Institutions: []int{1}, Mode: mode, MaxDeleteShare: share,
	}).Open("emis", slog.New(slog.DiscardHandler), connectortest.Client(t))
	require.NoError(t, err)
	st := sqlitetest.Open(t)
	runs := newMemRuns()
	r := &rostersync.Runner{Runs: runs, Importer: rostersync.SnapshotImporter{Store: st}, Roster: st, Records: st}
	return fake, r, rostersync.Job{ID: "emis", Type: "openemis", Tenant: "camp", Conn: conn}, runs
}

func TestPullThroughPipeline(t *testing.T) {
	t.Parallel()
	fake, r, job, _ := pullFixture(t, "bulk", 0.5)

	run, err := r.Run(t.Context(), job, rostersync.OpPull, false)
	require.NoError(t, err, run.Error)
	assert.Equal(t, connectors.RunSucceeded, run.Status)
	assert.Equal(t, 13, run.Report.Created, "1 org, 1 session, 1 course, 1 class, 3 users, 3 enrollments, 3 demographics")

	d, err := r.Roster.Changes(t.Context(), "camp", 0)
	require.NoError(t, err)
	assert.Len(t, d.Upserts.Users, 3)
	assert.Len(t, d.Upserts.Enrollments, 3)

	// Nothing changed at the source: nothing changes in the roster.
	run, err = r.Run(t.Context(), job, rostersync.OpPull, false)
	require.NoError(t, err)
	assert.Zero(t, run.Report.Created+run.Report.Updated+run.Report.Removed)
	assert.Equal(t, 13, run.Report.Unchanged)

	// A student leaves the class: the bulk pull removes the enrollment.
	fake.Set("institution-class-students", 2, "student_status_id", 3)
	run, err = r.Run(t.Context(), job, rostersync.OpPull, false)
	require.NoError(t, err)
	assert.Equal(t, 1, run.Report.Removed)
}

func TestPullDeletionGuard(t *testing.T) {
	t.Parallel()
	fake, r, job, _ := pullFixture(t, "bulk", 0)
	_, err := r.Run(t.Context(), job, rostersync.OpPull, false)
	require.NoError(t, err)
	// A truncated export: every class member gone at once.
	fake.Set("institution-class-students", 1, "student_status_id", 3)
	fake.Set("institution-class-students", 2, "student_status_id", 3)
	run, err := r.Run(t.Context(), job, rostersync.OpPull, false)
	require.Error(t, err)
	assert.Equal(t, connectors.RunFailed, run.Status)
	assert.Contains(t, run.Error, "deletion guard")
	d, err := r.Roster.Changes(t.Context(), "camp", 0)
	require.NoError(t, err)
	assert.Len(t, d.Upserts.Enrollments, 3, "nothing applied")
}

func TestPullDeltaModeNeverRemoves(t *testing.T) {
	t.Parallel()
	fake, r, job, _ := pullFixture(t, "delta", 0)
	_, err := r.Run(t.Context(), job, rostersync.OpPull, false)
	require.NoError(t, err)
	fake.Set("institution-class-students", 2, "student_status_id", 3)
	run, err := r.Run(t.Context(), job, rostersync.OpPull, false)
	require.NoError(t, err)
	assert.Zero(t, run.Report.Removed)
}

func TestPullRejectsInvalidRowsKeepsRest(t *testing.T) {
	t.Parallel()
	fake, r, job, _ := pullFixture(t, "bulk", 0)
	fake.Set("security-users", 101, "last_name", "") // familyName is required
	run, err := r.Run(t.Context(), job, rostersync.OpPull, false)
	require.Error(t, err)
	assert.Equal(t, connectors.RunPartial, run.Status)
	var user *connectors.Item
	for i, it := range run.Report.Items {
		if it.Kind == oneroster.KindUser {
			user = &run.Report.Items[i]
		}
	}
	require.NotNil(t, user, "%v", run.Report.Items)
	assert.Equal(t, "openemis-1520000101", user.SourcedID)
	assert.Contains(t, user.Reason, "users.csv:")
	assert.Positive(t, run.Report.Created)
}

func TestPullDryRun(t *testing.T) {
	t.Parallel()
	_, r, job, runs := pullFixture(t, "bulk", 0)
	run, err := r.Run(t.Context(), job, rostersync.OpPull, true)
	require.NoError(t, err)
	assert.True(t, run.DryRun)
	d, err := r.Roster.Changes(t.Context(), "camp", 0)
	require.NoError(t, err)
	assert.Empty(t, d.Upserts.Users)
	all, _ := runs.Runs(t.Context(), "camp", "", 0)
	assert.Empty(t, all)
}

type recordingPusher struct{ got []oneroster.Delta }

func (p *recordingPusher) ID() string { return "rec" }

func (p *recordingPusher) Push(_ context.Context, d oneroster.Delta, _ connectors.PushOptions) (connectors.Report, error) {
	p.got = append(p.got, d)
	return connectors.Report{}, nil
}

// A push of a removed enrollment gets its last state, and its class,
// course and school as context, from the roster store.
func TestPushContextFromRosterStore(t *testing.T) {
	t.Parallel()
	fake, r, pullJob, runs := pullFixture(t, "bulk", 1)
	_, err := r.Run(t.Context(), pullJob, rostersync.OpPull, false)
	require.NoError(t, err)
	cur, err := r.Roster.Changes(t.Context(), "camp", 0)
	require.NoError(t, err)
	rec := &recordingPusher{}
	job := rostersync.Job{ID: "rec", Tenant: "camp", Conn: rec}
	require.NoError(t, runs.SetConnectorCursor(t.Context(), "camp", "rec", "roster", strconv.FormatInt(cur.Cursor, 10)))

	fake.Set("institution-class-students", 2, "student_status_id", 3)
	_, err = r.Run(t.Context(), pullJob, rostersync.OpPull, false)
	require.NoError(t, err)
	run, err := r.Run(t.Context(), job, rostersync.OpPush, false)
	require.NoError(t, err, run.Error)
	require.Len(t, rec.got, 1)
	d := rec.got[0]
	assert.Empty(t, d.Deletes, "the removed enrollment comes with its record")
	require.Len(t, d.Upserts.Enrollments, 1)
	e := d.Upserts.Enrollments[0]
	assert.Equal(t, oneroster.StatusToBeDeleted, e.Status)
	assert.Equal(t, "openemis-class-50", e.Class)
	assert.Equal(t, "openemis-1520000101", e.User)
	require.Len(t, d.Upserts.Classes, 1)
	require.Len(t, d.Upserts.Courses, 1)
	require.Len(t, d.Upserts.Orgs, 1)
	assert.Equal(t, "Kakuma Primary 1", d.Upserts.Orgs[0].Name)
	stored, _ := runs.ConnectorCursor(t.Context(), "camp", "rec", "roster")
	assert.NotEqual(t, strconv.FormatInt(cur.Cursor, 10), stored, "cursor advanced")
}
