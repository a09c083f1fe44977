package lti_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

// TestToolSession: the tool's own session after a launch is a token MACed
// under a key derived from the tool's key, bound to the tool's audience and
// short-lived; a
// tampered, foreign, expired or other-purpose token is refused (G28).
func TestToolSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, platform.Moodle)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	e.tool.Clock = func() time.Time { return now }
	want := lti.ToolSession{Tenant: "t1", RegistrationID: "reg-1", DeploymentID: "dep-1", LearnerID: "l-1", ContentID: "fractions-1", Attempt: "a-1"}
	raw, expires, err := e.tool.IssueSession(ctx, want)
	require.NoError(t, err)
	assert.Equal(t, now.Add(lti.SessionTTL), expires)
	got, err := e.tool.VerifySession(ctx, raw)
	require.NoError(t, err)
	want.Expires = expires
	assert.Equal(t, want, got)

	parts := strings.Split(raw, ".")
	require.Len(t, parts, 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), "fractions-1", "reading-1", 1))) + "." + parts[2]

	otherURL, _ := url.Parse("https://other.example.org")
	other := &lti.Tool{Keys: e.tool.Keys, PublicURL: otherURL, Clock: e.tool.Clock}
	later := &lti.Tool{Keys: e.tool.Keys, PublicURL: e.tool.PublicURL, Clock: func() time.Time { return now.Add(lti.SessionTTL + time.Second) }}
	// An id_token-shaped JWT of the platform is no session either.
	idTok, err := e.plat.IDToken(platform.Message{User: platform.Student}, "n-1")
	require.NoError(t, err)

	// A session-shaped HS256 token under one of the tool's kids but a key
	// that is not the tool's (the public key's bytes, say) is forged.
	set, err := e.tool.Keys.PublicSet(ctx)
	require.NoError(t, err)
	pub, ok := set.Key(0)
	require.True(t, ok)
	pubJSON, err := json.Marshal(pub)
	require.NoError(t, err)
	hdr := jws.NewHeaders()
	require.NoError(t, hdr.Set(jws.TypeKey, "passport-session+jwt"))
	require.NoError(t, hdr.Set(jws.KeyIDKey, pub.KeyID()))
	forged, err := jws.Sign(payload, jws.WithKey(jwa.HS256, pubJSON, jws.WithProtectedHeaders(hdr)))
	require.NoError(t, err)

	tests := []struct {
		name string
		tool *lti.Tool
		raw  string
	}{
		{"HS256 under the tool's kid with another key", e.tool, string(forged)},
		{"empty", e.tool, ""},
		{"garbage", e.tool, "not-a-token"},
		{"tampered payload", e.tool, tampered},
		{"another tool's audience", other, raw},
		{"expired", later, raw},
		{"a platform id_token", e.tool, idTok},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.tool.VerifySession(ctx, tc.raw)
			require.ErrorIs(t, err, lti.ErrSession)
		})
	}
}

// TestToolSessionSurvivesRotation: a session issued before a key rotation
// still verifies while the old key is published, and a new session names
// the new key.
func TestToolSessionSurvivesRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, platform.Moodle)
	e.tool.Keys.CacheFor = time.Nanosecond // see the rotation at once
	s := lti.ToolSession{Tenant: "t1", RegistrationID: "reg-1", LearnerID: "l-1", ContentID: "c-1"}
	before, _, err := e.tool.IssueSession(ctx, s)
	require.NoError(t, err)
	_, err = e.tool.Keys.Rotate(ctx, true)
	require.NoError(t, err)
	_, err = e.tool.VerifySession(ctx, before)
	require.NoError(t, err, "a session from before the rotation")
	after, _, err := e.tool.IssueSession(ctx, s)
	require.NoError(t, err)
	_, err = e.tool.VerifySession(ctx, after)
	require.NoError(t, err)
	kidOf := func(raw string) string {
		h, err := lti.SplitJWT(raw)
		require.NoError(t, err)
		return h.Kid
	}
	assert.NotEqual(t, kidOf(before), kidOf(after))
}
