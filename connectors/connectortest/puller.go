package connectortest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/oneroster"
)

// PullFake is a source-system fake (an EMIS) the puller suite drives. It
// holds its data already (the fake's constructor seeds it).
type PullFake interface {
	http.Handler
	// Writes counts state-changing calls; a pull makes none.
	Writes() int
	// FailNext makes the next n requests answer HTTP status, with
	// Retry-After when retryAfter is not empty.
	FailNext(n, status int, retryAfter string)
	// FailAfter lets n more requests through, then answers every request
	// with status; n < 0 brings the source back.
	FailAfter(n, status int)
	// Stall makes every request wait d or until the client gives up.
	Stall(d time.Duration)
	// ExpireAuth invalidates issued tokens or sessions.
	ExpireAuth()
}

// RunPuller runs the contract suite for connectors that pull rosters:
// repeatable read-only pulls, retries on 5xx/429, re-authentication, a
// source that stays down, timeouts and cancellation. check asserts the
// connector's mapping of the fake's data.
func RunPuller(t *testing.T, open Open, newFake func(t *testing.T) PullFake, check func(t *testing.T, s oneroster.Snapshot)) {
	t.Helper()
	type env struct {
		fake PullFake
		conn connectors.Puller
	}
	setup := func(t *testing.T) env {
		f := newFake(t)
		srv := httptest.NewServer(f)
		t.Cleanup(srv.Close)
		c := open(t, srv.URL, Client(t))
		p, ok := c.(connectors.Puller)
		require.True(t, ok, "connector does not implement connectors.Puller")
		return env{f, p}
	}
	pull := func(t *testing.T, e env) oneroster.Snapshot {
		t.Helper()
		s, err := e.conn.Pull(t.Context())
		require.NoError(t, err)
		return s
	}
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, e env)
	}{
		{"MapsSource", func(t *testing.T, e env) { check(t, pull(t, e)) }},
		{"RepeatableAndReadOnly", func(t *testing.T, e env) {
			a, b := pull(t, e), pull(t, e)
			assert.Equal(t, a, b)
			assert.Zero(t, e.fake.Writes())
		}},
		{"RetriesOn5xx", func(t *testing.T, e env) {
			e.fake.FailNext(2, http.StatusBadGateway, "")
			check(t, pull(t, e))
		}},
		{"RetriesOn429WithRetryAfter", func(t *testing.T, e env) {
			e.fake.FailNext(1, http.StatusTooManyRequests, "1")
			check(t, pull(t, e))
		}},
		{"Reauthenticates", func(t *testing.T, e env) {
			pull(t, e)
			e.fake.ExpireAuth()
			check(t, pull(t, e))
		}},
		{"SourceDownFails", func(t *testing.T, e env) {
			e.fake.FailAfter(2, http.StatusServiceUnavailable)
			_, err := e.conn.Pull(t.Context())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "503")
		}},
		{"Timeout", func(t *testing.T, e env) {
			e.fake.Stall(5 * time.Second)
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			_, err := e.conn.Pull(ctx)
			require.ErrorIs(t, err, context.DeadlineExceeded)
		}},
		{"Cancellation", func(t *testing.T, e env) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			_, err := e.conn.Pull(ctx)
			require.ErrorIs(t, err, context.Canceled)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, setup(t))
		})
	}
}
