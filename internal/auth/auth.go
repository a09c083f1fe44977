package auth

import (
	"context"
	"slices"
	"time"
)

// DefaultTenant is the tenant a command means when it is given no --tenant.
const DefaultTenant = "default"

// Tenant is one isolated organisation: its own LRS, roster and registrations.
type Tenant struct {
	ID      string
	Created time.Time
}

// Credential is an API client: a public key, a slow hash of its secret, and
// the scopes it may use inside exactly one tenant.
type Credential struct {
	Key        string
	SecretHash string // bcrypt hash; the secret itself is never stored
	Tenant     string
	Name       string
	Scopes     []string
	Created    time.Time
	Disabled   bool
	// OAuth1Methods lists the OAuth 1.0a signature methods the credential
	// may sign with ("HMAC-SHA256", and "HMAC-SHA1" only when allowed);
	// nil when OAuth 1.0a is off for it. Its secret is then derived from
	// the OAuth 1.0a master key (see DeriveOAuth1Secret), never stored.
	OAuth1Methods []string
}

// Token is an issued OAuth 2.0 bearer token. Only its SHA-256 is stored.
// A launch token (Agent set) is bound to one learner and one xAPI
// registration: the LRS lets it act only for that agent and registration.
type Token struct {
	Hash    string // hex SHA-256 of the opaque token
	Key     string // the credential that asked for it
	Tenant  string
	Scopes  []string
	Expires time.Time
	// Agent is the canonical IFI key of the learner a launch token is bound
	// to (as lrs.AgentKey renders it); "" for an unbound token.
	Agent string
	// Registration is the lowercase xAPI registration UUID a launch token
	// is bound to; "" for an unbound token.
	Registration string
}

// Store keeps tenants, credentials and tokens.
type Store interface {
	// CreateTenant adds a tenant; store.ErrConflict if the id is taken.
	CreateTenant(ctx context.Context, t Tenant) error
	// Tenant returns one tenant; store.ErrNotFound if absent.
	Tenant(ctx context.Context, id string) (Tenant, error)
	// Tenants lists every tenant ordered by id.
	Tenants(ctx context.Context) ([]Tenant, error)

	// CreateCredential adds a credential; store.ErrConflict if the key is taken.
	CreateCredential(ctx context.Context, c Credential) error
	// Credential returns the credential with that key, in any tenant;
	// store.ErrNotFound if absent.
	Credential(ctx context.Context, key string) (Credential, error)
	// Credentials lists a tenant's credentials ordered by key.
	Credentials(ctx context.Context, tenant string) ([]Credential, error)
	// SetCredentialDisabled enables or disables a tenant's credential;
	// store.ErrNotFound if the tenant has no such key.
	SetCredentialDisabled(ctx context.Context, tenant, key string, disabled bool) error

	// SaveToken stores an issued token; store.ErrConflict if the hash exists.
	SaveToken(ctx context.Context, t Token) error
	// Token returns the token with that hash if it has not expired at now;
	// store.ErrNotFound otherwise.
	Token(ctx context.Context, hash string, now time.Time) (Token, error)
	// DeleteExpiredTokens removes tokens expired before now and says how many.
	DeleteExpiredTokens(ctx context.Context, now time.Time) (int, error)

	// UseOAuth1Nonce records that a tenant's credential key used an OAuth
	// 1.0a nonce, until expires. store.ErrConflict if that (tenant, key,
	// nonce) is already recorded (a replay), even past its expiry: the
	// record goes away only at DeleteExpiredOAuth1Nonces.
	UseOAuth1Nonce(ctx context.Context, tenant, key, nonce string, expires time.Time) error
	// DeleteExpiredOAuth1Nonces removes nonce records expired at or before
	// now and says how many.
	DeleteExpiredOAuth1Nonces(ctx context.Context, now time.Time) (int, error)
}

// Principal is who an authenticated request acts as.
type Principal struct {
	Tenant string
	Key    string // the credential key: the xAPI authority and audit subject
	Name   string
	Scopes []string
	// Agent, when set, binds the principal to one learner: the canonical
	// IFI key (lrs.AgentKey) of the only actor it may write and read for.
	Agent string
	// Registration, when set with Agent, is the only xAPI registration
	// (lowercase UUID) the principal may write and read for.
	Registration string
}

// Bound reports whether p is a launch principal restricted to one agent.
func (p Principal) Bound() bool { return p.Agent != "" }

// Has reports whether p holds any of the scopes.
func (p Principal) Has(scopes ...string) bool {
	for _, s := range scopes {
		if slices.Contains(p.Scopes, s) {
			return true
		}
	}
	return false
}
