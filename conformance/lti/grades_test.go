package lti_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestScoreOutbox closes the loop: a launch of a scored item, a result
// reported by the LRS, the score delivered to the platform once, through an
// outage and with the Canvas concluded-course refusal.
func TestScoreOutbox(t *testing.T) {
	t.Parallel()
	for _, profile := range platform.Profiles {
		t.Run(string(profile), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnv(t, profile)
			clock := &manualClock{t: time.Now().UTC()}
			g := e.tool.Handler.Grader
			g.Clock = clock.now

			res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1")})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
			li := e.rec.all()[0]

			scaled := 0.8
			outcome := lti.Outcome{ScoreScaled: &scaled, Completed: true, Timestamp: time.Date(2026, 11, 28, 17, 0, 0, 250e6, time.UTC)}
			require.NoError(t, g.Report(ctx, "default", li.Attempt, outcome))
			require.NoError(t, g.Report(ctx, "default", li.Attempt, outcome), "the same result twice queues one score")
			require.NoError(t, g.Report(ctx, "default", "not-launched-here", outcome), "unknown attempts are ignored")

			e.plat.Down = true
			n, err := g.DeliverDue(ctx)
			require.NoError(t, err)
			assert.Zero(t, n)
			n, err = g.DeliverDue(ctx)
			require.NoError(t, err)
			assert.Zero(t, n, "not due again before the backoff")

			e.plat.Down = false
			clock.add(time.Minute)
			n, err = g.DeliverDue(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			clock.add(time.Hour)
			n, err = g.DeliverDue(ctx)
			require.NoError(t, err)
			assert.Zero(t, n, "delivered exactly once")

			var scores []lti.Score
			for _, item := range e.plat.LineItems() {
				scores = append(scores, e.plat.Scores(item.ID)...)
			}
			require.Len(t, scores, 1)
			s := scores[0]
			assert.Equal(t, "student-1", s.UserID)
			assert.InDelta(t, 8.0, *s.ScoreGiven, 1e-9)
			assert.InDelta(t, 10.0, *s.ScoreMaximum, 0)
			assert.Equal(t, lti.ActivityCompleted, s.ActivityProgress)
			assert.Equal(t, lti.GradingFullyGraded, s.GradingProgress)
			assert.Equal(t, "2026-11-28T17:00:00.250Z", s.Timestamp)

			if profile == platform.Canvas {
				e.plat.Concluded = true
				later := outcome
				later.Timestamp = later.Timestamp.Add(time.Minute)
				require.NoError(t, g.Report(ctx, "default", li.Attempt, later))
				n, err = g.DeliverDue(ctx)
				require.NoError(t, err)
				assert.Zero(t, n)
				clock.add(2 * time.Hour)
				n, err = g.DeliverDue(ctx)
				require.NoError(t, err)
				assert.Zero(t, n, "a concluded course is not retried")
			}
		})
	}
}

func TestUnscoredOrAnonymousLaunchesQueueNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, platform.Moodle)
	g := e.tool.Handler.Grader
	_, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("reading-1")})
	require.NoError(t, err)
	li := e.rec.all()[0]
	require.NoError(t, g.Report(ctx, "default", li.Attempt, lti.Outcome{Completed: true, Timestamp: time.Now()}))
	n, err := g.DeliverDue(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
}
