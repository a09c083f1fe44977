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

// smallServer serves testdata/small for tenant t and returns a token with
// the given scopes.
func smallServer(t *testing.T, scopes ...string) (*server.Server, string) {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	p, err := orcsv.Open("testdata/small", orcsv.Options{})
	require.NoError(t, err)
	defer p.Close()
	_, err = orcsv.Import(ctx, st, p, orcsv.ImportOptions{Tenant: "t"})
	require.NoError(t, err)
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, nil)
	require.NoError(t, err)
	a := auth.NewAuthenticator(st, time.Now)
	h := &Handler{Store: st, Auth: a, Logger: slog.New(slog.DiscardHandler)}
	srv := server.New(server.Options{Config: cfg, Logger: h.Logger, Mounts: []server.Mounter{h}})
	cred, err := a.CreateCredential(ctx, "t", "lms", scopes)
	require.NoError(t, err)
	tok, _, err := a.IssueToken(ctx, cred.Key, cred.Secret, scopes)
	require.NoError(t, err)
	return srv, tok
}

// getIDs GETs path and returns the status and the sourcedIds under key.
func getIDs(t *testing.T, srv *server.Server, tok, path, key string) (int, []string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := srv.App.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]json.RawMessage
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	var items []struct {
		SourcedID string `json:"sourcedId"`
	}
	if raw, ok := body[key]; ok {
		require.NoError(t, json.Unmarshal(raw, &items))
	}
	ids := []string{}
	for _, it := range items {
		ids = append(ids, it.SourcedID)
	}
	return resp.StatusCode, ids
}

// TestClassCategories checks /classes/{id}/categories: a class lists the
// categories its line items use plus those no line item uses yet, so a new
// class offers the tenant's categories (Google's grade sync, R44).
func TestClassCategories(t *testing.T) {
	t.Parallel()
	srv, tok := smallServer(t, "gradebook.readonly")
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
			status, got := getIDs(t, srv, tok, "/ims/oneroster/gradebook/v1p2/classes/"+tc.class+"/categories", "categories")
			require.Equal(t, http.StatusOK, status)
			assert.ElementsMatch(t, tc.want, got)
		})
	}
}

// TestUserClassesKnownUser checks that /users|students|teachers/{id}/classes
// answer 404 for an unknown user (or one without that role) and the classes
// otherwise (R43).
func TestUserClassesKnownUser(t *testing.T) {
	t.Parallel()
	srv, tok := smallServer(t, "roster.readonly")
	cases := []struct {
		path   string
		status int
		want   []string
	}{
		{"/users/u-s/classes", http.StatusOK, []string{"cls-1"}},
		{"/students/u-s/classes", http.StatusOK, []string{"cls-1"}},
		{"/teachers/u-t/classes", http.StatusOK, []string{"cls-1"}},
		{"/users/nobody/classes", http.StatusNotFound, []string{}},
		{"/students/nobody/classes", http.StatusNotFound, []string{}},
		{"/teachers/nobody/classes", http.StatusNotFound, []string{}},
		{"/students/u-t/classes", http.StatusNotFound, []string{}},
		{"/teachers/u-s/classes", http.StatusNotFound, []string{}},
	}
	for _, tc := range cases {
		for _, base := range []string{"/ims/oneroster/v1p1", "/ims/oneroster/rostering/v1p2"} {
			t.Run(base+tc.path, func(t *testing.T) {
				status, got := getIDs(t, srv, tok, base+tc.path, "classes")
				assert.Equal(t, tc.status, status)
				assert.ElementsMatch(t, tc.want, got)
			})
		}
	}
}
