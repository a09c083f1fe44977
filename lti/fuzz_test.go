package lti_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
)

func claimSeeds(f *testing.F) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "claims", "*.json"))
	require.NoError(f, err)
	require.NotEmpty(f, files)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"https://purl.imsglobal.org/spec/lti/claim/roles":"Learner"}`))
}

// FuzzClaims checks that any payload either decodes and validates to a
// launch that keeps the checklist's invariants, or is refused with a 4xx,
// never a panic.
func FuzzClaims(f *testing.F) {
	claimSeeds(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		c, err := lti.ParseClaims(payload)
		if err != nil {
			var le *lti.Error
			require.ErrorAs(t, err, &le)
			assert.Equal(t, lti.ReasonInvalidClaim, le.Reason)
			return
		}
		_ = c.CustomStrings()
		err = c.ValidateMessage()
		if err != nil {
			var le *lti.Error
			require.ErrorAs(t, err, &le)
			assert.GreaterOrEqual(t, le.HTTPStatus(), 400)
			assert.Less(t, le.HTTPStatus(), 500)
			assert.NotEmpty(t, le.Public())
			return
		}
		mt := *c.MessageType
		assert.True(t, mt == lti.MessageResourceLink || mt == lti.MessageDeepLinkingRequest)
		assert.Equal(t, lti.Version, *c.Version)
		require.NotNil(t, c.DeploymentID)
		assert.NotEmpty(t, *c.DeploymentID)
		assert.LessOrEqual(t, len(*c.DeploymentID), 255)
		require.NotNil(t, c.Roles)
		_ = lti.MapRoles(*c.Roles)
		if mt == lti.MessageResourceLink {
			require.NotNil(t, c.ResourceLink)
			assert.NotEmpty(t, c.ResourceLink.ID)
		} else {
			require.NotNil(t, c.DeepLinking)
			assert.NoError(t, lti.CheckURL(c.DeepLinking.ReturnURL))
		}
		if c.Subject != nil {
			assert.NotEmpty(t, *c.Subject)
		}
	})
}

// FuzzSplitJWT checks the compact-JWT gate in front of signature checks.
func FuzzSplitJWT(f *testing.F) {
	for _, s := range []string{
		"eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJ4In0.c2ln",
		"eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.",
		"a.b", "a.b.c.d", "", "...", "eyJjcml0IjpbImV4cCJdfQ.e30.c2ln",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		h, err := lti.SplitJWT(raw)
		if err != nil {
			var le *lti.Error
			require.ErrorAs(t, err, &le)
			assert.Equal(t, 401, le.HTTPStatus())
			return
		}
		_ = h.Alg
	})
}

func TestClaimSeedsParse(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "claims", "*.json"))
	require.NoError(t, err)
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			b, err := os.ReadFile(name)
			require.NoError(t, err)
			c, err := lti.ParseClaims(b)
			require.NoError(t, err)
			require.NoError(t, c.ValidateMessage())
		})
	}
	b, err := os.ReadFile(filepath.Join("testdata", "claims", "canvas_custom.json"))
	require.NoError(t, err)
	c, err := lti.ParseClaims(b)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"canvas_user_id": "1234", "flag": "true", "none": "", "unresolved": "$Canvas.user.id"}, c.CustomStrings())
	assert.Equal(t, lti.FlexString("400"), c.LaunchPresentation.Height)
	assert.Equal(t, lti.FlexString("4c3ef8bc"), c.LTI11LegacyUserID)
	assert.Equal(t, []lti.Role{lti.RoleAdmin, lti.RoleTeacher}, lti.MapRoles(*c.Roles))
}
