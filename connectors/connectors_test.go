package connectors_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/oneroster"
)

var errRefused = errors.New("refused")

func TestBisect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		rows    []int
		bad     []int
		n       int
		wantOK  []int
		maxCall int
	}{
		{"all good", []int{1, 2, 3, 4, 5}, nil, 2, []int{1, 2, 3, 4, 5}, 3},
		{"one bad", []int{1, 2, 3, 4, 5, 6, 7, 8}, []int{6}, 8, []int{1, 2, 3, 4, 5, 7, 8}, 9},
		{"two bad", []int{1, 2, 3, 4}, []int{1, 4}, 4, []int{2, 3}, 7},
		{"all bad", []int{1, 2}, []int{1, 2}, 2, nil, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var ok, failed []int
			calls := 0
			err := connectors.Bisect(t.Context(), tc.rows, tc.n, func(_ context.Context, rs []int) error {
				calls++
				for _, r := range rs {
					if slices.Contains(tc.bad, r) {
						return errRefused
					}
				}
				ok = append(ok, rs...)
				return nil
			}, func(err error) (string, bool) {
				return "bad row", errors.Is(err, errRefused)
			}, func(r int, reason string) {
				assert.Equal(t, "bad row", reason)
				failed = append(failed, r)
			})
			require.NoError(t, err)
			slices.Sort(ok)
			assert.Equal(t, tc.wantOK, ok)
			assert.ElementsMatch(t, tc.bad, failed)
			assert.LessOrEqual(t, calls, tc.maxCall)
		})
	}
}

func TestBisectStopsOnOtherErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	err := connectors.Bisect(t.Context(), []int{1, 2, 3}, 1, func(context.Context, []int) error { return boom },
		func(error) (string, bool) { return "", false }, func(int, string) { t.Fatal("no row may fail") })
	require.ErrorIs(t, err, boom)
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	resp := func(status int, ra string) *http.Response {
		h := http.Header{}
		if ra != "" {
			h.Set("Retry-After", ra)
		}
		return &http.Response{StatusCode: status, Header: h, Body: http.NoBody}
	}
	backoff := func(lo, hi time.Duration, attempt int, status int, ra string) time.Duration {
		r := resp(status, ra)
		defer r.Body.Close()
		return connectors.Backoff(lo, hi, attempt, r)
	}
	lo, hi := 100*time.Millisecond, 10*time.Second
	assert.Equal(t, 3*time.Second, backoff(lo, hi, 0, 429, "3"))
	assert.Equal(t, hi, backoff(lo, hi, 0, 503, "86400"), "capped at max")
	assert.Equal(t, lo, backoff(lo, hi, 0, 429, "0"), "at least min")
	for attempt := range 8 {
		d := backoff(lo, hi, attempt, 500, "3")
		assert.GreaterOrEqual(t, d, lo)
		assert.LessOrEqual(t, d, min(hi, lo<<attempt))
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"5", 5 * time.Second, true},
		{"-1", 0, false},
		{"Sat, 28 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Sat, 28 Nov 2026 11:00:00 GMT", 0, true},
		{"soon", 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, ok := connectors.RetryAfter(tc.in, now)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDecodeConfig(t *testing.T) {
	t.Parallel()
	type cfg struct {
		URL     string         `yaml:"url"`
		RoleMap map[string]int `yaml:"role_map"`
		Timeout time.Duration  `yaml:"timeout"`
	}
	var c cfg
	require.NoError(t, connectors.DecodeConfig(map[string]any{"url": "https://x", "role_map": map[string]any{"student": 5}, "timeout": "30s"}, &c))
	assert.Equal(t, cfg{URL: "https://x", RoleMap: map[string]int{"student": 5}, Timeout: 30 * time.Second}, c)

	err := connectors.DecodeConfig(map[string]any{"url": "https://x", "rolemap": 1}, &c)
	require.Error(t, err)
	assert.Equal(t, `unknown key "rolemap"`, err.Error())

	err = connectors.DecodeConfig(map[string]any{"timeout": []any{1}}, &c)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "line ")

	require.NoError(t, connectors.DecodeConfig(nil, &c))
}

func TestReport(t *testing.T) {
	t.Parallel()
	var r connectors.Report
	r.Add(oneroster.KindUser, "a", connectors.OutcomeCreated, "")
	r.Add(oneroster.KindUser, "b", connectors.OutcomeFailed, "nope")
	r.Add(oneroster.KindClass, "c", connectors.OutcomeSkipped, "not kept")
	r.Add(oneroster.KindClass, "d", connectors.OutcomeUnchanged, "")
	assert.Equal(t, 4, r.Total())
	assert.Len(t, r.Items, 2)
	assert.Equal(t, "created=1 updated=0 removed=0 unchanged=1 skipped=1 failed=1 writes=0", r.String())

	var big connectors.Report
	for range connectors.MaxReportItems + 5 {
		big.Add(oneroster.KindUser, "x", connectors.OutcomeFailed, "r")
	}
	assert.Len(t, big.Items, connectors.MaxReportItems)
	assert.Equal(t, 5, big.Truncated)
	assert.Equal(t, connectors.MaxReportItems+5, big.Failed)
}

func TestStatementHelpers(t *testing.T) {
	t.Parallel()
	id := connectors.StatementID("a", "b")
	assert.Len(t, id, 36)
	assert.Equal(t, id, connectors.StatementID("a", "b"))
	assert.NotEqual(t, connectors.StatementID("a", "b"), connectors.StatementID("ab"))
	assert.Equal(t, "PT12.5S", connectors.Duration(12.5))
	assert.Equal(t, "PT60S", connectors.Duration(60))
	s := connectors.NewScore(8, 0, 10)
	require.NotNil(t, s.Scaled)
	assert.InDelta(t, 0.8, *s.Scaled, 1e-9)
	assert.Nil(t, connectors.NewScore(12, 0, 10).Scaled, "out of range: no scaled")
}
