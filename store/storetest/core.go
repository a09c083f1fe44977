package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/store"
	"github.com/passportbridge/passport/store/backend"
)

// t0 is a fixed instant with nanoseconds, so that round trips are exact.
var t0 = time.Date(2026, 11, 28, 17, 0, 0, 123456789, time.UTC)

// coreTests is the contract for tenants, credentials, tokens and health.
var coreTests = []subTest{
	{"TenantCreateGet", testTenantCreateGet},
	{"TenantConflict", testTenantConflict},
	{"TenantList", testTenantList},
	{"CredentialCRUD", testCredentialCRUD},
	{"CredentialConflict", testCredentialConflict},
	{"CredentialDisabled", testCredentialDisabled},
	{"CredentialTenantIsolation", testCredentialTenantIsolation},
	{"CredentialUnicode", testCredentialUnicode},
	{"TokenSaveGet", testTokenSaveGet},
	{"TokenConflict", testTokenConflict},
	{"TokenLaunchBinding", testTokenLaunchBinding},
	{"TokenExpiry", testTokenExpiry},
	{"TokenSweep", testTokenSweep},
	{"CredentialOAuth1Methods", testCredentialOAuth1Methods},
	{"OAuth1NonceReplay", testOAuth1NonceReplay},
	{"OAuth1NonceExpiry", testOAuth1NonceExpiry},
	{"OAuth1NonceSweep", testOAuth1NonceSweep},
	{"OAuth1NonceRace", testOAuth1NonceRace},
	{"Ping", testPing},
}

func testTenantCreateGet(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.Tenant(ctx, "camp-a")
	require.ErrorIs(t, err, store.ErrNotFound)

	want := auth.Tenant{ID: "camp-a", Created: t0}
	require.NoError(t, s.CreateTenant(ctx, want))
	got, err := s.Tenant(ctx, "camp-a")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, time.UTC, got.Created.Location())
}

func testTenantConflict(t *testing.T, s backend.Store) {
	ctx := t.Context()
	require.NoError(t, s.CreateTenant(ctx, auth.Tenant{ID: "camp-a", Created: t0}))
	err := s.CreateTenant(ctx, auth.Tenant{ID: "camp-a", Created: t0.Add(time.Hour)})
	require.ErrorIs(t, err, store.ErrConflict)

	got, err := s.Tenant(ctx, "camp-a")
	require.NoError(t, err)
	assert.Equal(t, t0, got.Created, "the first tenant is kept")
}

func testTenantList(t *testing.T, s backend.Store) {
	ctx := t.Context()
	list, err := s.Tenants(ctx)
	require.NoError(t, err)
	assert.Empty(t, list)

	for i, id := range []string{"zeta", "alpha", "mid"} {
		require.NoError(t, s.CreateTenant(ctx, auth.Tenant{ID: id, Created: t0.Add(time.Duration(i) * time.Second)}))
	}
	list, err = s.Tenants(ctx)
	require.NoError(t, err)
	assert.Equal(t, []auth.Tenant{
		{ID: "alpha", Created: t0.Add(time.Second)},
		{ID: "mid", Created: t0.Add(2 * time.Second)},
		{ID: "zeta", Created: t0},
	}, list)
}

func coreCredential(tenant, key string) auth.Credential {
	return auth.Credential{
		Key:        key,
		SecretHash: "$2a$10$abcdefghijklmnopqrstuuQ0jJ0cYyE0V3xXcN1yT9bJgS0h6Xq2e",
		Tenant:     tenant,
		Name:       "client " + key,
		Scopes:     []string{"xapi:write", "xapi:read"},
		Created:    t0,
	}
}

func testCredentialCRUD(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.Credential(ctx, "k1")
	require.ErrorIs(t, err, store.ErrNotFound)

	c1 := coreCredential("camp-a", "k1")
	c2 := coreCredential("camp-a", "k0")
	c2.Scopes = nil
	c2.Disabled = true
	require.NoError(t, s.CreateCredential(ctx, c1))
	require.NoError(t, s.CreateCredential(ctx, c2))

	got, err := s.Credential(ctx, "k1")
	require.NoError(t, err)
	assert.Equal(t, c1, got)

	got, err = s.Credential(ctx, "k0")
	require.NoError(t, err)
	assert.Empty(t, got.Scopes)
	got.Scopes = nil
	assert.Equal(t, c2, got)

	list, err := s.Credentials(ctx, "camp-a")
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "k0", list[0].Key, "ordered by key")
	assert.Equal(t, c1, list[1])
}

func testCredentialConflict(t *testing.T, s backend.Store) {
	ctx := t.Context()
	require.NoError(t, s.CreateCredential(ctx, coreCredential("camp-a", "k1")))
	// Keys are globally unique: another tenant cannot take it either.
	for _, tenant := range []string{"camp-a", "camp-b"} {
		err := s.CreateCredential(ctx, coreCredential(tenant, "k1"))
		require.ErrorIs(t, err, store.ErrConflict, tenant)
	}
	got, err := s.Credential(ctx, "k1")
	require.NoError(t, err)
	assert.Equal(t, "camp-a", got.Tenant)
}

func testCredentialDisabled(t *testing.T, s backend.Store) {
	ctx := t.Context()
	require.NoError(t, s.CreateCredential(ctx, coreCredential("camp-a", "k1")))

	require.NoError(t, s.SetCredentialDisabled(ctx, "camp-a", "k1", true))
	got, err := s.Credential(ctx, "k1")
	require.NoError(t, err)
	assert.True(t, got.Disabled)

	// Setting the same value again is not an error.
	require.NoError(t, s.SetCredentialDisabled(ctx, "camp-a", "k1", true))

	require.NoError(t, s.SetCredentialDisabled(ctx, "camp-a", "k1", false))
	got, err = s.Credential(ctx, "k1")
	require.NoError(t, err)
	assert.False(t, got.Disabled)

	err = s.SetCredentialDisabled(ctx, "camp-a", "nope", true)
	require.ErrorIs(t, err, store.ErrNotFound)
	// Another tenant cannot disable it.
	err = s.SetCredentialDisabled(ctx, "camp-b", "k1", true)
	require.ErrorIs(t, err, store.ErrNotFound)
	got, err = s.Credential(ctx, "k1")
	require.NoError(t, err)
	assert.False(t, got.Disabled)
}

func testCredentialTenantIsolation(t *testing.T, s backend.Store) {
	ctx := t.Context()
	require.NoError(t, s.CreateCredential(ctx, coreCredential("camp-a", "a1")))
	require.NoError(t, s.CreateCredential(ctx, coreCredential("camp-b", "b1")))
	require.NoError(t, s.CreateCredential(ctx, coreCredential("camp-a", "a2")))

	keys := func(tenant string) []string {
		list, err := s.Credentials(ctx, tenant)
		require.NoError(t, err)
		var ks []string
		for _, c := range list {
			assert.Equal(t, tenant, c.Tenant)
			ks = append(ks, c.Key)
		}
		return ks
	}
	assert.Equal(t, []string{"a1", "a2"}, keys("camp-a"))
	assert.Equal(t, []string{"b1"}, keys("camp-b"))
	assert.Empty(t, keys("camp-c"))
}

// testCredentialUnicode checks exact round trips of non-ASCII text and
// bytewise ordering of keys, the same in every backend.
func testCredentialUnicode(t *testing.T, s backend.Store) {
	ctx := t.Context()
	tenant := "école-№5"
	keys := []string{"Zebra", "zèbre", "ÿ", "éa", "ea", "€", "中文", "a b"}
	for _, k := range keys {
		c := coreCredential(tenant, k)
		c.Name = "Школа №5 — مدرسة " + k
		require.NoError(t, s.CreateCredential(ctx, c))
	}
	list, err := s.Credentials(ctx, tenant)
	require.NoError(t, err)
	var got []string
	for _, c := range list {
		got = append(got, c.Key)
		assert.Equal(t, "Школа №5 — مدرسة "+c.Key, c.Name)
		assert.Equal(t, tenant, c.Tenant)
	}
	want := slices.Clone(keys)
	slices.Sort(want) // Go orders strings bytewise, as the backends must
	assert.Equal(t, want, got)
}

func coreToken(hash string, expires time.Time) auth.Token {
	return auth.Token{Hash: hash, Key: "k1", Tenant: "camp-a", Scopes: []string{"xapi:read"}, Expires: expires}
}

func testTokenSaveGet(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.Token(ctx, "h1", t0)
	require.ErrorIs(t, err, store.ErrNotFound)

	want := coreToken("h1", t0.Add(time.Hour))
	require.NoError(t, s.SaveToken(ctx, want))
	got, err := s.Token(ctx, "h1", t0)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// testTokenLaunchBinding: a launch token keeps its learner and
// registration binding; an unbound token comes back unbound.
func testTokenLaunchBinding(t *testing.T, s backend.Store) {
	ctx := t.Context()
	tests := []struct {
		name, hash, agent, registration string
	}{
		{"bound", "hb", "account:https://passport.example/|learner-1", "7f2c1a52-3c1e-4d7b-9a1e-2b5f0c8d9e10"},
		{"unbound", "hu", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := coreToken(tc.hash, t0.Add(4*time.Hour))
			want.Agent, want.Registration = tc.agent, tc.registration
			require.NoError(t, s.SaveToken(ctx, want))
			got, err := s.Token(ctx, tc.hash, t0)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func testTokenConflict(t *testing.T, s backend.Store) {
	ctx := t.Context()
	require.NoError(t, s.SaveToken(ctx, coreToken("h1", t0.Add(time.Hour))))
	other := coreToken("h1", t0.Add(2*time.Hour))
	other.Tenant = "camp-b"
	require.ErrorIs(t, s.SaveToken(ctx, other), store.ErrConflict)
	got, err := s.Token(ctx, "h1", t0)
	require.NoError(t, err)
	assert.Equal(t, "camp-a", got.Tenant)
}

func testTokenExpiry(t *testing.T, s backend.Store) {
	ctx := t.Context()
	exp := t0.Add(time.Minute)
	require.NoError(t, s.SaveToken(ctx, coreToken("h1", exp)))

	tests := []struct {
		name  string
		now   time.Time
		found bool
	}{
		{"long before", t0, true},
		{"a nanosecond before", exp.Add(-time.Nanosecond), true},
		{"at expiry", exp, false},
		{"after", exp.Add(time.Second), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Token(ctx, "h1", tc.now)
			if tc.found {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, store.ErrNotFound)
			}
		})
	}
}

func testTokenSweep(t *testing.T, s backend.Store) {
	ctx := t.Context()
	for i := range 5 {
		// h0..h4 expire at t0, t0+1m, ... t0+4m.
		require.NoError(t, s.SaveToken(ctx, coreToken(fmt.Sprintf("h%d", i), t0.Add(time.Duration(i)*time.Minute))))
	}
	n, err := s.DeleteExpiredTokens(ctx, t0.Add(2*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 3, n, "h0, h1 and h2 expired at or before now")

	// The survivors are still there even for an earlier clock.
	for i := range 5 {
		_, err := s.Token(ctx, fmt.Sprintf("h%d", i), t0.Add(-time.Hour))
		if i <= 2 {
			require.ErrorIs(t, err, store.ErrNotFound, i)
		} else {
			require.NoError(t, err, i)
		}
	}
	n, err = s.DeleteExpiredTokens(ctx, t0.Add(2*time.Minute))
	require.NoError(t, err)
	assert.Zero(t, n, "a second sweep finds nothing")
}

// testCredentialOAuth1Methods: the OAuth 1.0a methods round-trip, and a
// credential without OAuth 1.0a comes back with none.
func testCredentialOAuth1Methods(t *testing.T, s backend.Store) {
	ctx := t.Context()
	tests := []struct {
		name, key string
		methods   []string
	}{
		{"off", "k-off", nil},
		{"sha256", "k-256", []string{"HMAC-SHA256"}},
		{"sha256 and sha1", "k-1", []string{"HMAC-SHA256", "HMAC-SHA1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := coreCredential("camp-a", tc.key)
			c.OAuth1Methods = tc.methods
			require.NoError(t, s.CreateCredential(ctx, c))
			got, err := s.Credential(ctx, tc.key)
			require.NoError(t, err)
			assert.Equal(t, c, got)
		})
	}
	list, err := s.Credentials(ctx, "camp-a")
	require.NoError(t, err)
	require.Len(t, list, 3)
	assert.Equal(t, []string{"HMAC-SHA256", "HMAC-SHA1"}, list[0].OAuth1Methods, "k-1")
	assert.Nil(t, list[2].OAuth1Methods, "k-off")
}

func testOAuth1NonceReplay(t *testing.T, s backend.Store) {
	ctx := t.Context()
	exp := t0.Add(5 * time.Minute)
	require.NoError(t, s.UseOAuth1Nonce(ctx, "camp-a", "k1", "n1", exp))
	err := s.UseOAuth1Nonce(ctx, "camp-a", "k1", "n1", exp.Add(time.Second))
	require.ErrorIs(t, err, store.ErrConflict, "a replay")

	// The nonce is per tenant and key.
	tests := []struct{ name, tenant, key, nonce string }{
		{"another nonce", "camp-a", "k1", "n2"},
		{"another key", "camp-a", "k2", "n1"},
		{"another tenant", "camp-b", "k1", "n1"},
		{"case matters", "camp-a", "k1", "N1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, s.UseOAuth1Nonce(ctx, tc.tenant, tc.key, tc.nonce, exp))
			require.ErrorIs(t, s.UseOAuth1Nonce(ctx, tc.tenant, tc.key, tc.nonce, exp), store.ErrConflict)
		})
	}
}

// testOAuth1NonceExpiry: a record counts until it is swept, also past its
// expiry; then the nonce is free again.
func testOAuth1NonceExpiry(t *testing.T, s backend.Store) {
	ctx := t.Context()
	exp := t0.Add(time.Minute)
	require.NoError(t, s.UseOAuth1Nonce(ctx, "camp-a", "k1", "n", exp))
	require.ErrorIs(t, s.UseOAuth1Nonce(ctx, "camp-a", "k1", "n", exp.Add(time.Hour)), store.ErrConflict, "expired, not yet swept")
	n, err := s.DeleteExpiredOAuth1Nonces(ctx, exp.Add(-time.Nanosecond))
	require.NoError(t, err)
	assert.Zero(t, n, "not expired a nanosecond before")
	n, err = s.DeleteExpiredOAuth1Nonces(ctx, exp)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "expired at its expiry")
	require.NoError(t, s.UseOAuth1Nonce(ctx, "camp-a", "k1", "n", exp.Add(time.Hour)))
}

func testOAuth1NonceSweep(t *testing.T, s backend.Store) {
	ctx := t.Context()
	for i := range 5 {
		// n0..n4 expire at t0, t0+1m, ... t0+4m; another tenant's n0 too.
		require.NoError(t, s.UseOAuth1Nonce(ctx, "camp-a", "k1", fmt.Sprintf("n%d", i), t0.Add(time.Duration(i)*time.Minute)))
	}
	require.NoError(t, s.UseOAuth1Nonce(ctx, "camp-b", "k9", "n0", t0))
	n, err := s.DeleteExpiredOAuth1Nonces(ctx, t0.Add(2*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 4, n, "n0, n1 and n2 of camp-a and n0 of camp-b expired at or before now")

	// Swept nonces are free; survivors are not.
	for i := range 5 {
		err := s.UseOAuth1Nonce(ctx, "camp-a", "k1", fmt.Sprintf("n%d", i), t0.Add(time.Hour))
		if i <= 2 {
			require.NoError(t, err, i)
		} else {
			require.ErrorIs(t, err, store.ErrConflict, i)
		}
	}
	n, err = s.DeleteExpiredOAuth1Nonces(ctx, t0.Add(2*time.Minute))
	require.NoError(t, err)
	assert.Zero(t, n, "a second sweep finds nothing")
}

// testOAuth1NonceRace: of concurrent uses of one nonce exactly one wins.
func testOAuth1NonceRace(t *testing.T, s backend.Store) {
	ctx := t.Context()
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.UseOAuth1Nonce(ctx, "camp-a", "k1", "raced", t0.Add(time.Hour))
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			require.ErrorIs(t, err, store.ErrConflict)
		}
	}
	assert.Equal(t, 1, won)
}

func testPing(t *testing.T, s backend.Store) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, s.Ping(ctx))
}
