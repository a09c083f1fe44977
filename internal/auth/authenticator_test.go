package auth_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newAuth(t *testing.T) (*auth.Authenticator, *clock, auth.Store) {
	t.Helper()
	s := sqlitetest.Open(t)
	c := &clock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	return auth.NewAuthenticator(s, c.now), c, s
}

func TestBasic(t *testing.T) {
	t.Parallel()
	a, _, s := newAuth(t)
	ctx := t.Context()
	nc, err := a.CreateCredential(ctx, "camp-a", "kolibri", []string{auth.ScopeStatementsWrite})
	require.NoError(t, err)

	stored, err := s.Credential(ctx, nc.Key)
	require.NoError(t, err)
	assert.NotContains(t, stored.SecretHash, nc.Secret, "only a hash is stored")
	assert.Equal(t, "camp-a", stored.Tenant)

	tests := []struct {
		name, key, secret string
		ok                bool
	}{
		{"right", nc.Key, nc.Secret, true},
		{"wrong secret", nc.Key, nc.Secret + "x", false},
		{"unknown key", "pk_nope", nc.Secret, false},
		{"empty secret", nc.Key, "", false},
		{"empty key", "", nc.Secret, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.Basic(ctx, tc.key, tc.secret)
			if !tc.ok {
				require.ErrorIs(t, err, auth.ErrBadCredentials)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, auth.Principal{Tenant: "camp-a", Key: nc.Key, Name: "kolibri", Scopes: []string{auth.ScopeStatementsWrite}}, p)
			// Twice: the second answer comes from the cache and is the same.
			p2, err := a.Basic(ctx, tc.key, tc.secret)
			require.NoError(t, err)
			assert.Equal(t, p, p2)
		})
	}
}

func TestDisabledCredentialStopsWithinCacheTTL(t *testing.T) {
	t.Parallel()
	a, clk, s := newAuth(t)
	ctx := t.Context()
	nc, err := a.CreateCredential(ctx, auth.DefaultTenant, "x", []string{auth.ScopeAll})
	require.NoError(t, err)
	_, err = a.Basic(ctx, nc.Key, nc.Secret)
	require.NoError(t, err)
	raw, _, err := a.IssueToken(ctx, nc.Key, nc.Secret, nil)
	require.NoError(t, err)
	_, err = a.Bearer(ctx, raw)
	require.NoError(t, err)

	require.NoError(t, s.SetCredentialDisabled(ctx, auth.DefaultTenant, nc.Key, true))
	clk.add(31 * time.Second)
	_, err = a.Basic(ctx, nc.Key, nc.Secret)
	require.ErrorIs(t, err, auth.ErrBadCredentials)
	_, err = a.Bearer(ctx, raw)
	require.ErrorIs(t, err, auth.ErrBadCredentials, "a disabled credential's tokens stop too")
}

func TestTokens(t *testing.T) {
	t.Parallel()
	a, clk, _ := newAuth(t)
	ctx := t.Context()
	nc, err := a.CreateCredential(ctx, "camp-a", "sis", []string{auth.ScopeRoster, auth.ScopeRosterCore})
	require.NoError(t, err)

	_, _, err = a.IssueToken(ctx, nc.Key, "wrong", nil)
	require.ErrorIs(t, err, auth.ErrBadCredentials)
	_, _, err = a.IssueToken(ctx, nc.Key, nc.Secret, []string{auth.ScopeAdmin})
	require.ErrorIs(t, err, auth.ErrScope)

	raw, tok, err := a.IssueToken(ctx, nc.Key, nc.Secret, []string{auth.ScopeRosterCore})
	require.NoError(t, err)
	assert.Equal(t, auth.HashToken(raw), tok.Hash)
	assert.Equal(t, clk.now().Add(auth.TokenTTL), tok.Expires)
	p, err := a.Bearer(ctx, raw)
	require.NoError(t, err)
	assert.Equal(t, []string{auth.ScopeRosterCore}, p.Scopes)
	assert.Equal(t, "camp-a", p.Tenant)

	_, err = a.Bearer(ctx, raw+"x")
	require.ErrorIs(t, err, auth.ErrBadCredentials)

	clk.add(auth.TokenTTL + time.Second)
	_, err = a.Bearer(ctx, raw)
	require.ErrorIs(t, err, auth.ErrBadCredentials, "expired")
}

func TestEnsureBootstrap(t *testing.T) {
	t.Parallel()
	a, _, _ := newAuth(t)
	ctx := t.Context()
	require.NoError(t, a.EnsureBootstrap(ctx, "boot", "secret-0123456789"))
	require.NoError(t, a.EnsureBootstrap(ctx, "boot", "secret-0123456789"), "idempotent")
	p, err := a.Basic(ctx, "boot", "secret-0123456789")
	require.NoError(t, err)
	assert.Equal(t, auth.DefaultTenant, p.Tenant)
	assert.ElementsMatch(t, auth.KnownScopes, p.Scopes)
	require.Error(t, a.EnsureBootstrap(ctx, "boot", "another-secret-000"))
}

func TestParseScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"statements/write,statements/read/mine", []string{"statements/write", "statements/read/mine"}, false},
		{"https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly", []string{"roster.readonly", "roster-core.readonly"}, false},
		{"all,all", []string{"all"}, false},
		{"", nil, false},
		{"statements/delete", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := auth.ParseScopes(tc.in)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestTenantIDs(t *testing.T) {
	t.Parallel()
	for id, ok := range map[string]bool{"default": true, "camp-a_2": true, "": false, "a b": false, "x/y": false, string(make([]byte, 65)): false} {
		assert.Equal(t, ok, auth.ValidTenantID(id), "%q", id)
	}
}
