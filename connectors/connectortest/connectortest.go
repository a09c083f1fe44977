package connectortest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/oneroster"
)

// Fake is a target-system fake the suite drives and inspects. Users and
// classes are named by their OneRoster sourcedIds.
type Fake interface {
	http.Handler
	// Writes counts the state-changing calls served so far.
	Writes() int
	// UserCount is the number of active roster users the target holds.
	UserCount() int
	// HasUser reports whether the target holds the user, active.
	HasUser(user string) bool
	// Member reports whether the user is enrolled in (a member of) the class.
	Member(user, class string) bool
	// Refuse makes the target refuse every write touching the user, with
	// message as its error.
	Refuse(user, message string)
	// FailNext makes the next n requests answer HTTP status, with
	// Retry-After when retryAfter is not empty.
	FailNext(n, status int, retryAfter string)
	// FailAfter lets n more requests through, then answers every request
	// with status; n < 0 brings the target back.
	FailAfter(n, status int)
	// Stall makes every request wait d or until the client gives up.
	Stall(d time.Duration)
}

// Open opens the connector under test against a target at baseURL, calling
// it through hc. The connector must implement connectors.Pusher.
type Open func(t *testing.T, baseURL string, hc *retryablehttp.Client) connectors.Connector

// Client returns a retrying client with short waits for tests, using the
// connectors' Backoff (so Retry-After is honoured up to 2s).
func Client(t testing.TB) *retryablehttp.Client {
	t.Helper()
	hc := retryablehttp.NewClient()
	hc.Logger = nil
	hc.RetryWaitMin = 5 * time.Millisecond
	hc.RetryWaitMax = 2 * time.Second
	hc.RetryMax = 4
	return connectors.PrepareClient(hc)
}

type env struct {
	fake Fake
	conn connectors.Pusher
}

func setup(t *testing.T, open Open, newFake func(t *testing.T) Fake) env {
	t.Helper()
	f := newFake(t)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := open(t, srv.URL, Client(t))
	p, ok := c.(connectors.Pusher)
	require.True(t, ok, "connector does not implement connectors.Pusher")
	return env{fake: f, conn: p}
}

func push(t *testing.T, e env, d oneroster.Delta) connectors.Report {
	t.Helper()
	rep, err := e.conn.Push(t.Context(), d, connectors.PushOptions{})
	require.NoError(t, err)
	return rep
}

// Run runs the contract suite: every connector that pushes rosters passes it.
func Run(t *testing.T, open Open, newFake func(t *testing.T) Fake) {
	t.Helper()
	full := oneroster.Delta{Upserts: Roster(), Cursor: 1}
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, e env)
	}{
		{"FirstPushCreates", func(t *testing.T, e env) {
			rep := push(t, e, full)
			assert.Zero(t, rep.Failed, "items: %v", rep.Items)
			assert.Positive(t, rep.Created)
			assert.Positive(t, rep.Writes)
			assert.Equal(t, len(activeUsers()), e.fake.UserCount())
			for _, en := range full.Upserts.Enrollments {
				assert.True(t, e.fake.Member(en.User, en.Class), "%s in %s", en.User, en.Class)
			}
		}},
		{"IdempotentRerun", func(t *testing.T, e env) {
			push(t, e, full)
			before := e.fake.Writes()
			rep := push(t, e, full)
			assert.Equal(t, before, e.fake.Writes(), "second push made write calls")
			assert.Zero(t, rep.Writes)
			assert.Zero(t, rep.Created)
			assert.Zero(t, rep.Updated)
			assert.Zero(t, rep.Failed, "items: %v", rep.Items)
			assert.Equal(t, len(activeUsers()), e.fake.UserCount())
		}},
		{"Delta", func(t *testing.T, e env) {
			push(t, e, full)
			rep := push(t, e, Change())
			assert.Zero(t, rep.Failed, "items: %v", rep.Items)
			assert.Positive(t, rep.Created)
			assert.Positive(t, rep.Updated)
			assert.Positive(t, rep.Removed)
			assert.True(t, e.fake.HasUser("stu-new"))
			assert.True(t, e.fake.Member("stu-new", "class-math-a"))
			assert.False(t, e.fake.Member("stu-2", "class-math-a"))
			assert.Equal(t, len(activeUsers())+1, e.fake.UserCount())
		}},
		{"PartialFailure", func(t *testing.T, e env) {
			e.fake.Refuse("stu-3", "refused by target: bad record")
			rep := push(t, e, full)
			require.Positive(t, rep.Failed)
			var found bool
			for _, it := range rep.Items {
				if it.SourcedID == "stu-3" && it.Kind == oneroster.KindUser {
					found = true
					assert.Equal(t, connectors.OutcomeFailed, it.Outcome)
					assert.Contains(t, it.Reason, "refused by target: bad record")
				}
			}
			assert.True(t, found, "stu-3 not listed in %v", rep.Items)
			assert.False(t, e.fake.HasUser("stu-3"))
			assert.Equal(t, len(activeUsers())-1, e.fake.UserCount())
			assert.True(t, e.fake.Member("stu-1", "class-math-a"))
		}},
		{"RetriesOn5xx", func(t *testing.T, e env) {
			e.fake.FailNext(2, http.StatusServiceUnavailable, "")
			rep := push(t, e, full)
			assert.Zero(t, rep.Failed, "items: %v", rep.Items)
			assert.Equal(t, len(activeUsers()), e.fake.UserCount())
		}},
		{"RetriesOn429WithRetryAfter", func(t *testing.T, e env) {
			e.fake.FailNext(1, http.StatusTooManyRequests, "1")
			rep := push(t, e, full)
			assert.Zero(t, rep.Failed, "items: %v", rep.Items)
			assert.Equal(t, len(activeUsers()), e.fake.UserCount())
		}},
		{"TargetDownFailsRun", func(t *testing.T, e env) {
			e.fake.FailAfter(0, http.StatusBadGateway)
			_, err := e.conn.Push(t.Context(), full, connectors.PushOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "502")
		}},
		{"ResumesAfterFailure", func(t *testing.T, e env) {
			e.fake.FailAfter(6, http.StatusServiceUnavailable)
			_, err := e.conn.Push(t.Context(), full, connectors.PushOptions{})
			require.Error(t, err)
			e.fake.FailAfter(-1, 0)
			rep := push(t, e, full)
			assert.Zero(t, rep.Failed, "items: %v", rep.Items)
			assert.Equal(t, len(activeUsers()), e.fake.UserCount(), "duplicates or missing users after resume")
			for _, en := range full.Upserts.Enrollments {
				assert.True(t, e.fake.Member(en.User, en.Class), "%s in %s", en.User, en.Class)
			}
		}},
		{"Timeout", func(t *testing.T, e env) {
			e.fake.Stall(5 * time.Second)
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			_, err := e.conn.Push(ctx, full, connectors.PushOptions{})
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		}},
		{"Cancellation", func(t *testing.T, e env) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			_, err := e.conn.Push(ctx, full, connectors.PushOptions{})
			require.Error(t, err)
			require.ErrorIs(t, err, context.Canceled)
			assert.Zero(t, e.fake.Writes())
		}},
		{"DryRunWritesNothing", func(t *testing.T, e env) {
			rep, err := e.conn.Push(t.Context(), full, connectors.PushOptions{DryRun: true})
			require.NoError(t, err)
			assert.Positive(t, rep.Created)
			assert.Zero(t, rep.Writes)
			assert.Zero(t, e.fake.Writes())
			assert.Zero(t, e.fake.UserCount())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, setup(t, open, newFake))
		})
	}
}
