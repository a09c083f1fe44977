package httpclient

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetriesThenSucceeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		header map[string]string
	}{
		{"5xx", http.StatusBadGateway, nil},
		{"429 with Retry-After", http.StatusTooManyRequests, map[string]string{"Retry-After": "0"}},
		{"503 without Retry-After", http.StatusServiceUnavailable, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if calls.Add(1) < 3 {
					for k, v := range tc.header {
						w.Header().Set(k, v)
					}
					w.WriteHeader(tc.status)
					return
				}
				_, _ = io.WriteString(w, "ok")
			}))
			defer srv.Close()
			c := New(slog.New(slog.DiscardHandler))
			c.RetryWaitMin, c.RetryWaitMax = time.Millisecond, 5*time.Millisecond
			resp, err := c.Get(srv.URL)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, int32(3), calls.Load())
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"7"}}}
	assert.Equal(t, 7*time.Second, Backoff(time.Second, time.Minute, 0, resp))
	for attempt := range 20 {
		d := Backoff(100*time.Millisecond, 10*time.Second, attempt, nil)
		ceiling := min(10*time.Second, 100*time.Millisecond<<attempt)
		assert.GreaterOrEqual(t, d, ceiling/2)
		assert.LessOrEqual(t, d, ceiling)
	}
}

func TestCancelStopsRetrying(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	c := New(slog.New(slog.DiscardHandler))
	c.RetryWaitMin, c.RetryWaitMax = time.Second, time.Second
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	rreq, err := retryablehttp.FromRequest(req)
	require.NoError(t, err)
	resp, err := c.Do(rreq)
	if resp != nil {
		resp.Body.Close()
	}
	require.ErrorIs(t, err, context.Canceled)
}
