package moodle_test

import (
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/connectortest"
	"github.com/passportbridge/passport/connectors/moodle/moodlefake"
	"github.com/passportbridge/passport/oneroster"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestWireFormat records every request body of a first push and compares
// them with a golden file: POST form bodies with PHP bracket arrays, the
// token and function in the body, JSON requested.
func TestWireFormat(t *testing.T) {
	t.Parallel()
	fake := moodlefake.New()
	var mu sync.Mutex
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
		assert.Empty(t, r.URL.RawQuery, "nothing (no token) in the URL")
		v, err := url.QueryUnescape(string(b))
		assert.NoError(t, err)
		mu.Lock()
		calls = append(calls, r.Method+" "+r.URL.Path+"\n"+strings.ReplaceAll(v, "&", "\n"))
		mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c := open(t, srv.URL, connectortest.Client(t))
	r := connectortest.Roster()
	r.Users = r.Users[:2]
	r.Classes = r.Classes[:1]
	r.Enrollments = r.Enrollments[:2]
	_, err := c.(connectors.Pusher).Push(t.Context(), oneroster.Delta{Upserts: r}, connectors.PushOptions{})
	require.NoError(t, err)

	got := strings.Join(calls, "\n\n") + "\n"
	golden := filepath.Join("testdata", "first-push.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o600))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}
