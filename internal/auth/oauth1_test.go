package auth_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/oauth1"
	"github.com/passportbridge/passport/store"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// masterKey is a fixed test master key: bytes 0..31.
func masterKey() []byte {
	k := make([]byte, auth.OAuth1KeySize)
	for i := range k {
		k[i] = byte(i)
	}
	return k
}

func TestDeriveOAuth1Secret(t *testing.T) {
	t.Parallel()
	// Known answer: base64url(HMAC-SHA256(0x00..0x1f, "passport-oauth1\0camp-a\0pk_abc")), unpadded.
	assert.Equal(t, "eQsx2cmh7z7TKKzkeFe7DqGk1PXYhvKN7I2IF7f3nsY", auth.DeriveOAuth1Secret(masterKey(), "camp-a", "pk_abc"))
	assert.NotEqual(t, auth.DeriveOAuth1Secret(masterKey(), "camp-a", "pk_abc"), auth.DeriveOAuth1Secret(masterKey(), "camp-b", "pk_abc"), "tenant matters")
	other := masterKey()
	other[0] = 1
	assert.NotEqual(t, auth.DeriveOAuth1Secret(masterKey(), "camp-a", "pk_abc"), auth.DeriveOAuth1Secret(other, "camp-a", "pk_abc"), "a new master key changes every secret")
}

func TestParseOAuth1Option(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"hmac-sha256", []string{oauth1.HMACSHA256}},
		{"HMAC-SHA256", []string{oauth1.HMACSHA256}},
		{"hmac-sha1", []string{oauth1.HMACSHA256, oauth1.HMACSHA1}},
		{"plaintext", nil},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := auth.ParseOAuth1Option(tc.in)
			if tc.want == nil {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestCreateOAuth1Credential(t *testing.T) {
	t.Parallel()
	a, _, s := newAuth(t)
	ctx := t.Context()
	_, err := a.CreateCredential(ctx, "camp-a", "moodle", []string{"roster.readonly"}, auth.WithOAuth1([]string{oauth1.HMACSHA256}))
	require.ErrorIs(t, err, auth.ErrOAuth1Off, "no master key, no OAuth 1.0a credential")

	require.Error(t, a.EnableOAuth1(auth.OAuth1Config{MasterKey: []byte("short")}))
	require.NoError(t, a.EnableOAuth1(auth.OAuth1Config{MasterKey: masterKey()}))
	nc, err := a.CreateCredential(ctx, "camp-a", "moodle", []string{"roster.readonly"}, auth.WithOAuth1([]string{oauth1.HMACSHA256}))
	require.NoError(t, err)
	assert.Equal(t, auth.DeriveOAuth1Secret(masterKey(), "camp-a", nc.Key), nc.Secret, "the secret is derived")
	assert.Equal(t, []string{oauth1.HMACSHA256}, nc.OAuth1Methods)

	stored, err := s.Credential(ctx, nc.Key)
	require.NoError(t, err)
	assert.Equal(t, []string{oauth1.HMACSHA256}, stored.OAuth1Methods)
	assert.NotContains(t, stored.SecretHash, nc.Secret, "only a hash is stored")

	// The same key and secret work with Basic and at the token endpoint.
	p, err := a.Basic(ctx, nc.Key, nc.Secret)
	require.NoError(t, err)
	assert.Equal(t, "camp-a", p.Tenant)
	_, _, err = a.IssueToken(ctx, nc.Key, nc.Secret, nil)
	require.NoError(t, err)
}

// signed builds the OAuth1Request of a GET the server sees at
// http://internal:8080 + path, signed over signURL.
func signed(t *testing.T, s *oauth1.Signer, signURL, path string) auth.OAuth1Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, signURL, nil)
	require.NoError(t, err)
	require.NoError(t, s.Sign(req))
	return auth.OAuth1Request{
		Method: http.MethodGet, Scheme: "http", Host: "internal:8080", Path: path,
		RawQuery: req.URL.RawQuery, Authorization: req.Header.Get("Authorization"),
	}
}

func TestOAuth1(t *testing.T) {
	t.Parallel()
	a, clk, s := newAuth(t)
	ctx := t.Context()
	require.NoError(t, a.EnableOAuth1(auth.OAuth1Config{MasterKey: masterKey(), PublicURL: "https://passport.example.org/gw/"}))
	scopes := []string{"roster.readonly"}
	sha256, err := a.CreateCredential(ctx, "camp-a", "moodle", scopes, auth.WithOAuth1([]string{oauth1.HMACSHA256}))
	require.NoError(t, err)
	sha1, err := a.CreateCredential(ctx, "camp-a", "longsight", scopes, auth.WithOAuth1([]string{oauth1.HMACSHA256, oauth1.HMACSHA1}))
	require.NoError(t, err)
	plain, err := a.CreateCredential(ctx, "camp-a", "plain", scopes)
	require.NoError(t, err)
	disabled, err := a.CreateCredential(ctx, "camp-a", "gone", scopes, auth.WithOAuth1([]string{oauth1.HMACSHA256}))
	require.NoError(t, err)
	require.NoError(t, s.SetCredentialDisabled(ctx, "camp-a", disabled.Key, true))

	const path = "/ims/oneroster/v1p1/users"
	const query = "?filter=givenName%3D%27Colin%20Robert%27&limit=2&offset=0"
	public := "https://passport.example.org/gw" + path + query
	signer := func(key, secret, method string, skew time.Duration) *oauth1.Signer {
		return &oauth1.Signer{ConsumerKey: key, ConsumerSecret: secret, Method: method, Clock: func() time.Time { return clk.now().Add(skew) }}
	}
	good := signer(sha256.Key, sha256.Secret, "", 0)

	tests := []struct {
		name   string
		req    func() auth.OAuth1Request
		wantOK bool
	}{
		{"A6 sha256 over the public URL", func() auth.OAuth1Request { return signed(t, good, public, path) }, true},
		{"A6 sha256 over the request's own URL", func() auth.OAuth1Request {
			return signed(t, good, "http://internal:8080"+path+query, path)
		}, true},
		{"A6 another host", func() auth.OAuth1Request { return signed(t, good, "https://evil.example"+path+query, path) }, false},
		{"A6 wrong secret", func() auth.OAuth1Request {
			return signed(t, signer(sha256.Key, sha256.Secret+"x", "", 0), public, path)
		}, false},
		{"A6 tampered query", func() auth.OAuth1Request {
			r := signed(t, good, public, path)
			r.RawQuery = strings.Replace(r.RawQuery, "limit=2", "limit=3", 1)
			return r
		}, false},
		{"A6 space sent as plus still verifies", func() auth.OAuth1Request {
			r := signed(t, good, public, path)
			r.RawQuery = strings.Replace(r.RawQuery, "%20", "+", 1)
			return r
		}, true},
		{"A6 plain credential", func() auth.OAuth1Request { return signed(t, signer(plain.Key, plain.Secret, "", 0), public, path) }, false},
		{"A6 unknown key", func() auth.OAuth1Request { return signed(t, signer("pk_nope", sha256.Secret, "", 0), public, path) }, false},
		{"A6 disabled", func() auth.OAuth1Request {
			return signed(t, signer(disabled.Key, disabled.Secret, "", 0), public, path)
		}, false},
		{"A6 oauth parameter in the query", func() auth.OAuth1Request {
			r := signed(t, good, public, path)
			r.RawQuery += "&oauth_version=1.0"
			return r
		}, false},
		{"A6 malformed header", func() auth.OAuth1Request {
			r := signed(t, good, public, path)
			r.Authorization = strings.TrimSuffix(r.Authorization, `"`)
			return r
		}, false},
		{"A7 4m59s late", func() auth.OAuth1Request {
			return signed(t, signer(sha256.Key, sha256.Secret, "", -299*time.Second), public, path)
		}, true},
		{"A7 5m early", func() auth.OAuth1Request {
			return signed(t, signer(sha256.Key, sha256.Secret, "", 5*time.Minute), public, path)
		}, true},
		{"A7 stale", func() auth.OAuth1Request {
			return signed(t, signer(sha256.Key, sha256.Secret, "", -6*time.Minute), public, path)
		}, false},
		{"A7 future", func() auth.OAuth1Request {
			return signed(t, signer(sha256.Key, sha256.Secret, "", 6*time.Minute), public, path)
		}, false},
		{"A8 sha1 not allowed", func() auth.OAuth1Request {
			return signed(t, signer(sha256.Key, sha256.Secret, oauth1.HMACSHA1, 0), public, path)
		}, false},
		{"A8 sha1 allowed", func() auth.OAuth1Request {
			return signed(t, signer(sha1.Key, sha1.Secret, oauth1.HMACSHA1, 0), public, path)
		}, true},
		{"A8 sha256 on a sha1 credential", func() auth.OAuth1Request { return signed(t, signer(sha1.Key, sha1.Secret, "", 0), public, path) }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.OAuth1(ctx, tc.req())
			if !tc.wantOK {
				require.ErrorIs(t, err, auth.ErrBadCredentials)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "camp-a", p.Tenant)
			assert.Equal(t, scopes, p.Scopes)
		})
	}

	t.Run("A7 replayed nonce", func(t *testing.T) {
		r := signed(t, good, public, path)
		_, err := a.OAuth1(ctx, r)
		require.NoError(t, err)
		_, err = a.OAuth1(ctx, r)
		require.ErrorIs(t, err, auth.ErrBadCredentials)
		assert.Contains(t, err.Error(), "nonce")
	})

	t.Run("A7 expired nonces are swept", func(t *testing.T) {
		r := signed(t, good, public, path)
		h, err := oauth1.ParseAuthorization(r.Authorization)
		require.NoError(t, err)
		_, err = a.OAuth1(ctx, r)
		require.NoError(t, err)
		require.ErrorIs(t, s.UseOAuth1Nonce(ctx, "camp-a", sha256.Key, auth.NonceRecord(h.Timestamp, h.Nonce), clk.now().Add(time.Hour)), store.ErrConflict,
			"recorded under its timestamp and nonce")
		clk.add(11 * time.Minute)
		_, err = a.OAuth1(ctx, signed(t, good, public, path)) // sweeps on the way
		require.NoError(t, err)
		// The swept record is gone: the store takes it again.
		require.NoError(t, s.UseOAuth1Nonce(ctx, "camp-a", sha256.Key, auth.NonceRecord(h.Timestamp, h.Nonce), clk.now().Add(time.Hour)))
	})

	t.Run("off", func(t *testing.T) {
		b, _, _ := newAuth(t)
		_, err := b.OAuth1(ctx, signed(t, good, public, path))
		require.ErrorIs(t, err, auth.ErrBadCredentials)
	})
}

// BenchmarkOAuth1 is the cost of one verified OAuth 1.0a request on SQLite:
// header parse, credential read, HMAC, and the durable nonce write.
func BenchmarkOAuth1(b *testing.B) {
	s := sqlitetest.Open(b)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	a := auth.NewAuthenticator(s, func() time.Time { return now })
	require.NoError(b, a.EnableOAuth1(auth.OAuth1Config{MasterKey: masterKey(), PublicURL: "https://passport.example.org"}))
	c, err := a.CreateCredential(b.Context(), "camp-a", "moodle", []string{"roster.readonly"}, auth.WithOAuth1([]string{oauth1.HMACSHA256}))
	require.NoError(b, err)
	signer := &oauth1.Signer{ConsumerKey: c.Key, ConsumerSecret: c.Secret, Clock: func() time.Time { return now }}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, err := http.NewRequest(http.MethodGet, "https://passport.example.org/ims/oneroster/v1p1/users?filter=givenName%3D%27Colin%20Robert%27&limit=100&offset=0", nil)
			if err != nil {
				b.Error(err)
				return
			}
			if err := signer.Sign(req); err != nil {
				b.Error(err)
				return
			}
			_, err = a.OAuth1(b.Context(), auth.OAuth1Request{
				Method: http.MethodGet, Scheme: "https", Host: "passport.example.org", Path: req.URL.EscapedPath(),
				RawQuery: req.URL.RawQuery, Authorization: req.Header.Get("Authorization"),
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
