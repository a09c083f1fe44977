package lti_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

// TestProbeStorage: with Tool.ProbeStorage a login without
// lti_storage_target still prepares a platform-storage secret (no frame
// name: the bridge page asks lti.capabilities), and a launch without the
// cookie asks the page to read it back; without ProbeStorage nothing
// changes (G12).
func TestProbeStorage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name  string
		probe bool
	}{
		{"probe on", true},
		{"probe off", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, platform.Moodle)
			e.tool.ProbeStorage = tc.probe
			res := e.login(t, nil)
			tok, err := e.plat.IDToken(platform.Message{User: platform.Student}, nonceOf(t, res))
			require.NoError(t, err)
			if !tc.probe {
				assert.Nil(t, res.Storage, "a plain redirect login")
				_, check, err := e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State})
				assert.Nil(t, check)
				require.Error(t, err, "no cookie and no storage: refused")
				return
			}
			require.NotNil(t, res.Storage)
			assert.Empty(t, res.Storage.Target, "the frame is found by lti.capabilities")
			assert.NotEmpty(t, res.Storage.Origin)
			assert.NotEmpty(t, res.Storage.Value)

			_, check, err := e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State})
			require.NoError(t, err)
			require.NotNil(t, check, "no cookie: read the state back from platform storage")
			assert.Empty(t, check.Target)
			assert.Equal(t, res.Storage.Key, check.Key)

			_, _, err = e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State, StorageValue: "guess"})
			require.Error(t, err)
			l, check, err := e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State, StorageValue: res.Storage.Value})
			require.NoError(t, err)
			assert.Nil(t, check)
			require.NotNil(t, l)
		})
	}
}
