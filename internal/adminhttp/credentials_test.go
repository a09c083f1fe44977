package adminhttp_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/adminhttp"
	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// newApp serves the admin API over a fresh store; oauth1 enables OAuth 1.0a.
func newApp(t *testing.T, oauth1 bool) (*fiber.App, string) {
	t.Helper()
	s := sqlitetest.Open(t)
	a := auth.NewAuthenticator(s, time.Now)
	if oauth1 {
		require.NoError(t, a.EnableOAuth1(auth.OAuth1Config{MasterKey: make([]byte, auth.OAuth1KeySize)}))
	}
	admin, err := a.CreateCredential(t.Context(), "camp-a", "admin", []string{auth.ScopeAdmin})
	require.NoError(t, err)
	app := fiber.New(fiber.Config{Immutable: true, ErrorHandler: func(c *fiber.Ctx, err error) error {
		return c.SendStatus(httperr.Resolve(err).Status)
	}})
	(&adminhttp.Handler{Auth: a, Store: s}).Mount(app)
	return app, "Basic " + base64.StdEncoding.EncodeToString([]byte(admin.Key+":"+admin.Secret))
}

func TestCreateOAuth1(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		oauth1 bool
		body   string
		status int
		want   []string
	}{
		{"sha256", true, `{"name":"moodle","scopes":["roster.readonly"],"oauth1":"hmac-sha256"}`, http.StatusCreated, []string{"HMAC-SHA256"}},
		{"sha1", true, `{"name":"longsight","scopes":["roster.readonly"],"oauth1":"hmac-sha1"}`, http.StatusCreated, []string{"HMAC-SHA256", "HMAC-SHA1"}},
		{"none", true, `{"name":"plain","scopes":["roster.readonly"]}`, http.StatusCreated, nil},
		{"unknown method", true, `{"name":"x","scopes":["roster.readonly"],"oauth1":"plaintext"}`, http.StatusBadRequest, nil},
		{"no master key", false, `{"name":"x","scopes":["roster.readonly"],"oauth1":"hmac-sha256"}`, http.StatusBadRequest, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			app, authz := newApp(t, tc.oauth1)
			req := httptest.NewRequest(http.MethodPost, "/admin/credentials/", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", authz)
			resp, err := app.Test(req, -1)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode)
			if tc.status != http.StatusCreated {
				return
			}
			var created struct{ Key, Secret string }
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&created))
			assert.NotEmpty(t, created.Secret)

			req = httptest.NewRequest(http.MethodGet, "/admin/credentials/", nil)
			req.Header.Set("Authorization", authz)
			resp2, err := app.Test(req, -1)
			require.NoError(t, err)
			defer resp2.Body.Close()
			var list []struct {
				Key    string
				OAuth1 []string `json:"oauth1"`
			}
			require.NoError(t, json.NewDecoder(resp2.Body).Decode(&list))
			found := false
			for _, c := range list {
				if c.Key == created.Key {
					found = true
					assert.Equal(t, tc.want, c.OAuth1)
				}
			}
			assert.True(t, found)
		})
	}
}
