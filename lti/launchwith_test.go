package lti_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

// TestLaunchWithOneCommit checks that the records of a launch are written
// with the consumption of its state and nonce, and never for a refused one.
func TestLaunchWithOneCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, platform.Moodle)
	signed := func(t *testing.T) lti.LaunchParams {
		t.Helper()
		res := e.login(t, nil)
		tok, err := e.plat.IDToken(platform.Message{User: platform.Student}, nonceOf(t, res))
		require.NoError(t, err)
		return lti.LaunchParams{IDToken: tok, State: res.State, CookieState: res.State}
	}
	tokenFor := func(hash string) lti.LaunchPrepare {
		return func(context.Context, *lti.Launch) (lti.LaunchWrites, error) {
			return lti.LaunchWrites{Token: &auth.Token{Hash: hash, Tenant: "t1", Key: auth.LaunchKey("t1"), Expires: time.Now().Add(time.Hour)}}, nil
		}
	}

	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"concurrent posts of one response: one launch, one token", func(t *testing.T) {
			p := signed(t)
			var wg sync.WaitGroup
			var ok atomic.Int32
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() {
					l, _, err := e.tool.LaunchWith(ctx, p, tokenFor(string(rune('a'+i))+"-race"))
					errs[i] = err
					if err == nil && l != nil {
						ok.Add(1)
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int32(1), ok.Load())
			stored := 0
			for i, err := range errs {
				if _, found := e.store.LaunchToken(string(rune('a'+i)) + "-race"); found {
					stored++
					require.NoError(t, err)
				} else {
					require.Error(t, err)
					assert.Contains(t, []lti.Reason{lti.ReasonReplay, lti.ReasonStateMismatch}, lti.ReasonOf(err))
				}
			}
			assert.Equal(t, 1, stored, "only the accepted launch's token exists")
		}},
		{"replay after an accepted launch writes nothing", func(t *testing.T) {
			p := signed(t)
			_, _, err := e.tool.LaunchWith(ctx, p, tokenFor("first"))
			require.NoError(t, err)
			_, _, err = e.tool.LaunchWith(ctx, p, tokenFor("second"))
			require.Error(t, err)
			_, found := e.store.LaunchToken("second")
			assert.False(t, found)
		}},
		{"a failed prepare still uses up the state", func(t *testing.T) {
			p := signed(t)
			boom := errors.New("content store down")
			_, _, err := e.tool.LaunchWith(ctx, p, func(context.Context, *lti.Launch) (lti.LaunchWrites, error) { return lti.LaunchWrites{}, boom })
			require.ErrorIs(t, err, boom)
			_, _, err = e.tool.Launch(ctx, p)
			assert.Equal(t, lti.ReasonStateMismatch, lti.ReasonOf(err))
		}},
		{"a learner linked concurrently: prepared again with the existing link", func(t *testing.T) {
			p := signed(t)
			calls := 0
			var learner lti.LTIUser
			l, _, err := e.tool.LaunchWith(ctx, p, func(ctx context.Context, l *lti.Launch) (lti.LaunchWrites, error) {
				calls++
				u, isNew, err := e.tool.FindLearner(ctx, e.store, l)
				if err != nil {
					return lti.LaunchWrites{}, err
				}
				learner = u
				if calls == 1 {
					require.True(t, isNew)
					// Another first launch of the same user wins the link.
					other := u
					other.LearnerID = "linked-elsewhere"
					require.NoError(t, e.store.CreateLTIUser(ctx, other))
					return lti.LaunchWrites{User: &u}, nil
				}
				require.False(t, isNew)
				return lti.LaunchWrites{}, nil
			})
			require.NoError(t, err)
			require.NotNil(t, l)
			assert.Equal(t, 2, calls)
			assert.Equal(t, "linked-elsewhere", learner.LearnerID)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}
