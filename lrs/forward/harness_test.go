package forward_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward/forwardhttp"
	"github.com/passportbridge/passport/lrs/lrshttp"
	"github.com/passportbridge/passport/store/backend"
	"github.com/passportbridge/passport/store/mongo/mongotest"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

// backends opens a fresh store of each kind.
var backends = []struct {
	name string
	open func(t *testing.T) backend.Store
}{
	{"sqlite", func(t *testing.T) backend.Store { return sqlitetest.Open(t) }},
	{"mongo", func(t *testing.T) backend.Store { return mongotest.Open(t) }},
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// instance is one passport-shaped server: internal/server with the xAPI
// and erasure handlers over a store, on a loopback listener.
type instance struct {
	URL    string // base, without a trailing slash
	Store  backend.Store
	Auth   *auth.Authenticator
	Key    string
	Secret string
}

func newInstance(t *testing.T, s backend.Store) *instance {
	t.Helper()
	ctx := t.Context()
	a := auth.NewAuthenticator(s, time.Now)
	require.NoError(t, a.EnsureTenant(ctx, auth.DefaultTenant))
	nc, err := a.CreateCredential(ctx, auth.DefaultTenant, "test", []string{"all", auth.ScopeAdmin})
	require.NoError(t, err)
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, nil)
	require.NoError(t, err)
	logger := testLogger(t)
	srv := server.New(server.Options{Config: cfg, Logger: logger, Ready: s.Ping, Mounts: []server.Mounter{
		&lrshttp.Handler{Store: s, Auth: a, Logger: logger, Clock: time.Now, PublicURL: "http://lrs.test", BodyLimit: cfg.BodyLimit},
		&forwardhttp.Handler{Auth: a, Store: s, Logger: logger, Clock: time.Now},
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(sctx, ln)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return &instance{URL: "http://" + ln.Addr().String(), Store: s, Auth: a, Key: nc.Key, Secret: nc.Secret}
}

// post sends statements to the instance's xAPI endpoint and returns the
// status and body.
func (in *instance) post(t *testing.T, version, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, in.URL+"/xapi/statements", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Experience-API-Version", version)
	req.SetBasicAuth(in.Key, in.Secret)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// postJSON posts statements as JSON and requires success.
func (in *instance) postJSON(t *testing.T, version string, statements ...string) {
	t.Helper()
	body := "[" + joinComma(statements) + "]"
	status, b := in.post(t, version, "application/json", []byte(body))
	require.Equal(t, http.StatusOK, status, string(b))
}

func joinComma(ss []string) string {
	var b bytes.Buffer
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s)
	}
	return b.String()
}

// testClient is a retrying client with short waits, no keep-alive (so
// that the proxy sees one connection per request).
func testClient(t testing.TB) *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.RetryMax = 2
	c.RetryWaitMin = time.Millisecond
	c.RetryWaitMax = 5 * time.Millisecond
	c.HTTPClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	c.Logger = nil
	_ = t
	return c
}

// linkMode is what the flaky proxy does with a new connection.
type linkMode int

const (
	linkUp linkMode = iota
	// linkDown refuses: the connection is closed at once.
	linkDown
	// linkLoseReplies passes requests on but never the replies: the
	// downstream acts, the sender sees a broken connection.
	linkLoseReplies
)

// proxy is a TCP proxy whose link can drop, refuse, or lose replies, and
// can go down by itself after a budget of connections.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	mode   linkMode
	budget int // connections left before going down; <0 for no limit
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &proxy{ln: ln, target: target, budget: -1, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.accept)
	t.Cleanup(func() {
		_ = ln.Close()
		p.set(linkDown, -1)
		p.wg.Wait()
	})
	return p
}

func (p *proxy) Addr() string { return p.ln.Addr().String() }

// set changes the mode (closing live connections when going down) and the
// connection budget.
func (p *proxy) set(m linkMode, budget int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode, p.budget = m, budget
	if m == linkDown {
		for c := range p.conns {
			_ = c.Close()
		}
	}
}

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		mode := p.mode
		if mode != linkDown && p.budget == 0 {
			mode, p.mode = linkDown, linkDown
		}
		if p.budget > 0 {
			p.budget--
		}
		if mode == linkDown {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Go(func() { p.pipe(c, mode) })
	}
}

func (p *proxy) pipe(c net.Conn, mode linkMode) {
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		_ = c.Close()
	}()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	go func() {
		_, _ = io.Copy(up, c)
		if tc, ok := up.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
	}()
	if mode == linkLoseReplies {
		// Wait for the downstream's reply to start, then drop it all.
		buf := make([]byte, 1)
		_, _ = up.Read(buf)
		return
	}
	_, _ = io.Copy(c, up)
}

// logIDs lists a store's statement log ids for the default tenant.
func logIDs(t *testing.T, s backend.Store) []string {
	t.Helper()
	var out []string
	var after *lrs.Cursor
	for {
		page, err := s.StatementLog(t.Context(), auth.DefaultTenant, after, time.Time{}, 100)
		require.NoError(t, err)
		for _, st := range page {
			out = append(out, st.ID.String())
		}
		if len(page) < 100 {
			return out
		}
		last := page[len(page)-1]
		after = &lrs.Cursor{Stored: last.Stored, ID: last.ID}
	}
}
