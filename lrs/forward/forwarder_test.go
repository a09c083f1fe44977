package forward_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
	"github.com/passportbridge/passport/store/backend"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// downstream is a fake LRS that records what it accepts and refuses
// chosen statements.
type downstream struct {
	mu       sync.Mutex
	got      []string          // accepted statement ids, in order
	versions []string          // X-Experience-API-Version of each accepted request
	refuse   map[string]int    // statement id → status to answer for any batch holding it
	status   int               // when not 0, the answer to every request
	auths    []string          // Basic user of every request
	posts    int               // requests seen
	ctypes   map[string]string // statement id → Content-Type it came with
}

func newDownstream(t *testing.T) (*downstream, *httptest.Server) {
	d := &downstream{refuse: map[string]int{}, ctypes: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(srv.Close)
	return d, srv
}

func (d *downstream) serve(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.posts++
	user, _, _ := r.BasicAuth()
	d.auths = append(d.auths, user)
	if r.Method != http.MethodPost || r.URL.Path != "/xapi/statements" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if d.status != 0 {
		w.WriteHeader(d.status)
		return
	}
	ct := r.Header.Get("Content-Type")
	body, _ := io.ReadAll(r.Body)
	if ct != "application/json" {
		js, _, err := lrs.ReadMultipart(body, ct)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = js
	}
	var sts []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &sts); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, st := range sts {
		if code, ok := d.refuse[st.ID]; ok {
			http.Error(w, fmt.Sprintf(`{"error":"statement %s refused"}`, st.ID), code)
			return
		}
	}
	for _, st := range sts {
		if !slices.Contains(d.got, st.ID) {
			d.got = append(d.got, st.ID)
		}
		d.ctypes[st.ID] = ct
	}
	d.versions = append(d.versions, r.Header.Get("X-Experience-API-Version"))
	w.WriteHeader(http.StatusOK)
}

func (d *downstream) accepted() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.got)
}

// seed stores n statements made by prep in tenant, one save each, and
// returns their ids.
func seed(t *testing.T, s lrs.StatementStore, tenant string, n int, prep func(i int) string) []string {
	t.Helper()
	var ids []string
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for i := range n {
		js := prep(i)
		ms, err := lrs.ParseStatements([]byte(js), lrs.V2, false)
		require.NoError(t, err)
		version := lrs.V1
		if v, _ := ms[0]["version"].(string); v == "2.0.0" {
			version = lrs.V2
		}
		st, err := lrs.Prepare(ms[0], lrs.Prepared{Authority: map[string]any{"account": map[string]any{"homePage": "https://camp", "name": "k"}}, Version: version})
		require.NoError(t, err)
		require.NoError(t, s.SaveStatements(t.Context(), tenant, now.Add(time.Duration(i)*time.Second), []*lrs.Statement{st}, nil))
		ids = append(ids, st.ID.String())
	}
	return ids
}

func plain(i int) string {
	return fmt.Sprintf(`{"actor":{"mbox":"mailto:l%d@x.example"},"verb":{"id":"http://example.com/v/%d"},"object":{"id":"http://example.com/a/%d"}}`, i%4, i%2, i%3)
}

func newForwarder(t *testing.T, s backend.Store, url string, r forward.Rule) *forward.Forwarder {
	if r.ID == "" {
		r.ID = "r1"
	}
	r.Tenant, r.URL, r.Key, r.Secret = "t1", url+"/xapi/", "down-key", "down-secret"
	return forward.New(r, s, forward.Options{Client: testClient(t), Logger: testLogger(t)})
}

func TestForwardRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// refuse maps seeded statement indexes to the status to refuse them with.
		refuse map[int]int
		// status, when not 0, answers every request.
		status         int
		wantErr        bool
		wantDead       []int
		wantReason     string
		wantForwarded  int
		wantCursorNone bool
	}{
		{name: "all accepted", wantForwarded: 20},
		{name: "one bad statement is bisected out", refuse: map[int]int{13: 400}, wantForwarded: 19, wantDead: []int{13}, wantReason: "downstream answered 400"},
		{name: "conflicts and too large", refuse: map[int]int{0: 409, 19: 413}, wantForwarded: 18, wantDead: []int{0, 19}, wantReason: "downstream answered 409"},
		{name: "unauthorized stops the rule, blames no statement", status: 401, wantErr: true, wantCursorNone: true},
		{name: "not found stops the rule", status: 404, wantErr: true, wantCursorNone: true},
		{name: "server errors are retried then wait", status: 503, wantErr: true, wantCursorNone: true},
		{name: "too many requests waits", status: 429, wantErr: true, wantCursorNone: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := sqlitetest.Open(t)
			ids := seed(t, s, "t1", 20, plain)
			down, srv := newDownstream(t)
			for i, code := range tc.refuse {
				down.refuse[ids[i]] = code
			}
			down.status = tc.status
			reg := prometheus.NewRegistry()
			metrics, err := forward.NewMetrics(reg)
			require.NoError(t, err)
			f := forward.New(forward.Rule{ID: "r1", Tenant: "t1", URL: srv.URL + "/xapi/", Key: "down-key", Secret: "down-secret", Batch: 8},
				s, forward.Options{Client: testClient(t), Logger: testLogger(t), Metrics: metrics})
			res, err := f.RunOnce(t.Context())
			assert.InDelta(t, float64(res.Forwarded), metricValue(t, metrics.Forwarded.WithLabelValues("r1")), 0)
			assert.InDelta(t, float64(len(tc.wantDead)), metricValue(t, metrics.DeadLettered.WithLabelValues("r1")), 0)
			failed := 0.0
			if tc.wantErr {
				failed = 1
				assert.Positive(t, metricValue(t, metrics.Lag.WithLabelValues("r1")), "lag while stuck")
			} else {
				assert.Zero(t, metricValue(t, metrics.Lag.WithLabelValues("r1")), "no lag once caught up")
			}
			assert.InDelta(t, failed, metricValue(t, metrics.Failed.WithLabelValues("r1")), 0)
			again, err2 := forward.NewMetrics(reg)
			require.NoError(t, err2, "registering twice reuses the collectors")
			assert.Same(t, metrics.Forwarded, again.Forwarded)
			if tc.wantErr {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
				assert.True(t, res.CaughtUp)
			}
			assert.Equal(t, tc.wantForwarded, res.Forwarded)
			var want []string
			for i, id := range ids {
				if _, bad := tc.refuse[i]; !bad && !tc.wantErr {
					want = append(want, id)
				}
			}
			assert.Equal(t, want, down.accepted(), "accepted in order")
			dead, err := s.DeadLetters(t.Context(), "t1", "r1", false, 100)
			require.NoError(t, err)
			var deadIDs []string
			for _, d := range dead {
				deadIDs = append(deadIDs, d.StatementID.String())
				assert.Contains(t, d.Reason, "refused", "the downstream's message is kept")
			}
			var wantDead []string
			for _, i := range tc.wantDead {
				wantDead = append(wantDead, ids[i])
			}
			assert.Equal(t, wantDead, deadIDs)
			if tc.wantReason != "" {
				assert.Contains(t, dead[0].Reason, tc.wantReason)
			}
			cur, err := s.ForwardCursor(t.Context(), "t1", "r1")
			require.NoError(t, err)
			if tc.wantCursorNone {
				assert.Nil(t, cur)
			} else {
				require.NotNil(t, cur)
				assert.Equal(t, ids[len(ids)-1], cur.ID.String(), "the cursor passed dead letters too")
			}
			for _, u := range down.auths {
				assert.Equal(t, "down-key", u)
			}
		})
	}
}

func TestReplayDeadLetters(t *testing.T) {
	t.Parallel()
	s := sqlitetest.Open(t)
	ids := seed(t, s, "t1", 6, plain)
	down, srv := newDownstream(t)
	down.refuse[ids[2]] = 400
	f := newForwarder(t, s, srv.URL, forward.Rule{})
	res, err := f.RunOnce(t.Context())
	require.NoError(t, err)
	require.Equal(t, 1, res.DeadLettered)

	// Requeued but still refused: it stays a dead letter, out of the queue.
	n, err := s.RequeueDeadLetters(t.Context(), "t1", "r1")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	res, err = f.RunOnce(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 1, res.DeadLettered)
	dead, err := s.DeadLetters(t.Context(), "t1", "r1", false, 10)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.False(t, dead[0].Retry)

	// Fixed downstream: the replay delivers it and the dead letter goes.
	delete(down.refuse, ids[2])
	_, err = s.RequeueDeadLetters(t.Context(), "t1", "r1")
	require.NoError(t, err)
	res, err = f.RunOnce(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 1, res.Forwarded)
	dead, err = s.DeadLetters(t.Context(), "t1", "r1", false, 10)
	require.NoError(t, err)
	assert.Empty(t, dead)
	assert.ElementsMatch(t, ids, down.accepted())
}

func TestForwardFilterAndVersions(t *testing.T) {
	t.Parallel()
	s := sqlitetest.Open(t)
	// 0: l0 verb completed (1.0.3), 1: l1 completed (2.0.0), 2: l0 attempted,
	// 3: voids 0, 4: voids 2, 5: l2 completed.
	var ids []string
	prep := func(i int) string {
		switch i {
		case 0:
			return `{"actor":{"mbox":"mailto:l0@x.example"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"http://example.com/a"}}`
		case 1:
			return `{"actor":{"mbox":"mailto:l1@x.example"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"http://example.com/a"},"version":"2.0.0"}`
		case 2:
			return `{"actor":{"mbox":"mailto:l0@x.example"},"verb":{"id":"http://adlnet.gov/expapi/verbs/attempted"},"object":{"id":"http://example.com/a"}}`
		case 3, 4:
			return fmt.Sprintf(`{"actor":{"mbox":"mailto:t@x.example"},"verb":{"id":%q},"object":{"objectType":"StatementRef","id":%q}}`,
				lrs.VerbVoided, ids[(i-3)*2])
		default:
			return `{"actor":{"objectType":"Group","member":[{"mbox":"mailto:l0@x.example"}]},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"http://example.com/b"}}`
		}
	}
	for i := range 6 {
		ids = append(ids, seed(t, s, "t1", 1, func(int) string { return prep(i) })...)
	}
	tests := []struct {
		name   string
		filter forward.Filter
		want   []int
	}{
		{"everything", forward.Filter{}, []int{0, 1, 2, 3, 4, 5}},
		{"verb: voiding statements follow their target", forward.Filter{Verbs: []string{"http://adlnet.gov/expapi/verbs/completed"}}, []int{0, 1, 3, 5}},
		{"actor, group members included", forward.Filter{Actors: []string{"mbox:mailto:l0@x.example"}}, []int{0, 2, 3, 4, 5}},
		{"activity and verb", forward.Filter{Activities: []string{"http://example.com/a"}, Verbs: []string{"http://adlnet.gov/expapi/verbs/attempted"}}, []int{2, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			down, srv := newDownstream(t)
			f := newForwarder(t, s, srv.URL, forward.Rule{Filter: tc.filter, ID: tc.name})
			res, err := f.RunOnce(t.Context())
			require.NoError(t, err)
			var want []string
			for _, i := range tc.want {
				want = append(want, ids[i])
			}
			assert.Equal(t, want, down.accepted())
			assert.Equal(t, 6-len(tc.want), res.Skipped)
		})
	}
	t.Run("auto version splits batches by statement version", func(t *testing.T) {
		t.Parallel()
		down, srv := newDownstream(t)
		f := forward.New(forward.Rule{ID: "v", Tenant: "t1", URL: srv.URL + "/xapi", Key: "k", Secret: "s"}, s,
			forward.Options{Client: testClient(t), Logger: testLogger(t)})
		_, err := f.RunOnce(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []string{"1.0.3", "2.0.0", "1.0.3"}, down.versions)
	})
	t.Run("fixed version", func(t *testing.T) {
		t.Parallel()
		down, srv := newDownstream(t)
		f := forward.New(forward.Rule{ID: "f", Tenant: "t1", URL: srv.URL + "/xapi/", Key: "k", Secret: "s", Version: forward.Version200}, s,
			forward.Options{Client: testClient(t), Logger: testLogger(t)})
		_, err := f.RunOnce(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []string{"2.0.0"}, down.versions)
	})
}

func TestRunWakesAndStops(t *testing.T) {
	t.Parallel()
	s := sqlitetest.Open(t)
	down, srv := newDownstream(t)
	f := newForwarder(t, s, srv.URL, forward.Rule{Poll: time.Hour})
	hub := &forward.Hub{}
	hub.Add(f)
	done := make(chan error, 1)
	runCtx, stop := context.WithCancel(t.Context())
	go func() { done <- f.Run(runCtx) }()
	ns := forward.NotifyingStore{Store: s, Hub: hub}
	ids := seed(t, ns, "t1", 3, plain)
	require.Eventually(t, func() bool { return len(down.accepted()) == 3 }, 30*time.Second, 5*time.Millisecond,
		"a save wakes the forwarder long before its hourly poll")
	assert.Equal(t, ids, down.accepted())
	stop()
	require.ErrorIs(t, <-done, context.Canceled)
}

// metricValue reads a counter's or gauge's current value through a
// registry of its own.
func metricValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(metricCollector{m}))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	require.Len(t, mfs, 1)
	pb := mfs[0].GetMetric()[0]
	if c := pb.GetCounter(); c != nil {
		return c.GetValue()
	}
	return pb.GetGauge().GetValue()
}

// metricCollector collects one metric.
type metricCollector struct{ m prometheus.Metric }

func (c metricCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.m.Desc() }
func (c metricCollector) Collect(ch chan<- prometheus.Metric) { ch <- c.m }

// rewindingDownstream rewinds the rule's cursor (as passport lrs forward
// replay does from another process) while it answers the first request.
type rewindingDownstream struct {
	*downstream
	store   forward.CursorStore
	rewound bool
}

func (d *rewindingDownstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !d.rewound {
		d.rewound = true
		if err := d.store.SetForwardCursor(r.Context(), "t1", "r1", nil); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	d.serve(w, r)
}

func TestReplayDuringAPass(t *testing.T) {
	t.Parallel()
	s := sqlitetest.Open(t)
	ids := seed(t, s, "t1", 10, plain)
	down, _ := newDownstream(t)
	// The rule has forwarded 4 statements; a pass begins, and while it
	// sends, the rule is rewound to the start: the pass must not
	// overwrite the rewind.
	first, err := s.StatementLog(t.Context(), "t1", nil, time.Time{}, 4)
	require.NoError(t, err)
	moved, err := s.AdvanceForwardCursor(t.Context(), "t1", "r1", nil, lrs.Cursor{Stored: first[3].Stored, ID: first[3].ID})
	require.NoError(t, err)
	require.True(t, moved)
	rd := &rewindingDownstream{downstream: down, store: s}
	srv := httptest.NewServer(rd)
	t.Cleanup(srv.Close)
	f := newForwarder(t, s, srv.URL, forward.Rule{Batch: 4})
	res, err := f.RunOnce(t.Context())
	require.NoError(t, err, "a moved cursor is no failure")
	assert.False(t, res.CaughtUp, "the pass stopped to start again")
	c, err := s.ForwardCursor(t.Context(), "t1", "r1")
	require.NoError(t, err)
	assert.Nil(t, c, "the replay won over the pass")
	res, err = f.RunOnce(t.Context())
	require.NoError(t, err)
	assert.True(t, res.CaughtUp)
	assert.Equal(t, 10, res.Forwarded, "everything again from the start")
	assert.ElementsMatch(t, ids, down.accepted(), "the downstream has each statement once")

	// replay --since: statements stored after the time go again.
	require.NoError(t, s.SetForwardCursor(t.Context(), "t1", "r1", forward.SinceCursor(first[1].Stored)))
	res, err = f.RunOnce(t.Context())
	require.NoError(t, err)
	assert.True(t, res.CaughtUp)
	assert.Equal(t, 8, res.Forwarded)
}
