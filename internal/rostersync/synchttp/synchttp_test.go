package synchttp_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/rostersync/synchttp"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

func TestRunReports(t *testing.T) {
	t.Parallel()
	s := sqlitetest.Open(t)
	ctx := t.Context()
	a := auth.NewAuthenticator(s, time.Now)
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for i, tenant := range []string{"camp", "camp", "other"} {
		r := connectors.Run{
			ID: "run-" + string(rune('a'+i)), Tenant: tenant, Connector: "moodle", Type: "moodle",
			Operation: "push", Status: connectors.RunSucceeded, Started: t0.Add(time.Duration(i) * time.Minute),
		}
		r.Report.Add("users", "stu-1", connectors.OutcomeFailed, "refused")
		require.NoError(t, s.SaveRun(ctx, r))
	}
	admin, err := a.CreateCredential(ctx, "camp", "admin", []string{auth.ScopeAdmin})
	require.NoError(t, err)
	reader, err := a.CreateCredential(ctx, "camp", "reader", []string{"statements/read"})
	require.NoError(t, err)

	cfg := config.Config{BodyLimit: 1 << 20, ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: time.Minute}
	srv := server.New(server.Options{
		Config: cfg, Logger: slog.New(slog.DiscardHandler),
		Mounts: []server.Mounter{&synchttp.Handler{Auth: a, Store: s}},
	})
	get := func(path, key, secret string) (int, []byte) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if key != "" {
			req.SetBasicAuth(key, secret)
		}
		resp, err := srv.App.Test(req, -1)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, b
	}

	for _, tc := range []struct {
		name, path, key, secret string
		status                  int
		ids                     []string
	}{
		{"list newest first, own tenant only", "/admin/connectors/runs", admin.Key, admin.Secret, 200, []string{"run-b", "run-a"}},
		{"filter and limit", "/admin/connectors/runs?connector=moodle&limit=1", admin.Key, admin.Secret, 200, []string{"run-b"}},
		{"other connector", "/admin/connectors/runs?connector=kolibri", admin.Key, admin.Secret, 200, []string{}},
		{"one run", "/admin/connectors/runs/run-a", admin.Key, admin.Secret, 200, []string{"run-a"}},
		{"another tenant's run", "/admin/connectors/runs/run-c", admin.Key, admin.Secret, 404, nil},
		{"bad limit", "/admin/connectors/runs?limit=0", admin.Key, admin.Secret, 400, nil},
		{"no admin scope", "/admin/connectors/runs", reader.Key, reader.Secret, 403, nil},
		{"no credentials", "/admin/connectors/runs", "", "", 401, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(tc.path, tc.key, tc.secret)
			require.Equal(t, tc.status, status, string(body))
			if tc.ids == nil {
				return
			}
			var runs []connectors.Run
			if len(tc.ids) == 1 && tc.path == "/admin/connectors/runs/"+tc.ids[0] {
				var one connectors.Run
				require.NoError(t, json.Unmarshal(body, &one))
				runs = []connectors.Run{one}
			} else {
				require.NoError(t, json.Unmarshal(body, &runs))
			}
			got := make([]string, 0, len(runs))
			for _, r := range runs {
				got = append(got, r.ID)
				assert.Equal(t, "camp", r.Tenant)
				assert.Equal(t, "refused", r.Report.Items[0].Reason)
			}
			assert.Equal(t, tc.ids, got)
		})
	}
}
