package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/internal/logctx"
	"github.com/passportbridge/passport/store"
)

// routes is a Mounter with routes that fail in each way the error handler
// must map.
type routes struct{}

func (routes) Mount(r fiber.Router) {
	fail := func(err error) fiber.Handler { return func(*fiber.Ctx) error { return err } }
	r.Get("/xapi/missing", fail(store.ErrNotFound))
	r.Get("/xapi/internal", fail(errors.New("disk full at /srv/secret/path")))
	r.Get("/xapi/panic", func(*fiber.Ctx) error { panic("boom") })
	r.Get("/ims/oneroster/v1p1/users/x", fail(store.ErrNotFound))
	r.Get("/ims/oneroster/rostering/v1p2/users", fail(httperr.New(400, "unknown filter field").WithCode("invalid_filter_field")))
	r.Get("/lti/launch", fail(httperr.New(403, "this course is not registered")))
	r.Post("/oauth/test", fail(httperr.New(400, "bad scope").WithCode("invalid_scope")))
	r.Post("/xapi/echo", func(c *fiber.Ctx) error {
		b, err := DecodedBody(c, 1024)
		if err != nil {
			return err
		}
		return c.Send(b)
	})
	r.Get("/slow", func(c *fiber.Ctx) error {
		time.Sleep(300 * time.Millisecond)
		return c.SendString("done")
	})
}

func newTestServer(t *testing.T, ready func(context.Context) error) (*Server, *bytes.Buffer) {
	t.Helper()
	cfg, _, err := config.Load("serve", []string{"--body-limit", "2KiB"}, func(string) string { return "" }, nil)
	require.NoError(t, err)
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(logctx.Handler{Handler: slog.NewJSONHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug})})
	s := New(Options{Config: cfg, Logger: logger, Ready: ready, Registry: prometheus.NewRegistry(), Mounts: []Mounter{routes{}}})
	return s, &logs
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// result is what a test request got back.
type result struct {
	StatusCode int
	Header     http.Header
}

func do(t *testing.T, s *Server, req *http.Request) (result, string) {
	t.Helper()
	resp, err := s.App.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return result{StatusCode: resp.StatusCode, Header: resp.Header}, string(body)
}

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	s, logs := newTestServer(t, nil)
	tests := []struct {
		name, method, path string
		status             int
		contains           []string
		absent             []string
	}{
		{"xapi not found", "GET", "/xapi/missing", 404, []string{`"message":"not found"`, `"errorId":`}, nil},
		{"internal cause hidden", "GET", "/xapi/internal", 500, []string{`"message":"internal error"`}, []string{"disk full", "/srv"}},
		{"panic hidden", "GET", "/xapi/panic", 500, []string{`"message":"internal error"`}, []string{"boom", "goroutine"}},
		{"oneroster 1.1 statusInfoSet", "GET", "/ims/oneroster/v1p1/users/x", 404, []string{`"statusInfoSet":[`, `"imsx_codeMinorFieldValue":"unknownobject"`, `"imsx_codeMajor":"failure"`}, nil},
		{"oneroster 1.2 status info", "GET", "/ims/oneroster/rostering/v1p2/users", 400, []string{`"imsx_codeMinorFieldValue":"invalid_filter_field"`}, []string{"statusInfoSet"}},
		{"lti page", "GET", "/lti/launch", 403, []string{"<!doctype html>", "this course is not registered"}, nil},
		{"oauth", "POST", "/oauth/test", 400, []string{`"error":"invalid_scope"`, `"error_description":"bad scope"`}, nil},
		{"unknown route", "GET", "/nowhere", 404, []string{`"errorId":`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := do(t, s, httptest.NewRequest(tc.method, tc.path, nil))
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.NotEmpty(t, resp.Header.Get(RequestIDHeader))
			for _, c := range tc.contains {
				assert.Contains(t, body, c)
			}
			for _, a := range tc.absent {
				assert.NotContains(t, body, a)
			}
		})
	}
	t.Run("cause logged with error id", func(t *testing.T) {
		resp, body := do(t, s, httptest.NewRequest("GET", "/xapi/internal", nil))
		require.Equal(t, 500, resp.StatusCode)
		var e struct{ ErrorID string }
		require.NoError(t, json.Unmarshal([]byte(body), &e))
		assert.Contains(t, logs.String(), e.ErrorID)
		assert.Contains(t, logs.String(), "disk full")
	})
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	s, logs := newTestServer(t, nil)
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set(RequestIDHeader, "abc-123")
	resp, _ := do(t, s, req)
	assert.Equal(t, "abc-123", resp.Header.Get(RequestIDHeader))
	assert.Contains(t, logs.String(), `"request_id":"abc-123"`)

	req = httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set(RequestIDHeader, "bad id\x01")
	resp, _ = do(t, s, req)
	assert.Len(t, resp.Header.Get(RequestIDHeader), 16)
}

func TestHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	var down bool
	var mu sync.Mutex
	s, logs := newTestServer(t, func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return errors.New("connection refused")
		}
		return nil
	})
	resp, _ := do(t, s, httptest.NewRequest("GET", "/readyz", nil))
	assert.Equal(t, 200, resp.StatusCode)
	mu.Lock()
	down = true
	mu.Unlock()
	resp, body := do(t, s, httptest.NewRequest("GET", "/readyz", nil))
	assert.Equal(t, 503, resp.StatusCode)
	assert.Contains(t, body, "store not reachable")
	assert.Contains(t, logs.String(), "store not reachable")
	resp, _ = do(t, s, httptest.NewRequest("GET", "/healthz", nil))
	assert.Equal(t, 200, resp.StatusCode, "healthz keeps answering while the store is down")

	resp, body = do(t, s, httptest.NewRequest("GET", "/metrics", nil))
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, body, `passport_http_requests_total{code="503",method="GET",route="/readyz"} 1`)
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, err := w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func TestBodyLimits(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	tests := []struct {
		name     string
		body     []byte
		encoding string
		status   int
	}{
		{"plain", []byte("hello"), "", 200},
		{"gzip", gz(t, []byte("hello")), "gzip", 200},
		{"zip bomb", gz(t, bytes.Repeat([]byte("a"), 1<<20)), "gzip", 413},
		{"corrupt gzip", []byte("not gzip"), "gzip", 400},
		{"unknown encoding", []byte("x"), "zstd", 415},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("POST", "/xapi/echo", bytes.NewReader(tc.body))
			if tc.encoding != "" {
				req.Header.Set("Content-Encoding", tc.encoding)
			}
			resp, body := do(t, s, req)
			assert.Equal(t, tc.status, resp.StatusCode, body)
			if tc.status == 200 {
				assert.Equal(t, "hello", body)
			}
		})
	}
}

func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	time.Sleep(100 * time.Millisecond) // let the slow request start
	cancel()
	assert.Equal(t, "done", <-got, "the in-flight request finishes")
	require.NoError(t, <-done)
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err == nil {
		resp.Body.Close()
	}
	assert.Error(t, err, "no new connections after shutdown")
}

// TestWireBodyLimit goes through a real listener: fasthttp refuses a body
// over the limit before any handler runs.
func TestWireBodyLimit(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() {
		cancel()
		assert.NoError(t, <-done)
	}()

	resp, err := http.Post("http://"+ln.Addr().String()+"/xapi/echo", "text/plain", strings.NewReader(strings.Repeat("a", 4096)))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
}
