package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/passportbridge/passport/store"
)

// ErrBadCredentials means a key, secret or token is missing, unknown, wrong,
// expired or disabled. Callers answer 401 and never say which.
var ErrBadCredentials = errors.New("invalid credentials")

// ErrScope means an authenticated principal lacks a scope it asked for.
var ErrScope = errors.New("insufficient scope")

// TokenTTL is how long an issued bearer token lives.
const TokenTTL = time.Hour

// verifiedTTL bounds how long a checked secret or token is trusted without
// asking the store again; it is also how long disabling a credential takes to
// reach every request.
const verifiedTTL = 30 * time.Second

// maxCached bounds the verification cache; it is cleared when full.
const maxCached = 10000

// bcryptCost is the work factor of stored secret hashes.
const bcryptCost = 10

// Authenticator checks credentials and tokens against a Store. Secrets are
// stored as bcrypt hashes; since bcrypt is slow by design, a secret checked
// once is remembered for verifiedTTL as an HMAC under a per-process key, so
// busy xAPI clients pay the hash once, not on every request.
type Authenticator struct {
	store Store
	now   func() time.Time
	pep   [32]byte // per-process HMAC key for the cache; never stored

	mu    sync.Mutex
	cache map[string]cached // credential key or token hash → verified principal

	dummyHash []byte // compared when a key is unknown, so timing does not tell

	oauth1     *oauth1State // nil until EnableOAuth1
	nonceSwept time.Time    // last sweep of expired OAuth 1.0a nonces (under mu)
}

type cached struct {
	mac       [32]byte
	principal Principal
	expires   time.Time
}

// NewAuthenticator returns an Authenticator over s using clock now.
func NewAuthenticator(s Store, now func() time.Time) *Authenticator {
	a := &Authenticator{store: s, now: now, cache: map[string]cached{}}
	_, _ = rand.Read(a.pep[:])
	a.dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a secret"), bcryptCost)
	return a
}

// NewCredential is what CreateCredential gives back: the secret is shown
// once and never again.
type NewCredential struct {
	Key, Secret, Tenant string
	Scopes              []string
	// OAuth1Methods are the OAuth 1.0a signature methods it may use; nil
	// when OAuth 1.0a is off for it.
	OAuth1Methods []string
}

// CreateCredential creates a credential in tenant (creating the tenant if it
// does not exist) with a random key and secret. With WithOAuth1, the secret
// is derived from the OAuth 1.0a master key instead (ErrOAuth1Off without
// one); it works with HTTP Basic and /oauth/token all the same.
func (a *Authenticator) CreateCredential(ctx context.Context, tenant, name string, scopes []string, opts ...CredentialOption) (NewCredential, error) {
	var o Credential
	for _, opt := range opts {
		opt(&o)
	}
	rnd, err := randomString(12)
	if err != nil {
		return NewCredential{}, err
	}
	key := "pk_" + rnd
	var secret string
	if len(o.OAuth1Methods) > 0 {
		if a.oauth1 == nil {
			return NewCredential{}, ErrOAuth1Off
		}
		secret = DeriveOAuth1Secret(a.oauth1.key, tenant, key)
	} else if secret, err = randomString(32); err != nil {
		return NewCredential{}, err
	}
	if err := a.createCredential(ctx, Credential{Tenant: tenant, Name: name, Key: key, Scopes: scopes, OAuth1Methods: o.OAuth1Methods}, secret); err != nil {
		return NewCredential{}, err
	}
	return NewCredential{Key: key, Secret: secret, Tenant: tenant, Scopes: scopes, OAuth1Methods: o.OAuth1Methods}, nil
}

// EnsureBootstrap makes sure the default tenant has a credential with every
// scope under key and secret. It fails if key exists with another secret or
// in another tenant, rather than silently keep a credential the operator
// does not expect.
func (a *Authenticator) EnsureBootstrap(ctx context.Context, key, secret string) error {
	c, err := a.store.Credential(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return a.createCredential(ctx, Credential{Tenant: DefaultTenant, Name: "bootstrap", Key: key, Scopes: KnownScopes}, secret)
	case err != nil:
		return fmt.Errorf("bootstrap credential: %w", err)
	}
	if c.Tenant != DefaultTenant || bcrypt.CompareHashAndPassword([]byte(c.SecretHash), []byte(secret)) != nil {
		return errors.New("bootstrap credential: key exists with another secret or tenant")
	}
	return nil
}

// createCredential stores c (Key, Tenant, Name, Scopes, OAuth1Methods set)
// with the bcrypt hash of secret.
func (a *Authenticator) createCredential(ctx context.Context, c Credential, secret string) error {
	if err := a.EnsureTenant(ctx, c.Tenant); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(secret), bcryptCost)
	if err != nil {
		return fmt.Errorf("hash secret: %w", err)
	}
	c.SecretHash, c.Created = string(hash), a.now().UTC()
	if err := a.store.CreateCredential(ctx, c); err != nil {
		return fmt.Errorf("create credential: %w", err)
	}
	return nil
}

// EnsureTenant creates tenant id unless it exists.
func (a *Authenticator) EnsureTenant(ctx context.Context, id string) error {
	if !ValidTenantID(id) {
		return fmt.Errorf("tenant %q: want 1-64 letters, digits, '-' or '_'", id)
	}
	err := a.store.CreateTenant(ctx, Tenant{ID: id, Created: a.now().UTC()})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("create tenant: %w", err)
	}
	return nil
}

// ValidTenantID reports whether id can name a tenant.
func ValidTenantID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// Basic authenticates a key and secret.
func (a *Authenticator) Basic(ctx context.Context, key, secret string) (Principal, error) {
	if key == "" || secret == "" {
		return Principal{}, ErrBadCredentials
	}
	mac := a.mac("basic\x00" + key + "\x00" + secret)
	if p, ok := a.lookup("k\x00"+key, mac); ok {
		return p, nil
	}
	c, err := a.store.Credential(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		_ = bcrypt.CompareHashAndPassword(a.dummyHash, []byte(secret))
		return Principal{}, ErrBadCredentials
	}
	if err != nil {
		return Principal{}, fmt.Errorf("look up credential: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(c.SecretHash), []byte(secret)) != nil || c.Disabled {
		return Principal{}, ErrBadCredentials
	}
	p := Principal{Tenant: c.Tenant, Key: c.Key, Name: c.Name, Scopes: c.Scopes}
	a.remember("k\x00"+key, mac, p)
	return p, nil
}

// IssueToken checks a client's key and secret and issues an opaque bearer
// token for the requested scopes (all of the credential's when none are
// asked for). Asking for a scope the credential lacks is ErrScope.
func (a *Authenticator) IssueToken(ctx context.Context, key, secret string, requested []string) (string, Token, error) {
	p, err := a.Basic(ctx, key, secret)
	if err != nil {
		return "", Token{}, err
	}
	scopes := p.Scopes
	if len(requested) > 0 {
		for _, s := range requested {
			if !slices.Contains(p.Scopes, s) {
				return "", Token{}, fmt.Errorf("%w: %s", ErrScope, s)
			}
		}
		scopes = requested
	}
	raw, err := randomString(32)
	if err != nil {
		return "", Token{}, err
	}
	t := Token{Hash: HashToken(raw), Key: p.Key, Tenant: p.Tenant, Scopes: scopes, Expires: a.now().UTC().Add(TokenTTL)}
	if err := a.store.SaveToken(ctx, t); err != nil {
		return "", Token{}, fmt.Errorf("save token: %w", err)
	}
	return raw, t, nil
}

// Bearer authenticates an opaque bearer token. The credential behind it must
// still be enabled.
func (a *Authenticator) Bearer(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, ErrBadCredentials
	}
	hash := HashToken(token)
	mac := a.mac("bearer\x00" + hash)
	if p, ok := a.lookup("t\x00"+hash, mac); ok {
		return p, nil
	}
	t, err := a.store.Token(ctx, hash, a.now())
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrBadCredentials
	}
	if err != nil {
		return Principal{}, fmt.Errorf("look up token: %w", err)
	}
	c, err := a.store.Credential(ctx, t.Key)
	if errors.Is(err, store.ErrNotFound) || err == nil && (c.Disabled || c.Tenant != t.Tenant) {
		return Principal{}, ErrBadCredentials
	}
	if err != nil {
		return Principal{}, fmt.Errorf("look up credential: %w", err)
	}
	p := Principal{Tenant: t.Tenant, Key: t.Key, Name: c.Name, Scopes: t.Scopes, Agent: t.Agent, Registration: t.Registration}
	a.rememberUntil("t\x00"+hash, mac, p, t.Expires)
	return p, nil
}

// HashToken is the stored form of a bearer token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (a *Authenticator) mac(s string) [32]byte {
	h := hmac.New(sha256.New, a.pep[:])
	h.Write([]byte(s))
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func (a *Authenticator) lookup(id string, mac [32]byte) (Principal, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.cache[id]
	if !ok || !hmac.Equal(e.mac[:], mac[:]) || !a.now().Before(e.expires) {
		return Principal{}, false
	}
	return e.principal, true
}

func (a *Authenticator) remember(id string, mac [32]byte, p Principal) {
	a.rememberUntil(id, mac, p, time.Time{})
}

// rememberUntil caches a verified principal for verifiedTTL, but never past
// limit (a token's expiry) when limit is set: an expired token is refused
// at once, not up to verifiedTTL later.
func (a *Authenticator) rememberUntil(id string, mac [32]byte, p Principal, limit time.Time) {
	expires := a.now().Add(verifiedTTL)
	if !limit.IsZero() && limit.Before(expires) {
		expires = limit
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.cache) >= maxCached {
		clear(a.cache)
	}
	a.cache[id] = cached{mac: mac, principal: p, expires: expires}
}

// randomString returns n random bytes, base64url-encoded without padding.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
