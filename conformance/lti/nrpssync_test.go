package lti_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

// TestNRPSDifferencesSync: the first sync reads the whole roster and keeps
// the platform's rel="differences" link; the next sync reads only the
// changes through it (G85). A link the platform no longer honours, or one
// to another origin, falls back to the whole roster.
func TestNRPSDifferencesSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, platform.Moodle)
	e.plat.SetMembers([]lti.Member{
		{UserID: "s1", Roles: []string{platform.RoleLearner}},
		{UserID: "s2", Roles: []string{platform.RoleLearner}, Status: "Inactive"},
		{UserID: "s3", Roles: []string{platform.RoleLearner}, Status: "Deleted"},
		{UserID: "t1", Roles: []string{platform.RoleInstructor}},
	})
	claim := &lti.NRPSClaim{ContextMembershipsURL: e.plat.URL("/memberships"), ServiceVersions: lti.StringList{"1.0", "2.0"}}
	marks := &ltitest.NRPSMarks{}
	svc := e.services()

	m, full, err := svc.SyncMemberships(ctx, marks, e.reg, claim, lti.MembershipQuery{})
	require.NoError(t, err)
	assert.True(t, full, "first sync: the whole roster")
	assert.Len(t, m.Members, 4)
	link, err := marks.NRPSDifferences(ctx, e.reg.Tenant, e.reg.ID, claim.ContextMembershipsURL)
	require.NoError(t, err, "the differences link is kept")
	assert.Equal(t, m.Differences, link)

	m, full, err = svc.SyncMemberships(ctx, marks, e.reg, claim, lti.MembershipQuery{})
	require.NoError(t, err)
	assert.False(t, full, "next sync: only the changes")
	require.Len(t, m.Members, 2)
	for _, mem := range m.Members {
		assert.False(t, mem.Active())
	}

	tests := []struct {
		name string
		link string
	}{
		{"a link the platform no longer honours", e.plat.URL("/no-such-differences")},
		{"a link to another origin", "https://elsewhere.example/memberships?since=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, marks.SetNRPSDifferences(ctx, e.reg.Tenant, e.reg.ID, claim.ContextMembershipsURL, tc.link))
			m, full, err := svc.SyncMemberships(ctx, marks, e.reg, claim, lti.MembershipQuery{})
			require.NoError(t, err)
			assert.True(t, full)
			assert.Len(t, m.Members, 4)
			link, err := marks.NRPSDifferences(ctx, e.reg.Tenant, e.reg.ID, claim.ContextMembershipsURL)
			require.NoError(t, err)
			assert.Equal(t, m.Differences, link, "replaced by the fresh link")
		})
	}
}
