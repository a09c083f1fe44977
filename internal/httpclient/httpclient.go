// Package httpclient builds the retrying HTTP client every outbound call
// uses: connectors, statement forwarding, LTI services.
package httpclient

import (
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// New returns the outbound client every connector, forwarder and AGS
// call uses: retries with jittered exponential backoff that honours
// Retry-After, and a timeout per attempt.
func New(logger *slog.Logger) *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.RetryMax = 5
	c.RetryWaitMin = 500 * time.Millisecond
	c.RetryWaitMax = 30 * time.Second
	c.Backoff = Backoff
	c.HTTPClient.Timeout = 60 * time.Second
	c.Logger = slogAdapter{logger}
	return c
}

// Backoff is exponential backoff with full jitter that honours a
// 429/503 Retry-After header.
func Backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && resp.Header.Get("Retry-After") != "" &&
		(resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		return retryablehttp.DefaultBackoff(minWait, maxWait, attempt, resp) // reads Retry-After
	}
	ceiling := min(maxWait, minWait<<min(attempt, 16))
	return ceiling/2 + rand.N(ceiling/2+1) //nolint:gosec // jitter needs no cryptographic randomness
}

// slogAdapter lets retryablehttp log through slog at debug level, without
// URLs' query strings or headers.
type slogAdapter struct{ l *slog.Logger }

//nolint:sloglint // an adapter: retryablehttp chooses the messages
func (a slogAdapter) Error(msg string, kv ...any) { a.l.Debug(strings.ToLower(msg), redact(kv)...) }

//nolint:sloglint // an adapter: retryablehttp chooses the messages
func (a slogAdapter) Info(msg string, kv ...any) { a.l.Debug(strings.ToLower(msg), redact(kv)...) }

//nolint:sloglint // an adapter: retryablehttp chooses the messages
func (a slogAdapter) Debug(msg string, kv ...any) { a.l.Debug(strings.ToLower(msg), redact(kv)...) }

//nolint:sloglint // an adapter: retryablehttp chooses the messages
func (a slogAdapter) Warn(msg string, kv ...any) { a.l.Warn(strings.ToLower(msg), redact(kv)...) }

// redact drops the request URL (it can carry tokens, e.g. Moodle's wstoken).
func redact(kv []any) []any {
	out := make([]any, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		if k, _ := kv[i].(string); k == "url" {
			continue
		}
		out = append(out, kv[i], kv[i+1])
	}
	return out
}
