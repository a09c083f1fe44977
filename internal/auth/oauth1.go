package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passportbridge/passport/internal/oauth1"
	"github.com/passportbridge/passport/store"
)

// OAuth1Window is how far a request's oauth_timestamp may be from the
// server's clock, either way.
const OAuth1Window = 5 * time.Minute

// OAuth1KeySize is the length of the OAuth 1.0a master key in bytes.
const OAuth1KeySize = 32

// nonceSweepEvery is how often OAuth1 removes expired nonce records, on
// the way of a request.
const nonceSweepEvery = time.Minute

// ErrOAuth1Off means an OAuth 1.0a credential was asked for but the
// Authenticator has no master key to derive its secret.
var ErrOAuth1Off = errors.New("OAuth 1.0a is off: no master key")

// OAuth1Config turns OAuth 1.0a on for an Authenticator.
type OAuth1Config struct {
	// MasterKey derives every OAuth 1.0a secret (DeriveOAuth1Secret); it
	// must be OAuth1KeySize random bytes.
	MasterKey []byte
	// PublicURL is the server's external base URL (scheme, host and an
	// optional path prefix). Signatures are checked over it plus the
	// request path first, then over the request's own scheme and host.
	PublicURL string
	// Window overrides OAuth1Window when positive.
	Window time.Duration
}

// oauth1State is an enabled OAuth 1.0a configuration.
type oauth1State struct {
	key    []byte
	public *url.URL // nil when no public URL was given
	window time.Duration
}

// EnableOAuth1 turns OAuth 1.0a on. Call it before the Authenticator is
// used.
func (a *Authenticator) EnableOAuth1(c OAuth1Config) error {
	if len(c.MasterKey) != OAuth1KeySize {
		return fmt.Errorf("oauth 1.0a master key: want %d bytes, have %d", OAuth1KeySize, len(c.MasterKey))
	}
	st := &oauth1State{key: slices.Clone(c.MasterKey), window: c.Window}
	if st.window <= 0 {
		st.window = OAuth1Window
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("oauth 1.0a: public url %q is not absolute", c.PublicURL)
		}
		st.public = u
	}
	a.oauth1 = st
	return nil
}

// OAuth1Enabled reports whether EnableOAuth1 was called.
func (a *Authenticator) OAuth1Enabled() bool { return a.oauth1 != nil }

// DeriveOAuth1Secret is the secret of an OAuth 1.0a credential: the
// unpadded base64url of HMAC-SHA256(masterKey, "passport-oauth1" NUL tenant
// NUL key). It is never stored: the store keeps only its bcrypt hash, so
// a database dump alone yields no usable secret.
func DeriveOAuth1Secret(masterKey []byte, tenant, key string) string {
	m := hmac.New(sha256.New, masterKey)
	m.Write([]byte("passport-oauth1\x00" + tenant + "\x00" + key))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ParseOAuth1Option reads the --oauth1 option of a credential:
// "hmac-sha256" allows HMAC-SHA256 only; "hmac-sha1" allows HMAC-SHA1 as
// well as HMAC-SHA256 (case does not matter).
func ParseOAuth1Option(s string) ([]string, error) {
	switch strings.ToUpper(s) {
	case oauth1.HMACSHA256:
		return []string{oauth1.HMACSHA256}, nil
	case oauth1.HMACSHA1:
		return []string{oauth1.HMACSHA256, oauth1.HMACSHA1}, nil
	}
	return nil, fmt.Errorf("%q: want hmac-sha256 or hmac-sha1", s)
}

// CredentialOption changes a credential CreateCredential makes.
type CredentialOption func(*Credential)

// WithOAuth1 enables OAuth 1.0a with the signature methods (as
// ParseOAuth1Option returns them); the secret is then derived from the
// master key.
func WithOAuth1(methods []string) CredentialOption {
	return func(c *Credential) { c.OAuth1Methods = slices.Clone(methods) }
}

// OAuth1Request is what OAuth1 needs of an HTTP request.
type OAuth1Request struct {
	Method string
	// Scheme and Host are the request's own (as the server saw them,
	// after trusted proxies); Path is the request path as sent, escaped.
	Scheme, Host, Path string
	// RawQuery is the query string as sent.
	RawQuery string
	// Form is an application/x-www-form-urlencoded body; nil otherwise.
	Form []byte
	// Authorization is the Authorization header value.
	Authorization string
}

// OAuth1 authenticates a request signed with OAuth 1.0a (RFC 5849, two
// legged, as OneRoster 1.1 clients sign): the consumer key must name an
// enabled credential with OAuth 1.0a on and the signature method allowed,
// the signature must match its derived secret over the request, the
// timestamp must be within the window, and the nonce unused. Every refusal
// is ErrBadCredentials (the wrapped reason is for logs, never for the
// client); other errors mean the store failed.
func (a *Authenticator) OAuth1(ctx context.Context, r OAuth1Request) (Principal, error) {
	st := a.oauth1
	if st == nil {
		return Principal{}, fmt.Errorf("%w: oauth 1.0a is off", ErrBadCredentials)
	}
	h, err := oauth1.ParseAuthorization(r.Authorization)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrBadCredentials, err)
	}
	if h.Token != "" {
		return Principal{}, fmt.Errorf("%w: oauth_token is not supported", ErrBadCredentials)
	}
	if h.SignatureMethod != oauth1.HMACSHA256 && h.SignatureMethod != oauth1.HMACSHA1 {
		return Principal{}, fmt.Errorf("%w: unsupported signature method", ErrBadCredentials)
	}
	now := a.now()
	ts := time.Unix(h.Timestamp, 0)
	if ts.Before(now.Add(-st.window)) || ts.After(now.Add(st.window)) {
		return Principal{}, fmt.Errorf("%w: timestamp outside the window", ErrBadCredentials)
	}
	params, err := requestParams(r, h)
	if err != nil {
		return Principal{}, err
	}
	c, err := a.store.Credential(ctx, h.ConsumerKey)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, fmt.Errorf("%w: unknown key", ErrBadCredentials)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("look up credential: %w", err)
	}
	switch {
	case c.Disabled:
		return Principal{}, fmt.Errorf("%w: disabled", ErrBadCredentials)
	case !slices.Contains(c.OAuth1Methods, h.SignatureMethod):
		return Principal{}, fmt.Errorf("%w: signature method not allowed for the credential", ErrBadCredentials)
	}
	secret := DeriveOAuth1Secret(st.key, c.Tenant, c.Key)
	ok := false
	for _, uri := range st.baseURIs(r) {
		if oauth1.Verify(h.SignatureMethod, secret, "", oauth1.BaseString(r.Method, uri, params), h.Signature) {
			ok = true
			break
		}
	}
	if !ok {
		return Principal{}, fmt.Errorf("%w: bad signature", ErrBadCredentials)
	}
	// A nonce is unique per timestamp (RFC 5849 §3.3): the record is keyed
	// by both, and outlives the last instant the timestamp is accepted, so
	// a replay of the same signed request always finds it.
	expires := ts.Add(st.window + time.Second)
	err = a.store.UseOAuth1Nonce(ctx, c.Tenant, c.Key, NonceRecord(h.Timestamp, h.Nonce), expires)
	if errors.Is(err, store.ErrConflict) {
		return Principal{}, fmt.Errorf("%w: nonce already used", ErrBadCredentials)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("record nonce: %w", err)
	}
	a.sweepNonces(ctx, now)
	return Principal{Tenant: c.Tenant, Key: c.Key, Name: c.Name, Scopes: c.Scopes}, nil
}

// NonceRecord is the nonce value OAuth1 records for a request: its
// timestamp and nonce.
func NonceRecord(timestamp int64, nonce string) string {
	return strconv.FormatInt(timestamp, 10) + ":" + nonce
}

// requestParams collects what the base string signs: the query, a form
// body and the header's protocol parameters. A protocol parameter that
// also appears in the query or body is refused (RFC 5849 §3.5).
func requestParams(r OAuth1Request, h oauth1.Header) ([]oauth1.Param, error) {
	query, err := oauth1.ParseForm(r.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadCredentials, err)
	}
	form, err := oauth1.ParseForm(string(r.Form))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadCredentials, err)
	}
	params := append(query, form...)
	for _, p := range params {
		if strings.HasPrefix(p.Key, "oauth_") {
			return nil, fmt.Errorf("%w: protocol parameter outside the header", ErrBadCredentials)
		}
	}
	return append(params, h.Params...), nil
}

// baseURIs are the base string URIs a signature may have been made over:
// the public URL plus the request path, then the request's own scheme and
// host plus the path.
func (st *oauth1State) baseURIs(r OAuth1Request) []string {
	var out []string
	if st.public != nil {
		out = append(out, oauth1.BaseURI(st.public.Scheme, st.public.Host, strings.TrimSuffix(st.public.EscapedPath(), "/")+r.Path))
	}
	if r.Scheme != "" && r.Host != "" {
		if own := oauth1.BaseURI(r.Scheme, r.Host, r.Path); !slices.Contains(out, own) {
			out = append(out, own)
		}
	}
	return out
}

// sweepNonces removes expired nonce records at most once per
// nonceSweepEvery; a failed sweep is retried by a later request.
func (a *Authenticator) sweepNonces(ctx context.Context, now time.Time) {
	a.mu.Lock()
	due := now.Sub(a.nonceSwept) >= nonceSweepEvery
	if due {
		a.nonceSwept = now
	}
	a.mu.Unlock()
	if due {
		_, _ = a.store.DeleteExpiredOAuth1Nonces(ctx, now)
	}
}
