package httpauth_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/internal/oauth1"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

type fixture struct {
	app            *fiber.App
	key, secret    string
	token          string
	otherTenantKey string
	// oauth1Key and oauth1Secret are an OAuth 1.0a credential of camp-a.
	oauth1Key, oauth1Secret string
}

// publicURL is the fixture server's public URL (behind a path prefix).
const publicURL = "https://passport.example.org/gw"

func newFixture(t testing.TB) fixture {
	t.Helper()
	s := sqlitetest.Open(t)
	a := auth.NewAuthenticator(s, time.Now)
	require.NoError(t, a.EnableOAuth1(auth.OAuth1Config{MasterKey: make([]byte, auth.OAuth1KeySize), PublicURL: publicURL}))
	o1, err := a.CreateCredential(t.Context(), "camp-a", "lms", []string{auth.ScopeStatementsRead}, auth.WithOAuth1([]string{oauth1.HMACSHA256}))
	require.NoError(t, err)
	off := auth.NewAuthenticator(s, time.Now) // OAuth 1.0a off
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
	app.All("/oauth1", httpauth.BearerOrOAuth1(a), whoami)
	app.Get("/oauth1-off", httpauth.BearerOrOAuth1(off), whoami)
	return fixture{app: app, key: nc.Key, secret: nc.Secret, token: tok, otherTenantKey: other.Key, oauth1Key: o1.Key, oauth1Secret: o1.Secret}
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

// sign returns the OAuth 1.0a Authorization header of a request to
// signURL.
func sign(t testing.TB, key, secret, method, signURL, contentType, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, signURL, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	require.NoError(t, (&oauth1.Signer{ConsumerKey: key, ConsumerSecret: secret}).Sign(req))
	return req.Header.Get("Authorization")
}

func TestBearerOrOAuth1(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const form = "application/x-www-form-urlencoded"
	challenges := []string{`Bearer realm="passport"`, `OAuth realm="passport"`}
	tests := []struct {
		name, method, path, contentType, body, authz string
		status                                       int
		challenges                                   []string
	}{
		{
			"oauth over the public URL", "GET", "/oauth1?filter=givenName%3D%27Colin%20Robert%27", "", "",
			sign(t, f.oauth1Key, f.oauth1Secret, "GET", publicURL+"/oauth1?filter=givenName%3D%27Colin%20Robert%27", "", ""), 200, nil,
		},
		{
			"oauth over the request's own URL", "GET", "/oauth1?a=1", "", "",
			sign(t, f.oauth1Key, f.oauth1Secret, "GET", "http://example.com/oauth1?a=1", "", ""), 200, nil,
		},
		{"oauth signed form body", "POST", "/oauth1", form, "x=1+2", sign(t, f.oauth1Key, f.oauth1Secret, "POST", publicURL+"/oauth1", form, "x=1+2"), 200, nil},
		{"oauth form body changed", "POST", "/oauth1", form, "x=1+3", sign(t, f.oauth1Key, f.oauth1Secret, "POST", publicURL+"/oauth1", form, "x=1+2"), 401, challenges},
		{"oauth another path", "GET", "/oauth1", "", "", sign(t, f.oauth1Key, f.oauth1Secret, "GET", publicURL+"/other", "", ""), 401, challenges},
		{"oauth wrong secret", "GET", "/oauth1", "", "", sign(t, f.oauth1Key, "nope", "GET", publicURL+"/oauth1", "", ""), 401, challenges},
		{"oauth a non-OAuth credential", "GET", "/oauth1", "", "", sign(t, f.key, f.secret, "GET", publicURL+"/oauth1", "", ""), 401, challenges},
		{"oauth garbage", "GET", "/oauth1", "", "", `OAuth oauth_consumer_key="`, 401, challenges},
		{"bearer still works", "GET", "/oauth1", "", "", "Bearer " + f.token, 200, nil},
		{"basic is not accepted", "GET", "/oauth1", "", "", basic(f.key, f.secret), 401, challenges},
		{"missing gets both challenges", "GET", "/oauth1", "", "", "", 401, challenges},
		{
			"oauth on a route without it", "GET", "/any", "", "", sign(t, f.oauth1Key, f.oauth1Secret, "GET", publicURL+"/any", "", ""), 401,
			[]string{`Basic realm="passport", charset="UTF-8"`, `Bearer realm="passport"`},
		},
		{
			"oauth off: not offered", "GET", "/oauth1-off", "", "", sign(t, f.oauth1Key, f.oauth1Secret, "GET", publicURL+"/oauth1-off", "", ""), 401,
			[]string{`Bearer realm="passport"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.authz != "" {
				req.Header.Set("Authorization", tc.authz)
			}
			resp, err := f.app.Test(req, -1)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.challenges, resp.Header.Values("WWW-Authenticate"))
			if tc.status == 200 {
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				assert.True(t, strings.HasPrefix(string(body), "camp-a/"), string(body))
			}
		})
	}
}

// FuzzAuthorization checks that no Authorization header makes the
// middleware fail with anything but 401, or let a request through.
func FuzzAuthorization(f *testing.F) {
	fx := newFixture(f)
	for _, seed := range []string{
		"", "Basic", "Basic ", "Basic Og==", basic(fx.key, fx.secret+"x"), "Bearer", "Bearer  x", "bearer\x00", "Basic " + string(make([]byte, 300)),
		"OAuth", `OAuth oauth_consumer_key="k"`, sign(f, fx.oauth1Key, fx.oauth1Secret+"x", "GET", publicURL+"/oauth1", "", ""),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, authz string) {
		for _, path := range []string{"/any", "/oauth1"} {
			req := httptest.NewRequest("GET", path, nil)
			req.Header["Authorization"] = []string{authz}
			resp, err := fx.app.Test(req, -1)
			if err != nil {
				return // the header could not be written on the wire at all
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("Authorization %q on %s: status %d", authz, path, resp.StatusCode)
			}
		}
	})
}
