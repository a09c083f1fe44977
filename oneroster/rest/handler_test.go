package rest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/oneroster/query"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

func TestBusyGets429(t *testing.T) {
	t.Parallel()
	st := sqlitetest.Open(t)
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, nil)
	require.NoError(t, err)
	h := &Handler{Store: st, Auth: auth.NewAuthenticator(st, time.Now), Logger: slog.New(slog.DiscardHandler), MaxConcurrent: 1}
	srv := server.New(server.Options{Config: cfg, Logger: h.Logger, Mounts: []server.Mounter{h}})
	h.slots <- struct{}{} // one request in flight
	resp, err := srv.App.Test(httptest.NewRequest(http.MethodGet, "/ims/oneroster/v1p1/users", nil), -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	body, _ := io.ReadAll(resp.Body)
	assert.Contains(t, string(body), "server_busy")
	<-h.slots
	resp, err = srv.App.Test(httptest.NewRequest(http.MethodGet, "/ims/oneroster/v1p1/users", nil), -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a free slot lets the request through to auth")
}

func TestLinks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		offset, limit, total int
		want                 []string
		not                  []string
	}{
		{0, 10, 0, []string{`offset=0>; rel="first"`, `offset=0>; rel="last"`}, []string{"next", "prev"}},
		{0, 10, 25, []string{`offset=10>; rel="next"`, `offset=20>; rel="last"`}, []string{"prev"}},
		{10, 10, 25, []string{`offset=0>; rel="prev"`, `offset=20>; rel="next"`}, nil},
		{20, 10, 25, []string{`offset=10>; rel="prev"`}, []string{"next"}},
		{5, 10, 25, []string{`offset=0>; rel="prev"`, `offset=15>; rel="next"`}, nil},
		{0, 10, 20, []string{`offset=10>; rel="last"`}, nil},
	}
	for _, tc := range cases {
		got := linkHeader("/ims/oneroster/v1p1/users", nil, query.Params{Offset: tc.offset, Limit: tc.limit}, tc.total)
		for _, w := range tc.want {
			assert.Contains(t, got, w, tc)
		}
		for _, n := range tc.not {
			assert.NotContains(t, got, `rel="`+n+`"`, tc)
		}
	}
}
