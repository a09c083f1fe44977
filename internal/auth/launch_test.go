package auth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
)

const (
	learnerA = "account:https://passport.example/|learner-a"
	regA     = "0b6f1f5e-9f59-4a8e-8f0c-3f7f2b0d6a11"
)

func TestIssueLaunchToken(t *testing.T) {
	t.Parallel()
	a, c, s := newAuth(t)
	ctx := t.Context()

	raw, tok, err := a.IssueLaunchToken(ctx, auth.LaunchGrant{Tenant: "camp-a", Agent: learnerA, Registration: "0B6F1F5E-9F59-4A8E-8F0C-3F7F2B0D6A11"})
	require.NoError(t, err)
	assert.Equal(t, regA, tok.Registration, "the registration is stored lowercase")
	assert.Equal(t, c.now().Add(auth.LaunchTokenTTL), tok.Expires)
	assert.Equal(t, auth.LaunchKey("camp-a"), tok.Key)
	assert.NotContains(t, tok.Hash, raw)

	stored, err := s.Token(ctx, auth.HashToken(raw), c.now())
	require.NoError(t, err)
	assert.Equal(t, learnerA, stored.Agent)
	assert.Equal(t, regA, stored.Registration)

	p, err := a.Bearer(ctx, raw)
	require.NoError(t, err)
	assert.True(t, p.Bound())
	assert.Equal(t, auth.Principal{
		Tenant: "camp-a", Key: auth.LaunchKey("camp-a"), Name: auth.LaunchCredentialName,
		Scopes: auth.LaunchScopes(), Agent: learnerA, Registration: regA,
	}, p)
	assert.False(t, p.Has(auth.ScopeStatementsRead, auth.ScopeAll, auth.ScopeAdmin, auth.ScopeProfile))

	cred, err := s.Credential(ctx, auth.LaunchKey("camp-a"))
	require.NoError(t, err)
	assert.Equal(t, "camp-a", cred.Tenant)
	assert.NotEmpty(t, cred.SecretHash, "the launch credential has a secret nobody knows")

	// A second launch reuses the tenant's launch credential.
	raw2, _, err := a.IssueLaunchToken(ctx, auth.LaunchGrant{Tenant: "camp-a", Agent: learnerA, Registration: regA, TTL: time.Minute})
	require.NoError(t, err)
	assert.NotEqual(t, raw, raw2)
}

func TestIssueLaunchTokenRefuses(t *testing.T) {
	t.Parallel()
	a, _, _ := newAuth(t)
	tests := []struct {
		name string
		g    auth.LaunchGrant
	}{
		{"no agent", auth.LaunchGrant{Tenant: "camp-a", Registration: regA}},
		{"no registration", auth.LaunchGrant{Tenant: "camp-a", Agent: learnerA}},
		{"registration not a uuid", auth.LaunchGrant{Tenant: "camp-a", Agent: learnerA, Registration: "attempt-1"}},
		{"registration in braces", auth.LaunchGrant{Tenant: "camp-a", Agent: learnerA, Registration: "{" + regA + "}"}},
		{"bad tenant", auth.LaunchGrant{Tenant: "camp a", Agent: learnerA, Registration: regA}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := a.IssueLaunchToken(t.Context(), tc.g)
			assert.Error(t, err)
		})
	}
}

func TestLaunchTokenLifetime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ttl  time.Duration
		want time.Duration
	}{
		{"default", 0, auth.LaunchTokenTTL},
		{"shorter", 10 * time.Second, 10 * time.Second},
		{"capped", 24 * time.Hour, auth.LaunchTokenTTL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, c, _ := newAuth(t)
			ctx := t.Context()
			raw, tok, err := a.IssueLaunchToken(ctx, auth.LaunchGrant{Tenant: "camp-a", Agent: learnerA, Registration: regA, TTL: tc.ttl})
			require.NoError(t, err)
			assert.Equal(t, c.now().Add(tc.want), tok.Expires)
			_, err = a.Bearer(ctx, raw) // now cached
			require.NoError(t, err)
			c.add(tc.want - time.Nanosecond)
			_, err = a.Bearer(ctx, raw)
			require.NoError(t, err, "valid until its expiry")
			c.add(time.Nanosecond)
			_, err = a.Bearer(ctx, raw)
			require.ErrorIs(t, err, auth.ErrBadCredentials, "refused at expiry, even though it was cached")
		})
	}
}

func TestLaunchCredentialDisabled(t *testing.T) {
	t.Parallel()
	a, c, s := newAuth(t)
	ctx := t.Context()
	raw, _, err := a.IssueLaunchToken(ctx, auth.LaunchGrant{Tenant: "camp-a", Agent: learnerA, Registration: regA})
	require.NoError(t, err)
	require.NoError(t, s.SetCredentialDisabled(ctx, "camp-a", auth.LaunchKey("camp-a"), true))
	c.add(time.Minute) // past the verification cache

	_, err = a.Bearer(ctx, raw)
	require.ErrorIs(t, err, auth.ErrBadCredentials, "disabling the launch credential revokes its tokens")
	_, _, err = a.IssueLaunchToken(ctx, auth.LaunchGrant{Tenant: "camp-a", Agent: learnerA, Registration: regA})
	require.ErrorIs(t, err, auth.ErrBadCredentials, "and stops new ones")
}

func TestLaunchKeyTakenByAnotherCredential(t *testing.T) {
	t.Parallel()
	a, _, _ := newAuth(t)
	ctx := t.Context()
	require.NoError(t, a.EnsureBootstrap(ctx, auth.LaunchKey(auth.DefaultTenant), "operator-secret"))
	_, _, err := a.IssueLaunchToken(ctx, auth.LaunchGrant{Tenant: auth.DefaultTenant, Agent: learnerA, Registration: regA})
	require.Error(t, err, "a credential that is not the launch credential is never reused for launches")
}
