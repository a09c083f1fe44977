package oneroster_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/oauth1"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/oneroster"
	orcsv "github.com/passportbridge/passport/oneroster/csv"
	"github.com/passportbridge/passport/oneroster/memstore"
	"github.com/passportbridge/passport/oneroster/rest"
	"github.com/passportbridge/passport/store/backend"
)

// o1PublicURL is where clients reach the server in these tests: behind a
// proxy, under a path prefix the proxy strips.
const o1PublicURL = "https://passport.example.org/gw"

// o1Filter is the filter Moodle's 1.1 conformance run signs (A6).
const o1Filter = "givenName='Colin Robert'"

// o1Env is a provider with OAuth 1.0a on, a fixed clock and credentials.
type o1Env struct {
	*env
	now                      time.Time
	sha256, sha1, other, off auth.NewCredential // off: no OAuth 1.0a
	disabled                 auth.NewCredential
}

func newO1Env(t *testing.T, st backend.Store) *o1Env {
	t.Helper()
	getenv := func(k string) string {
		if k == "PASSPORT_PUBLIC_URL" {
			return o1PublicURL
		}
		return ""
	}
	cfg, _, err := config.Load("serve", nil, getenv, nil)
	require.NoError(t, err)
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { return now }
	logger := slog.New(slog.DiscardHandler)
	a := auth.NewAuthenticator(st, clock)
	master := make([]byte, auth.OAuth1KeySize)
	copy(master, "conformance master key, 32 bytes")
	require.NoError(t, a.EnableOAuth1(auth.OAuth1Config{MasterKey: master, PublicURL: cfg.PublicURL}))
	srv := server.New(server.Options{Config: cfg, Logger: logger, Mounts: []server.Mounter{
		&httpauth.TokenHandler{Auth: a, Now: clock},
		&rest.Handler{Store: st, Writer: st, Auth: a, Logger: logger},
	}})
	e := &o1Env{env: &env{srv: srv, st: st, auth: a}, now: now}
	e.importDir(t, "default", "testdata/oauth1")
	e.importDir(t, "other", "../../oneroster/csv/testdata/v11")

	ctx := t.Context()
	roster := []string{"roster.readonly"}
	mk := func(tenant, name string, opts ...auth.CredentialOption) auth.NewCredential {
		c, err := a.CreateCredential(ctx, tenant, name, roster, opts...)
		require.NoError(t, err)
		return c
	}
	e.sha256 = mk("default", "moodle", auth.WithOAuth1([]string{oauth1.HMACSHA256}))
	e.sha1 = mk("default", "longsight", auth.WithOAuth1([]string{oauth1.HMACSHA256, oauth1.HMACSHA1}))
	e.other = mk("other", "moodle", auth.WithOAuth1([]string{oauth1.HMACSHA256}))
	e.off = mk("default", "oauth2 only")
	e.disabled = mk("default", "gone", auth.WithOAuth1([]string{oauth1.HMACSHA256}))
	require.NoError(t, st.SetCredentialDisabled(ctx, "default", e.disabled.Key, true))
	return e
}

// o1Query is the query of a users request with the Moodle filter.
func o1Query(limit, offset int) string {
	return "filter=" + url.PathEscape(o1Filter) + "&limit=" + strconv.Itoa(limit) + "&offset=" + strconv.Itoa(offset)
}

// signer signs as c with method, its clock skewed by skew.
func (e *o1Env) signer(c auth.NewCredential, method string, skew time.Duration) *oauth1.Signer {
	return &oauth1.Signer{ConsumerKey: c.Key, ConsumerSecret: c.Secret, Method: method, Clock: func() time.Time { return e.now.Add(skew) }}
}

// signedGet is a GET of pathQuery as the app sees it behind the proxy,
// signed over the public URL.
func (e *o1Env) signedGet(t *testing.T, s *oauth1.Signer, pathQuery string) *http.Request {
	t.Helper()
	signReq, err := http.NewRequest(http.MethodGet, o1PublicURL+pathQuery, nil)
	require.NoError(t, err)
	require.NoError(t, s.Sign(signReq))
	req := httptest.NewRequest(http.MethodGet, pathQuery, nil)
	req.Host = "10.0.0.5:8080" // the proxy's upstream, not the public host
	req.Header.Set("Authorization", signReq.Header.Get("Authorization"))
	return req
}

// send runs req through the app and reads the JSON answer.
func (e *o1Env) send(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := e.srv.App.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out), string(raw))
	}
	return response{status: resp.StatusCode, header: resp.Header, body: out}
}

// assertO1Refused checks a 401 with the OAuth challenge and the imsx shape,
// saying nothing about what was wrong.
func assertO1Refused(t *testing.T, r response, secrets ...string) {
	t.Helper()
	require.Equal(t, http.StatusUnauthorized, r.status, r.body)
	assert.Contains(t, r.header.Values("WWW-Authenticate"), `OAuth realm="passport"`)
	assert.Contains(t, r.header.Values("WWW-Authenticate"), `Bearer realm="passport"`)
	set, ok := r.body["statusInfoSet"].([]any)
	require.True(t, ok, "imsx statusInfoSet: %v", r.body)
	require.Len(t, set, 1)
	info := set[0].(map[string]any)
	assert.Equal(t, "failure", info["imsx_codeMajor"])
	raw, err := json.Marshal(r.body)
	require.NoError(t, err)
	for _, word := range []string{"nonce", "timestamp", "signature", "secret", "HMAC", "disabled", "unknown"} {
		assert.NotContains(t, strings.ToLower(string(raw)), strings.ToLower(word), "the answer does not say what was wrong")
	}
	for _, s := range secrets {
		assert.NotContains(t, string(raw), s)
	}
}

func userIDs(t *testing.T, r response) []string {
	t.Helper()
	return ids(t, r, "users")
}

func TestOAuth1(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runOAuth1(t, newO1Env(t, open(t)))
		})
	}
}

func runOAuth1(t *testing.T, e *o1Env) {
	users := b11 + "/users"
	good := e.signer(e.sha256, "", 0)
	cases := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"A6 HMAC-SHA256 with givenName='Colin Robert'", func(t *testing.T) {
			r := e.send(t, e.signedGet(t, good, users+"?"+o1Query(100, 0)))
			require.Equal(t, http.StatusOK, r.status, r.body)
			assert.Equal(t, []string{"u-cr1", "u-cr2", "u-cr3"}, userIDs(t, r))
			assert.Equal(t, "3", r.header.Get("X-Total-Count"))
		}},
		{"A6 paging a filter with a space", func(t *testing.T) {
			var got []string
			for offset := 0; offset < 4; offset++ {
				r := e.send(t, e.signedGet(t, good, users+"?"+o1Query(1, offset)))
				require.Equal(t, http.StatusOK, r.status, r.body)
				got = append(got, userIDs(t, r)...)
			}
			assert.Equal(t, []string{"u-cr1", "u-cr2", "u-cr3"}, got, "each once, then an empty page")
		}},
		{"A6 space sent as '+' on the wire, signed as %20", func(t *testing.T) {
			q := "filter=givenName%3D%27Colin+Robert%27&limit=100&offset=0"
			r := e.send(t, e.signedGet(t, good, users+"?"+q))
			require.Equal(t, http.StatusOK, r.status, r.body)
			assert.Equal(t, []string{"u-cr1", "u-cr2", "u-cr3"}, userIDs(t, r), "'+' in a query is a space, not the plus of u-plus")
		}},
		{"A6 a literal plus is %2B", func(t *testing.T) {
			q := "filter=" + url.QueryEscape("givenName='Colin+Robert'")
			r := e.send(t, e.signedGet(t, good, users+"?"+q))
			require.Equal(t, http.StatusOK, r.status, r.body)
			assert.Equal(t, []string{"u-plus"}, userIDs(t, r))
		}},
		{"A6 signed over the server's own URL", func(t *testing.T) {
			signReq, err := http.NewRequest(http.MethodGet, "http://10.0.0.5:8080"+users+"?"+o1Query(100, 0), nil)
			require.NoError(t, err)
			require.NoError(t, good.Sign(signReq))
			req := httptest.NewRequest(http.MethodGet, users+"?"+o1Query(100, 0), nil)
			req.Host = "10.0.0.5:8080"
			req.Header.Set("Authorization", signReq.Header.Get("Authorization"))
			assert.Equal(t, http.StatusOK, e.send(t, req).status)
		}},
		{"A6 signed over another host", func(t *testing.T) {
			signReq, err := http.NewRequest(http.MethodGet, "https://attacker.example/gw"+users, nil)
			require.NoError(t, err)
			require.NoError(t, good.Sign(signReq))
			req := httptest.NewRequest(http.MethodGet, users, nil)
			req.Header.Set("Authorization", signReq.Header.Get("Authorization"))
			assertO1Refused(t, e.send(t, req))
		}},
		{"A6 wrong secret", func(t *testing.T) {
			bad := e.signer(auth.NewCredential{Key: e.sha256.Key, Secret: e.sha256.Secret + "x"}, "", 0)
			assertO1Refused(t, e.send(t, e.signedGet(t, bad, users+"?"+o1Query(100, 0))), e.sha256.Secret)
		}},
		{"A6 tampered query", func(t *testing.T) {
			req := e.signedGet(t, good, users+"?"+o1Query(1, 0))
			req.URL.RawQuery = o1Query(100, 0)
			req.RequestURI = ""
			assertO1Refused(t, e.send(t, req))
			req = e.signedGet(t, good, users+"?"+o1Query(1, 0))
			req.URL.RawQuery = o1Query(1, 0)
			req.RequestURI = ""
			assert.Equal(t, http.StatusOK, e.send(t, req).status, "control: the same query untouched")
		}},
		{"A6 '+' instead of %20 in the signed string", func(t *testing.T) {
			q := o1Query(100, 0)
			params, err := oauth1.ParseForm(q)
			require.NoError(t, err)
			// send signs the base string by hand, the space as %20 (right)
			// or as '+' (form encoding, as a buggy client does).
			send := func(nonce string, plus bool) response {
				proto := []oauth1.Param{
					{Key: oauth1.ParamConsumerKey, Value: e.sha256.Key},
					{Key: oauth1.ParamNonce, Value: nonce},
					{Key: oauth1.ParamSignatureMethod, Value: oauth1.HMACSHA256},
					{Key: oauth1.ParamTimestamp, Value: strconv.FormatInt(e.now.Unix(), 10)},
					{Key: oauth1.ParamVersion, Value: "1.0"},
				}
				norm := oauth1.NormalizeParams(append(params, proto...))
				if plus {
					norm = strings.ReplaceAll(norm, "%20", "+")
				}
				base := "GET&" + oauth1.Encode(o1PublicURL+users) + "&" + oauth1.Encode(norm)
				sig, err := oauth1.Signature(oauth1.HMACSHA256, e.sha256.Secret, "", base)
				require.NoError(t, err)
				req := httptest.NewRequest(http.MethodGet, users+"?"+q, nil)
				req.Header.Set("Authorization", oauth1.FormatAuthorization(proto, sig))
				return e.send(t, req)
			}
			assert.Equal(t, http.StatusOK, send("pct20-nonce", false).status, "control: the same by hand with %20")
			assertO1Refused(t, send("plus-nonce", true))
		}},
		{"A6 missing oauth_nonce", func(t *testing.T) {
			req := e.signedGet(t, good, users)
			h := req.Header.Get("Authorization")
			start := strings.Index(h, "oauth_nonce=")
			end := start + strings.Index(h[start:], ", ") + 2
			req.Header.Set("Authorization", h[:start]+h[end:])
			assertO1Refused(t, e.send(t, req))
		}},
		{"A6 unknown key", func(t *testing.T) {
			s := e.signer(auth.NewCredential{Key: "pk_unknown", Secret: e.sha256.Secret}, "", 0)
			assertO1Refused(t, e.send(t, e.signedGet(t, s, users)))
		}},
		{"A6 disabled key", func(t *testing.T) {
			assertO1Refused(t, e.send(t, e.signedGet(t, e.signer(e.disabled, "", 0), users)))
		}},
		{"A6 a credential without OAuth 1.0a", func(t *testing.T) {
			assertO1Refused(t, e.send(t, e.signedGet(t, e.signer(e.off, "", 0), users)))
		}},
		{"A6 not on the 1.2 paths", func(t *testing.T) {
			r := e.send(t, e.signedGet(t, good, b12+"/users"))
			assert.Equal(t, http.StatusUnauthorized, r.status)
			assert.Equal(t, []string{`Bearer realm="passport"`}, r.header.Values("WWW-Authenticate"))
		}},
		{"A7 4 minutes late", func(t *testing.T) {
			assert.Equal(t, http.StatusOK, e.send(t, e.signedGet(t, e.signer(e.sha256, "", -4*time.Minute), users)).status)
		}},
		{"A7 stale timestamp", func(t *testing.T) {
			assertO1Refused(t, e.send(t, e.signedGet(t, e.signer(e.sha256, "", -6*time.Minute), users)))
		}},
		{"A7 timestamp in the future", func(t *testing.T) {
			assertO1Refused(t, e.send(t, e.signedGet(t, e.signer(e.sha256, "", 6*time.Minute), users)))
		}},
		{"A7 replayed nonce", func(t *testing.T) {
			req := e.signedGet(t, good, users+"?"+o1Query(100, 0))
			again := req.Clone(context.Background())
			require.Equal(t, http.StatusOK, e.send(t, req).status)
			assertO1Refused(t, e.send(t, again))
		}},
		{"A8 HMAC-SHA1 on a sha256-only credential", func(t *testing.T) {
			assertO1Refused(t, e.send(t, e.signedGet(t, e.signer(e.sha256, oauth1.HMACSHA1, 0), users+"?"+o1Query(100, 0))))
		}},
		{"A8 HMAC-SHA1 on a sha1-enabled credential", func(t *testing.T) {
			r := e.send(t, e.signedGet(t, e.signer(e.sha1, oauth1.HMACSHA1, 0), users+"?"+o1Query(100, 0)))
			require.Equal(t, http.StatusOK, r.status, r.body)
			assert.Equal(t, []string{"u-cr1", "u-cr2", "u-cr3"}, userIDs(t, r))
		}},
		{"A8 HMAC-SHA256 on a sha1-enabled credential", func(t *testing.T) {
			assert.Equal(t, http.StatusOK, e.send(t, e.signedGet(t, e.signer(e.sha1, oauth1.HMACSHA256, 0), users)).status)
		}},
		{"A9 another tenant's key sees nothing of this tenant", func(t *testing.T) {
			s := e.signer(e.other, "", 0)
			r := e.send(t, e.signedGet(t, s, users+"?"+o1Query(100, 0)))
			require.Equal(t, http.StatusOK, r.status, r.body)
			assert.Empty(t, userIDs(t, r))
			assert.Equal(t, "0", r.header.Get("X-Total-Count"))
			assert.Equal(t, http.StatusNotFound, e.send(t, e.signedGet(t, s, users+"/u-cr1")).status)
			r = e.send(t, e.signedGet(t, s, users+"/u-1"))
			assert.Equal(t, http.StatusOK, r.status, "its own tenant's user")
		}},
		{"bearer still works, also for an OAuth 1.0a credential", func(t *testing.T) {
			for _, c := range []auth.NewCredential{e.off, e.sha256} {
				form := url.Values{"grant_type": {"client_credentials"}}
				req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(c.Key, c.Secret) // HTTP Basic client authentication
				r := e.send(t, req)
				require.Equal(t, http.StatusOK, r.status, r.body)
				tok, _ := r.body["access_token"].(string)
				for _, b := range []string{b11, b12} {
					got := e.get(t, tok, b+"/users?filter="+url.QueryEscape(o1Filter))
					require.Equal(t, http.StatusOK, got.status, b)
					assert.Len(t, userIDs(t, got), 3, b)
				}
			}
		}},
		{"HTTP Basic is not a OneRoster scheme (unchanged)", func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, users, nil)
			req.SetBasicAuth(e.sha256.Key, e.sha256.Secret)
			assertO1Refused(t, e.send(t, req), e.sha256.Secret)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, tc.fn)
	}
}

// TestOAuth1Pull (A10): our pull client, signing with OAuth 1.0a, against
// our own provider over a real socket: a full pull in pages of one, and a
// paged read with a filter containing a space.
func TestOAuth1Pull(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newO1Env(t, open(t))
			base := listen(t, e.env)
			clock := func() time.Time { return e.now }

			for _, c := range []struct {
				cred   auth.NewCredential
				method string
			}{{e.sha256, oauth1.HMACSHA256}, {e.sha1, oauth1.HMACSHA1}} {
				p := &rest.Puller{
					BaseURL: base + b11, TokenURL: base + "/no-token-endpoint", ClientID: c.cred.Key, ClientSecret: c.cred.Secret,
					OAuth1: c.method, Clock: clock, Version: "1.1", PageSize: 1, HTTP: retrying(),
				}
				pkg, err := p.Pull(context.Background())
				require.NoError(t, err, c.method)
				op, err := orcsv.OpenFS(pkg, orcsv.Options{})
				require.NoError(t, err)
				dst := memstore.New()
				rep, err := orcsv.Import(context.Background(), dst, op, orcsv.ImportOptions{Tenant: "t"})
				require.NoError(t, err)
				assert.Empty(t, rep.Rejects)
				got, err := dst.Records(context.Background(), "t", oneroster.KindUser)
				require.NoError(t, err)
				assert.Len(t, got, 6, c.method)
			}

			// Paging a filter with a space, each page signed by the client.
			s := e.signer(e.sha256, "", 0)
			var seen []string
			for offset := 0; ; offset++ {
				req, err := http.NewRequest(http.MethodGet, base+b11+"/users?"+o1Query(1, offset), nil)
				require.NoError(t, err)
				require.NoError(t, s.Sign(req))
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				var page struct {
					Users []struct {
						SourcedID string `json:"sourcedId"`
						GivenName string `json:"givenName"`
					} `json:"users"`
				}
				err = json.NewDecoder(resp.Body).Decode(&page)
				require.NoError(t, resp.Body.Close())
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, resp.StatusCode)
				for _, u := range page.Users {
					assert.Equal(t, "Colin Robert", u.GivenName)
					seen = append(seen, u.SourcedID)
				}
				if len(page.Users) < 1 {
					break
				}
			}
			assert.Equal(t, []string{"u-cr1", "u-cr2", "u-cr3"}, seen)
		})
	}
}
