package fault

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func serve(in *Injector) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in.Intercept(w, r, "<h1>down</h1>") {
			return
		}
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	}))
}

func status(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "text/plain", nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

func TestInjector(t *testing.T) {
	t.Parallel()
	var in Injector
	srv := serve(&in)
	defer srv.Close()

	code, _ := status(t, srv.URL)
	assert.Equal(t, http.StatusOK, code, "zero value injects nothing")

	in.FailNext(2, http.StatusTooManyRequests, "1")
	code, ra := status(t, srv.URL)
	assert.Equal(t, http.StatusTooManyRequests, code)
	assert.Equal(t, "1", ra)
	code, _ = status(t, srv.URL)
	assert.Equal(t, http.StatusTooManyRequests, code)
	code, _ = status(t, srv.URL)
	assert.Equal(t, http.StatusOK, code)

	in.FailAfter(1, http.StatusServiceUnavailable)
	code, _ = status(t, srv.URL)
	assert.Equal(t, http.StatusOK, code)
	for range 3 {
		code, _ = status(t, srv.URL)
		assert.Equal(t, http.StatusServiceUnavailable, code, "stays down")
	}
	in.FailAfter(-1, 0)
	code, _ = status(t, srv.URL)
	assert.Equal(t, http.StatusOK, code, "back up")
}

func TestStallEndsWithTheClient(t *testing.T) {
	t.Parallel()
	var in Injector
	in.Stall(time.Minute)
	srv := serve(&in)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
