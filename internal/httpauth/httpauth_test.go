package httpauth_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

type fixture struct {
	app            *fiber.App
	key, secret    string
	token          string
	otherTenantKey string
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	s := sqlitetest.Open(t)
	a := auth.NewAuthenticator(s, time.Now)
	nc, err := a.CreateCredential(t.Context(), "camp-a", "client", []string{auth.ScopeStatementsRead})
	require.NoError(t, err)
	other, err := a.CreateCredential(t.Context(), "camp-b", "client", []string{auth.ScopeAll})
	require.NoError(t, err)
	tok, _, err := a.IssueToken(t.Context(), nc.Key, nc.Secret, nil)
	require.NoError(t, err)

	app := fiber.New(fiber.Config{Immutable: true, ErrorHandler: func(c *fiber.Ctx, err error) error {
		return c.SendStatus(httperr.Resolve(err).Status)
	}})
	whoami := func(c *fiber.Ctx) error {
		p := httpauth.Principal(c)
		return c.SendString(p.Tenant + "/" + p.Key)
	}
	app.Get("/basic", httpauth.Basic(a), whoami)
	app.Get("/bearer", httpauth.Bearer(a), whoami)
	app.Get("/any", httpauth.Any(a), whoami)
	app.Get("/admin", httpauth.Any(a), httpauth.Require(auth.ScopeAdmin), whoami)
	return fixture{app: app, key: nc.Key, secret: nc.Secret, token: tok, otherTenantKey: other.Key}
}

func basic(k, s string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(k+":"+s))
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name, path, authz string
		status            int
		challenges        []string
	}{
		{"basic ok", "/basic", basic(f.key, f.secret), 200, nil},
		{"basic lowercase scheme", "/basic", "basic " + base64.StdEncoding.EncodeToString([]byte(f.key+":"+f.secret)), 200, nil},
		{"basic wrong", "/basic", basic(f.key, "x"), 401, []string{`Basic realm="passport", charset="UTF-8"`}},
		{"basic missing", "/basic", "", 401, []string{`Basic realm="passport", charset="UTF-8"`}},
		{"bearer on basic route", "/basic", "Bearer " + f.token, 401, []string{`Basic realm="passport", charset="UTF-8"`}},
		{"bearer ok", "/bearer", "Bearer " + f.token, 200, nil},
		{"bearer wrong", "/bearer", "Bearer nope", 401, []string{`Bearer realm="passport"`}},
		{"basic on bearer route", "/bearer", basic(f.key, f.secret), 401, []string{`Bearer realm="passport"`}},
		{"any basic", "/any", basic(f.key, f.secret), 200, nil},
		{"any bearer", "/any", "Bearer " + f.token, 200, nil},
		{"any missing gets both challenges", "/any", "", 401, []string{`Basic realm="passport", charset="UTF-8"`, `Bearer realm="passport"`}},
		{"scope missing", "/admin", basic(f.key, f.secret), 403, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("GET", tc.path, nil)
			if tc.authz != "" {
				req.Header.Set("Authorization", tc.authz)
			}
			resp, err := f.app.Test(req, -1)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.challenges, resp.Header.Values("WWW-Authenticate"))
		})
	}
}

// FuzzAuthorization checks that no Authorization header makes the
// middleware fail with anything but 401, or let a request through.
func FuzzAuthorization(f *testing.F) {
	fx := newFixture(f)
	for _, seed := range []string{"", "Basic", "Basic ", "Basic Og==", basic(fx.key, fx.secret+"x"), "Bearer", "Bearer  x", "bearer\x00", "Basic " + string(make([]byte, 300))} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, authz string) {
		req := httptest.NewRequest("GET", "/any", nil)
		req.Header["Authorization"] = []string{authz}
		resp, err := fx.app.Test(req, -1)
		if err != nil {
			return // the header could not be written on the wire at all
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("Authorization %q: status %d", authz, resp.StatusCode)
		}
	})
}
