package moodle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/passportbridge/passport/connectors"
)

// Exception is an error Moodle reported in a response body (Moodle sends
// errors with HTTP 200).
type Exception struct {
	Class     string `json:"exception"`
	ErrorCode string `json:"errorcode"`
	Message   string `json:"message"`
	DebugInfo string `json:"debuginfo"`
}

// Error returns Moodle's own message, with its debug detail when present.
func (e *Exception) Error() string {
	msg := e.ErrorCode + ": " + e.Message
	if e.DebugInfo != "" {
		msg += " (" + strings.TrimSpace(e.DebugInfo) + ")"
	}
	return msg
}

// Fatal reports whether the exception concerns the whole service (token,
// access, site state) rather than the records sent.
func (e *Exception) Fatal() bool {
	switch e.ErrorCode {
	case "invalidtoken", "accessexception", "servicerequireslogin", "enablewsdescription",
		"webservicesnotenabled", "sitemaintenance", "usernotfullysetup", "forcepasswordchangenotice",
		"invalidlogin", "restoredaccountresetpassword":
		return true
	}
	return false
}

// client calls Moodle's REST server.
type client struct {
	endpoint string
	token    string
	hc       *retryablehttp.Client
	writes   atomic.Int64
	maxBody  int64

	gap  time.Duration // least time between calls (0: none)
	mu   sync.Mutex
	next time.Time
}

// wait spaces calls gap apart, client-side throttling for sites without
// a rate limit of their own.
func (c *client) wait(ctx context.Context) error {
	if c.gap <= 0 {
		return nil
	}
	c.mu.Lock()
	now := time.Now()
	at := c.next
	if at.Before(now) {
		at = now
	}
	c.next = at.Add(c.gap)
	c.mu.Unlock()
	d := time.Until(at)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// form builds a request in PHP bracket syntax.
type form struct{ url.Values }

func newForm() form { return form{url.Values{}} }

func (f form) set(k, v string) { f.Set(k, v) }

// row sets prefix[i][field] = value.
func (f form) row(prefix string, i int, field, v string) {
	f.Set(prefix+"["+strconv.Itoa(i)+"]["+field+"]", v)
}

// call invokes wsfunction fn with params and decodes the JSON result into
// out (when not nil). Moodle's exception bodies come back as *Exception.
func (c *client) call(ctx context.Context, fn string, write bool, f form, out any) error {
	body := url.Values{}
	for k, v := range f.Values {
		body[k] = v
	}
	body.Set("wstoken", c.token)
	body.Set("wsfunction", fn)
	body.Set("moodlewsrestformat", "json")
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, []byte(body.Encode()))
	if err != nil {
		return fmt.Errorf("moodle %s: %w", fn, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if err := c.wait(ctx); err != nil {
		return fmt.Errorf("moodle %s: %w", fn, err)
	}
	if write {
		c.writes.Add(1)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("moodle %s: %w", fn, ctx.Err())
		}
		return fmt.Errorf("moodle %s: %w", fn, redact(err, c.token))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody))
	if err != nil {
		return fmt.Errorf("moodle %s: read response: %w", fn, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moodle %s: HTTP %d", fn, resp.StatusCode)
	}
	trimmed := strings.TrimSpace(string(data))
	if strings.HasPrefix(trimmed, "{") {
		var e Exception
		if err := json.Unmarshal(data, &e); err == nil && e.Class != "" {
			return fmt.Errorf("moodle %s: %w", fn, &e)
		}
	}
	if strings.HasPrefix(trimmed, "<") {
		return fmt.Errorf("moodle %s: response is not JSON (is the REST protocol enabled and the URL right?)", fn)
	}
	if out == nil || trimmed == "null" || trimmed == "" {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("moodle %s: decode response: %w", fn, err)
	}
	return nil
}

// redact removes the token from transport errors (url.Error prints the URL,
// and the token is in the body, not the URL, but be safe).
func redact(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "[token]"))
}

// asException returns the Moodle exception inside err, if any.
func asException(err error) (*Exception, bool) {
	var e *Exception
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// bisect is connectors.Bisect with Moodle's refusals: a non-fatal
// exception rolled the whole call back.
func bisect[T any](ctx context.Context, rows []T, n int, write func(ctx context.Context, rows []T) error, fail func(row T, err *Exception)) error {
	var last *Exception
	return connectors.Bisect(ctx, rows, n, write, func(err error) (string, bool) {
		e, ok := asException(err)
		if !ok || e.Fatal() {
			return "", false
		}
		last = e
		return e.Error(), true
	}, func(row T, _ string) { fail(row, last) })
}
