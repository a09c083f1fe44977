package rest

import (
	"context"
	"encoding/json"
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
	orcsv "github.com/passportbridge/passport/oneroster/csv"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// TestClassCategories checks /classes/{id}/categories: a class lists the
// categories its line items use plus those no line item uses yet, so a new
// class offers the tenant's categories (Google's grade sync, R44).
func TestClassCategories(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	p, err := orcsv.Open("testdata/categories", orcsv.Options{})
	require.NoError(t, err)
	defer p.Close()
	_, err = orcsv.Import(ctx, st, p, orcsv.ImportOptions{Tenant: "t"})
	require.NoError(t, err)
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, nil)
	require.NoError(t, err)
	a := auth.NewAuthenticator(st, time.Now)
	h := &Handler{Store: st, Auth: a, Logger: slog.New(slog.DiscardHandler)}
	srv := server.New(server.Options{Config: cfg, Logger: h.Logger, Mounts: []server.Mounter{h}})
	cred, err := a.CreateCredential(ctx, "t", "lms", []string{"gradebook.readonly"})
	require.NoError(t, err)
	tok, _, err := a.IssueToken(ctx, cred.Key, cred.Secret, []string{"gradebook.readonly"})
	require.NoError(t, err)

	cases := []struct {
		name, class string
		want        []string
	}{
		{"a class lists its own categories and the unused ones", "cls-1", []string{"cat-hw", "cat-free"}},
		{"a class without line items lists only the unused ones", "cls-2", []string{"cat-free"}},
		{"a class never lists another class's category", "cls-3", []string{"cat-quiz", "cat-free"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/ims/oneroster/gradebook/v1p2/classes/"+tc.class+"/categories", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := srv.App.Test(req, -1)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			var body struct {
				Categories []struct {
					SourcedID string `json:"sourcedId"`
				} `json:"categories"`
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			var got []string
			for _, c := range body.Categories {
				got = append(got, c.SourcedID)
			}
			assert.ElementsMatch(t, tc.want, got)
		})
	}
}
