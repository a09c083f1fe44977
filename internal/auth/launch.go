package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/store"
)

// LaunchTokenTTL is the longest (and default) lifetime of a launch token:
// a long lesson, not a day.
const LaunchTokenTTL = 4 * time.Hour

// LaunchCredentialName names the per-tenant credential that launch tokens
// are issued under. Its secret is random and never shown or kept, so the
// only way to act as it is a launch token; disabling it revokes every
// launch token of the tenant (within the 30-second verification cache).
const LaunchCredentialName = "xapi launch"

// LaunchKey is the key of tenant's launch credential: the authority of the
// statements content writes with launch tokens.
func LaunchKey(tenant string) string { return "launch_" + tenant }

// LaunchScopes returns the scopes of a launch token: write statements,
// read back its own (further restricted to the bound learner and
// registration), and the learner's State documents (cmi5's LMS.LaunchData,
// bookmarks and suspend data of Tin Can content).
func LaunchScopes() []string {
	return []string{ScopeStatementsWrite, ScopeStatementsReadMine, ScopeState}
}

// LaunchGrant is what a launch token is bound to.
type LaunchGrant struct {
	Tenant string
	// Agent is the learner's canonical IFI key (lrs.AgentKey of the actor
	// the content is given).
	Agent string
	// Registration is the xAPI registration (a UUID) of the attempt.
	Registration string
	// TTL is the token's lifetime; zero or more than LaunchTokenTTL means
	// LaunchTokenTTL.
	TTL time.Duration
}

// IssueLaunchToken issues a short-lived opaque bearer token bound to one
// learner and one registration, under the tenant's launch credential
// (created on first use). Content receives only this token: no long-lived
// secret ever leaves the server.
func (a *Authenticator) IssueLaunchToken(ctx context.Context, g LaunchGrant) (string, Token, error) {
	raw, t, err := a.PrepareLaunchToken(ctx, g)
	if err != nil {
		return "", Token{}, err
	}
	if err := a.store.SaveToken(ctx, t); err != nil {
		return "", Token{}, fmt.Errorf("save launch token: %w", err)
	}
	return raw, t, nil
}

// PrepareLaunchToken is IssueLaunchToken without the final save: it checks
// the grant and the tenant's launch credential and returns the secret and
// the token record to store (only the SHA-256 hash of the secret, and the
// bindings). The token is not valid until the caller stores the record
// with auth.Store's SaveToken semantics, for example in the same write as
// the launch that hands it out.
func (a *Authenticator) PrepareLaunchToken(ctx context.Context, g LaunchGrant) (string, Token, error) {
	if !ValidTenantID(g.Tenant) {
		return "", Token{}, fmt.Errorf("launch token: invalid tenant %q", g.Tenant)
	}
	if g.Agent == "" {
		return "", Token{}, errors.New("launch token: an agent is required")
	}
	reg, err := uuid.Parse(g.Registration)
	if err != nil || len(g.Registration) != 36 {
		return "", Token{}, errors.New("launch token: the registration must be a UUID")
	}
	ttl := g.TTL
	if ttl <= 0 || ttl > LaunchTokenTTL {
		ttl = LaunchTokenTTL
	}
	if err := a.ensureLaunchCredential(ctx, g.Tenant); err != nil {
		return "", Token{}, err
	}
	raw, err := randomString(32)
	if err != nil {
		return "", Token{}, err
	}
	t := Token{
		Hash: HashToken(raw), Key: LaunchKey(g.Tenant), Tenant: g.Tenant, Scopes: LaunchScopes(),
		Expires: a.now().UTC().Add(ttl), Agent: g.Agent, Registration: reg.String(),
	}
	return raw, t, nil
}

// ensureLaunchCredential makes sure tenant's launch credential exists and
// is enabled; a check is remembered like a verified secret.
func (a *Authenticator) ensureLaunchCredential(ctx context.Context, tenant string) error {
	key := LaunchKey(tenant)
	mac := a.mac("launch\x00" + key)
	if _, ok := a.lookup("l\x00"+key, mac); ok {
		return nil
	}
	c, err := a.store.Credential(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		secret, rerr := randomString(32)
		if rerr != nil {
			return rerr
		}
		// The secret is discarded: nobody can authenticate as this
		// credential except through the tokens issued here.
		err = a.createCredential(ctx, Credential{Tenant: tenant, Name: LaunchCredentialName, Key: key, Scopes: LaunchScopes()}, secret)
		if errors.Is(err, store.ErrConflict) { // created concurrently
			c, err = a.store.Credential(ctx, key)
		} else if err == nil {
			c = Credential{Key: key, Tenant: tenant, Name: LaunchCredentialName}
		}
	}
	if err != nil {
		return fmt.Errorf("launch credential: %w", err)
	}
	if c.Tenant != tenant || c.Name != LaunchCredentialName {
		return errors.New("launch credential: its key is taken by another credential")
	}
	if c.Disabled {
		return fmt.Errorf("launch credential disabled: %w", ErrBadCredentials)
	}
	a.remember("l\x00"+key, mac, Principal{Tenant: tenant, Key: key})
	return nil
}
