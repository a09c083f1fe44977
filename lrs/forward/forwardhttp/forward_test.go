package forwardhttp_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
	"github.com/passportbridge/passport/lrs/lrshttp"
	"github.com/passportbridge/passport/store/sqlite"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// instance is one passport LRS listening on loopback.
type instance struct {
	url   string
	store *sqlite.Store
	cred  auth.NewCredential
}

func startInstance(t *testing.T) instance {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	s := sqlitetest.Open(t)
	a := auth.NewAuthenticator(s, time.Now)
	cred, err := a.CreateCredential(t.Context(), "central", "camp-forwarder", []string{"statements/write", "statements/read"})
	require.NoError(t, err)
	cfg := config.Config{BodyLimit: 8 << 20, PublicURL: "http://central.test", ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: time.Minute, ShutdownTimeout: time.Second}
	srv := server.New(server.Options{Config: cfg, Logger: logger, Mounts: []server.Mounter{&lrshttp.Handler{
		Store: s, Auth: a, Logger: logger, Clock: time.Now, PublicURL: cfg.PublicURL, BodyLimit: cfg.BodyLimit,
	}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return instance{url: "http://" + ln.Addr().String(), store: s, cred: cred}
}

// flakyLink proxies to target but drops the connection of every request
// while down is set, like a camp's satellite link.
func flakyLink(t *testing.T, target string, down *atomic.Bool, drops *atomic.Int64) string {
	u, err := url.Parse(target)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			drops.Add(1)
			hj, ok := w.(http.Hijacker)
			if !ok {
				http.Error(w, "link down", http.StatusBadGateway)
				return
			}
			conn, _, err := hj.Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

var testAuthority = map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": "https://camp.example.org/xapi/credentials", "name": "key-1"}}

func prepare(t *testing.T, body []byte, v lrs.Version) []*lrs.Statement {
	t.Helper()
	ms, err := lrs.ParseStatements(body, v, true)
	require.NoError(t, err)
	var out []*lrs.Statement
	for _, m := range ms {
		st, err := lrs.Prepare(m, lrs.Prepared{Authority: testAuthority, Version: v})
		require.NoError(t, err)
		out = append(out, st)
	}
	return out
}

func saveCamp(t *testing.T, s *sqlite.Store, n int, at time.Time) []uuid.UUID {
	var ss []*lrs.Statement
	var ids []uuid.UUID
	for i := range n {
		body := fmt.Sprintf(`{"actor":{"mbox":"mailto:learner%d@camp.example.org"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://content.example.org/lesson/%d"}}`, i, i%5)
		st := prepare(t, []byte(body), lrs.V1)[0]
		ss = append(ss, st)
		ids = append(ids, st.ID)
	}
	require.NoError(t, s.SaveStatements(t.Context(), "camp", at, ss, nil))
	return ids
}

func retrying() *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.RetryMax = 2
	c.RetryWaitMin, c.RetryWaitMax = time.Millisecond, 5*time.Millisecond
	return c
}

func TestForwardingAcrossADroppingLink(t *testing.T) {
	t.Parallel()
	central := startInstance(t)
	var down atomic.Bool
	var drops atomic.Int64
	link := flakyLink(t, central.url, &down, &drops)
	camp := sqlitetest.Open(t)
	clock := time.Now().Add(time.Hour) // the lag never hides what was stored
	fw := func() *forward.Forwarder {
		return &forward.Forwarder{
			Store: camp, HTTP: retrying(), Logger: slog.New(slog.DiscardHandler),
			Clock: func() time.Time { return clock }, Batch: 7,
			Rule: forward.Rule{ID: "central", Tenant: "camp", URL: link + "/xapi", Key: central.cred.Key, Secret: central.cred.Secret},
		}
	}
	ids := saveCamp(t, camp, 20, time.Now())

	// A week offline: nothing gets through and the cursor does not move.
	down.Store(true)
	_, err := fw().RunOnce(t.Context())
	require.Error(t, err)
	assert.Positive(t, drops.Load())
	c, err := camp.ForwardCursor(t.Context(), "camp", "central")
	require.NoError(t, err)
	assert.Nil(t, c)

	// More learning happens offline; then the link comes back.
	ids = append(ids, saveCamp(t, camp, 13, time.Now())...)
	down.Store(false)
	n, err := fw().RunOnce(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 33, n)

	// A restarted forwarder, and a replay of everything, change nothing.
	n, err = fw().RunOnce(t.Context())
	require.NoError(t, err)
	assert.Zero(t, n)
	require.NoError(t, camp.SetForwardCursor(t.Context(), "camp", "central", lrs.Cursor{Stored: time.Unix(0, 1)}))
	n, err = fw().RunOnce(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 33, n, "resent, and the central LRS treats them as no-ops")

	page, err := central.store.QueryStatements(t.Context(), "central", lrs.Query{Limit: 100})
	require.NoError(t, err)
	require.Len(t, page.Statements, 33, "no duplicates, no loss")
	var got []uuid.UUID
	for _, st := range page.Statements {
		got = append(got, st.ID)
	}
	assert.ElementsMatch(t, ids, got)
}

func TestForwardingDeadLettersAndReplay(t *testing.T) {
	t.Parallel()
	central := startInstance(t)
	camp := sqlitetest.Open(t)
	now := time.Now().Add(time.Hour)
	ids := saveCamp(t, camp, 3, time.Now())
	// The central LRS already holds the second id with other content: a 409.
	other := prepare(t, []byte(fmt.Sprintf(`{"id":%q,"actor":{"mbox":"mailto:someone@else.org"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`, ids[1])), lrs.V1)
	require.NoError(t, central.store.SaveStatements(t.Context(), "central", time.Now(), other, nil))

	f := &forward.Forwarder{
		Store: camp, HTTP: retrying(), Logger: slog.New(slog.DiscardHandler),
		Clock: func() time.Time { return now },
		Rule:  forward.Rule{ID: "central", Tenant: "camp", URL: central.url + "/xapi", Key: central.cred.Key, Secret: central.cred.Secret},
	}
	n, err := f.RunOnce(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	dl, err := camp.DeadLetters(t.Context(), "camp", "central")
	require.NoError(t, err)
	require.Len(t, dl, 1)
	assert.Equal(t, ids[1], dl[0].ID)
	assert.Equal(t, http.StatusConflict, dl[0].Status)
	for _, id := range []uuid.UUID{ids[0], ids[2]} {
		_, err := central.store.Statement(t.Context(), "central", id, false)
		require.NoError(t, err, "the others went through")
	}

	// Replay keeps it while the conflict stands.
	ok, err := f.Replay(t.Context())
	require.NoError(t, err)
	assert.Zero(t, ok)
	dl, err = camp.DeadLetters(t.Context(), "camp", "central")
	require.NoError(t, err)
	assert.Len(t, dl, 1)
}

func TestForwardRuleFilters(t *testing.T) {
	t.Parallel()
	central := startInstance(t)
	camp := sqlitetest.Open(t)
	saveCamp(t, camp, 10, time.Now())
	f := &forward.Forwarder{
		Store: camp, HTTP: retrying(), Logger: slog.New(slog.DiscardHandler),
		Clock: func() time.Time { return time.Now().Add(time.Hour) },
		Rule: forward.Rule{
			ID: "lesson-3", Tenant: "camp", URL: central.url + "/xapi", Key: central.cred.Key, Secret: central.cred.Secret,
			Activities: []string{"https://content.example.org/lesson/3"},
		},
	}
	n, err := f.RunOnce(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	page, err := central.store.QueryStatements(t.Context(), "central", lrs.Query{Limit: 100})
	require.NoError(t, err)
	assert.Len(t, page.Statements, 2)
}
