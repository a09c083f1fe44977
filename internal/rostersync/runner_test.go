package rostersync_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/connectortest"
	"github.com/passportbridge/passport/connectors/moodle"
	"github.com/passportbridge/passport/connectors/moodle/moodlefake"
	"github.com/passportbridge/passport/internal/rostersync"
	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store"
)

// memRuns is an in-memory connectors.RunStore.
type memRuns struct {
	mu      sync.Mutex
	runs    map[string]connectors.Run
	cursors map[string]string
}

func newMemRuns() *memRuns {
	return &memRuns{runs: map[string]connectors.Run{}, cursors: map[string]string{}}
}

func (m *memRuns) SaveRun(_ context.Context, r connectors.Run) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.runs[r.Tenant+"/"+r.ID] = r
	return nil
}

func (m *memRuns) Run(_ context.Context, tenant, id string) (connectors.Run, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[tenant+"/"+id]
	if !ok {
		return r, store.ErrNotFound
	}
	return r, nil
}

func (m *memRuns) Runs(_ context.Context, tenant, connector string, limit int) ([]connectors.Run, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []connectors.Run
	for _, r := range m.runs {
		if r.Tenant == tenant && (connector == "" || r.Connector == connector) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Started.After(out[j].Started) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (m *memRuns) ConnectorCursor(_ context.Context, tenant, connector, name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cursors[tenant+"/"+connector+"/"+name], nil
}

func (m *memRuns) SetConnectorCursor(_ context.Context, tenant, connector, name, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cursors[tenant+"/"+connector+"/"+name] = value
	return nil
}

// history is a RosterSource: a list of deltas at cursors 1, 2, ...
type history struct {
	mu     sync.Mutex
	deltas []oneroster.Delta
	asked  []int64
}

func (h *history) add(d oneroster.Delta) {
	h.mu.Lock()
	defer h.mu.Unlock()
	d.Cursor = int64(len(h.deltas) + 1)
	h.deltas = append(h.deltas, d)
}

func (h *history) Changes(_ context.Context, tenant string, since int64) (oneroster.Delta, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.asked = append(h.asked, since)
	out := oneroster.Delta{Cursor: since}
	if tenant != "camp" {
		return out, nil
	}
	for _, d := range h.deltas {
		if d.Cursor <= since {
			continue
		}
		u := &out.Upserts
		u.Orgs = append(u.Orgs, d.Upserts.Orgs...)
		u.Classes = append(u.Classes, d.Upserts.Classes...)
		u.Users = append(u.Users, d.Upserts.Users...)
		u.Enrollments = append(u.Enrollments, d.Upserts.Enrollments...)
		out.Deletes = append(out.Deletes, d.Deletes...)
		out.Cursor = d.Cursor
	}
	return out, nil
}

type lrs struct {
	mu  sync.Mutex
	got map[string][]connectors.Statement
}

func (l *lrs) SaveStatements(_ context.Context, tenant string, st []connectors.Statement) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.got == nil {
		l.got = map[string][]connectors.Statement{}
	}
	l.got[tenant] = append(l.got[tenant], st...)
	return nil
}

type fixture struct {
	fake   *moodlefake.Server
	runs   *memRuns
	hist   *history
	lrs    *lrs
	runner *rostersync.Runner
	job    rostersync.Job
	reg    *prometheus.Registry
}

func newFixture(t *testing.T, token string) *fixture {
	t.Helper()
	f := &fixture{fake: moodlefake.New(), runs: newMemRuns(), hist: &history{}, lrs: &lrs{}, reg: prometheus.NewRegistry()}
	srv := httptest.NewServer(f.fake)
	t.Cleanup(srv.Close)
	conn, err := (&moodle.Config{URL: srv.URL, Token: token}).Open("moodle-1", nil, connectortest.Client(t))
	require.NoError(t, err)
	n := 0
	f.runner = &rostersync.Runner{
		Runs: f.runs, Roster: f.hist, LRS: f.lrs, Metrics: rostersync.NewMetrics(f.reg),
		NewID: func() string { n++; return "run-" + strconv.Itoa(n) },
	}
	f.job = rostersync.Job{ID: "moodle-1", Type: "moodle", Tenant: "camp", Conn: conn}
	return f
}

func TestPushAdvancesCursor(t *testing.T) {
	t.Parallel()
	f := newFixture(t, moodlefake.Token)
	f.hist.add(oneroster.Delta{Upserts: connectortest.Roster()})

	run, err := f.runner.Run(t.Context(), f.job, rostersync.OpPush, false)
	require.NoError(t, err)
	assert.Equal(t, connectors.RunSucceeded, run.Status)
	assert.Equal(t, "0", run.From)
	assert.Equal(t, "1", run.To)
	assert.Positive(t, run.Report.Created)
	cur, _ := f.runs.ConnectorCursor(t.Context(), "camp", "moodle-1", "roster")
	assert.Equal(t, "1", cur)

	// Nothing changed: no push at all, no writes.
	writes := f.fake.Writes()
	run, err = f.runner.Run(t.Context(), f.job, rostersync.OpPush, false)
	require.NoError(t, err)
	assert.Equal(t, connectors.RunSucceeded, run.Status)
	assert.Zero(t, run.Report.Total())
	assert.Equal(t, writes, f.fake.Writes())

	// A change: only the delta since cursor 1 is asked for and pushed.
	f.hist.add(connectortest.Change())
	run, err = f.runner.Run(t.Context(), f.job, rostersync.OpPush, false)
	require.NoError(t, err)
	assert.Equal(t, "2", run.To)
	assert.Equal(t, int64(1), f.hist.asked[len(f.hist.asked)-1])
	assert.Positive(t, run.Report.Removed)

	stored, err := f.runs.Run(t.Context(), "camp", run.ID)
	require.NoError(t, err)
	assert.Equal(t, run, stored)
	assert.InDelta(t, 3, counter(t, f.reg, "passport_connector_runs_total", "succeeded"), 0)
}

func TestPartialRunKeepsCursor(t *testing.T) {
	t.Parallel()
	f := newFixture(t, moodlefake.Token)
	f.fake.Refuse("stu-3", "bad row")
	f.hist.add(oneroster.Delta{Upserts: connectortest.Roster()})
	run, err := f.runner.Run(t.Context(), f.job, rostersync.OpPush, false)
	require.Error(t, err)
	assert.Equal(t, connectors.RunPartial, run.Status)
	cur, _ := f.runs.ConnectorCursor(t.Context(), "camp", "moodle-1", "roster")
	assert.Empty(t, cur, "cursor kept so the refused record is retried")
}

func TestCheckFailureFailsRunBeforeWrites(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "wrong-token")
	f.hist.add(oneroster.Delta{Upserts: connectortest.Roster()})
	run, err := f.runner.Run(t.Context(), f.job, rostersync.OpPush, false)
	require.Error(t, err)
	assert.Equal(t, connectors.RunFailed, run.Status)
	assert.Contains(t, run.Error, "invalidtoken")
	assert.Zero(t, f.fake.Writes())
	stored, err := f.runs.Run(t.Context(), "camp", run.ID)
	require.NoError(t, err)
	assert.Equal(t, connectors.RunFailed, stored.Status)
}

func TestTargetDownIsFailedRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, moodlefake.Token)
	f.hist.add(oneroster.Delta{Upserts: connectortest.Roster()})
	f.fake.FailAfter(3, http.StatusServiceUnavailable)
	run, err := f.runner.Run(t.Context(), f.job, rostersync.OpPush, false)
	require.Error(t, err)
	assert.Equal(t, connectors.RunFailed, run.Status)
	assert.Contains(t, run.Error, "503")
	cur, _ := f.runs.ConnectorCursor(t.Context(), "camp", "moodle-1", "roster")
	assert.Empty(t, cur)

	// Back up: the next run finishes the job without duplicates.
	f.fake.FailAfter(-1, 0)
	run, err = f.runner.Run(t.Context(), f.job, rostersync.OpPush, false)
	require.NoError(t, err)
	assert.Equal(t, connectors.RunSucceeded, run.Status)
	assert.Len(t, f.fake.Users(), len(connectortest.Roster().Users))
}

func TestDryRunRecordsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, moodlefake.Token)
	f.hist.add(oneroster.Delta{Upserts: connectortest.Roster()})
	runs, err := f.runner.RunAll(t.Context(), f.job, true)
	require.NoError(t, err)
	require.Len(t, runs, 1, "progress is not pulled on a dry run")
	assert.Positive(t, runs[0].Report.Created)
	assert.Zero(t, f.fake.Writes())
	cur, _ := f.runs.ConnectorCursor(t.Context(), "camp", "moodle-1", "roster")
	assert.Empty(t, cur)
	all, _ := f.runs.Runs(t.Context(), "camp", "", 0)
	assert.Empty(t, all)
}

func TestProgressToLRS(t *testing.T) {
	t.Parallel()
	f := newFixture(t, moodlefake.Token)
	f.hist.add(oneroster.Delta{Upserts: connectortest.Roster()})
	_, err := f.runner.Run(t.Context(), f.job, rostersync.OpPush, false)
	require.NoError(t, err)
	require.NoError(t, f.fake.AddCompletion("class-math-a", "stu-1", moodlefake.Completion{CMID: 5, Modname: "page", State: 1, TimeCompleted: 1_790_000_000}))

	run, err := f.runner.Run(t.Context(), f.job, rostersync.OpProgress, false)
	require.NoError(t, err)
	assert.Equal(t, 1, run.Report.Created)
	assert.Equal(t, "1790000000", run.To)
	require.Len(t, f.lrs.got["camp"], 1)
	assert.Equal(t, connectors.VerbCompleted.ID, f.lrs.got["camp"][0].Verb.ID)
	cur, _ := f.runs.ConnectorCursor(t.Context(), "camp", "moodle-1", "progress")
	assert.Equal(t, "1790000000", cur)
}

func TestMissingCollaboratorFailsClosed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, moodlefake.Token)
	f.runner.Roster = nil
	run, err := f.runner.Run(t.Context(), f.job, rostersync.OpPush, false)
	require.Error(t, err)
	assert.Equal(t, connectors.RunFailed, run.Status)
	assert.Contains(t, run.Error, "no roster source")
}

func TestScheduleRunsPeriodically(t *testing.T) {
	t.Parallel()
	f := newFixture(t, moodlefake.Token)
	f.hist.add(oneroster.Delta{Upserts: connectortest.Roster()})
	f.job.Every = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.runner.Schedule(ctx, []rostersync.Job{f.job}) }()
	require.Eventually(t, func() bool {
		runs, _ := f.runs.Runs(t.Context(), "camp", "moodle-1", 0)
		n := 0
		for _, r := range runs {
			if r.Operation == rostersync.OpPush && r.Status == connectors.RunSucceeded {
				n++
			}
		}
		return n >= 2
	}, 10*time.Second, 10*time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	assert.Len(t, f.fake.Users(), len(connectortest.Roster().Users), "repeated runs never duplicate")
}

// counter sums a counter's series whose labels include value.
func counter(t *testing.T, reg *prometheus.Registry, name, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetValue() == value {
					sum += m.GetCounter().GetValue()
				}
			}
		}
	}
	return sum
}

func TestMetricsRegisterOnce(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	a := rostersync.NewMetrics(reg)
	b := rostersync.NewMetrics(reg) // a second runner in the same process
	require.NotNil(t, a)
	require.NotNil(t, b)
	f := newFixture(t, moodlefake.Token)
	f.runner.Metrics = b
	f.hist.add(oneroster.Delta{Upserts: connectortest.Roster()})
	_, err := f.runner.Run(t.Context(), f.job, rostersync.OpPush, false)
	require.NoError(t, err)
	assert.InDelta(t, 1, counter(t, reg, "passport_connector_runs_total", "succeeded"), 0)
	assert.Positive(t, counter(t, reg, "passport_connector_records_total", "created"))
}
