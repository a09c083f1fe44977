package connectors

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Backoff is a retryablehttp.Backoff: when a 429 or 503 response carries
// Retry-After (seconds or an HTTP date) it waits that long, capped at max;
// otherwise it waits an exponentially growing time with full jitter between
// min and min·2^attempt (capped at max).
func Backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(max(d, lo), hi)
		}
	}
	ceil := float64(lo) * math.Pow(2, float64(attempt))
	if ceil > float64(hi) || math.IsInf(ceil, 0) {
		ceil = float64(hi)
	}
	if ceil <= float64(lo) {
		return lo
	}
	return lo + time.Duration(rand.Int64N(int64(ceil)-int64(lo)+1)) //nolint:gosec // jitter, not security
}

// RetryAfter parses a Retry-After header value (delay seconds or an HTTP
// date, relative to now).
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}

// PrepareClient sets the connectors' retry policy on hc: Backoff, and the
// default retry on connection errors, 429 and 5xx. It returns hc.
func PrepareClient(hc *retryablehttp.Client) *retryablehttp.Client {
	hc.Backoff = Backoff
	if hc.CheckRetry == nil {
		hc.CheckRetry = retryablehttp.DefaultRetryPolicy
	}
	// Return the last response instead of a generic "giving up" error, so
	// callers can report the target's status.
	hc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return hc
}
