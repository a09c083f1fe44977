package oneroster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/server"
	orcsv "github.com/passportbridge/passport/oneroster/csv"
	"github.com/passportbridge/passport/oneroster/rest"
	"github.com/passportbridge/passport/oneroster/rostergen"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// BenchmarkReadAllUsers pages through 100,000 users over HTTP (a real
// listener, sqlite store) and reports users/s:
//
//	go test ./conformance/oneroster -run XXX -bench ReadAllUsers -benchtime 3x
func BenchmarkReadAllUsers(b *testing.B) {
	const users = 100000
	ctx := context.Background()
	dir := b.TempDir()
	require.NoError(b, rostergen.Write(dir, rostergen.Size{Schools: 200, Users: users, Enrollments: 1000, ClassesPer: 5}))
	st := sqlitetest.Open(b)
	p, err := orcsv.Open(dir, orcsv.Options{})
	require.NoError(b, err)
	_, err = orcsv.Import(ctx, st, p, orcsv.ImportOptions{Tenant: "default"})
	require.NoError(b, err)
	require.NoError(b, p.Close())

	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, nil)
	require.NoError(b, err)
	logger := slog.New(slog.DiscardHandler)
	a := auth.NewAuthenticator(st, time.Now)
	srv := server.New(server.Options{Config: cfg, Logger: logger, Mounts: []server.Mounter{
		&httpauth.TokenHandler{Auth: a, Now: time.Now},
		&rest.Handler{Store: st, Auth: a, Logger: logger},
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, ln) }()
	b.Cleanup(func() { stop(); <-done })
	base := "http://" + ln.Addr().String()

	cred, err := a.CreateCredential(ctx, "default", "bench", []string{"roster.readonly"})
	require.NoError(b, err)
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(cred.Key, cred.Secret)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(b, err)
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(b, json.NewDecoder(resp.Body).Decode(&tr))
	resp.Body.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	readAll := func(limit int, extra string) int {
		n := 0
		for off := 0; ; off += limit {
			req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/ims/oneroster/v1p1/users?limit=%d&offset=%d%s", base, limit, off, extra), nil)
			req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
			resp, err := client.Do(req)
			require.NoError(b, err)
			var page struct {
				Users []json.RawMessage `json:"users"`
			}
			require.NoError(b, json.NewDecoder(resp.Body).Decode(&page))
			resp.Body.Close()
			n += len(page.Users)
			if len(page.Users) < limit {
				return n
			}
		}
	}
	readAll(1000, "") // warm the view cache, as a running server would be
	for _, tc := range []struct {
		limit int
		extra string
	}{{100, ""}, {200, ""}, {1000, ""}, {200, "&sort=familyName"}} {
		b.Run(fmt.Sprintf("limit=%d%s", tc.limit, tc.extra), func(b *testing.B) {
			start := time.Now()
			total := 0
			for b.Loop() {
				got := readAll(tc.limit, tc.extra)
				require.Equal(b, users, got)
				total += got
			}
			b.ReportMetric(float64(total)/time.Since(start).Seconds(), "users/s")
		})
	}
}
