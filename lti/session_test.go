package lti_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

// TestToolSession: the tool's own session after a launch is a token signed
// with the tool's key, bound to the tool's audience and short-lived; a
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

	tests := []struct {
		name string
		tool *lti.Tool
		raw  string
	}{
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
