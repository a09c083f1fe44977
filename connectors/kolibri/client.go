package kolibri

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-retryablehttp"
)

// APIError is an error response of Kolibri's API: the HTTP status and its
// list of {id, metadata}.
type APIError struct {
	Status int
	Errors []struct {
		ID       string         `json:"id"`
		Metadata map[string]any `json:"metadata"`
	}
}

// Error returns Kolibri's error ids with their field and message.
func (e *APIError) Error() string {
	if len(e.Errors) == 0 {
		return fmt.Sprintf("kolibri: HTTP %d", e.Status)
	}
	parts := make([]string, 0, len(e.Errors))
	for _, x := range e.Errors {
		s := x.ID
		if f, ok := x.Metadata["field"].(string); ok && f != "" {
			s += " (" + f + ")"
		}
		if m, ok := x.Metadata["message"].(string); ok && m != "" {
			s += ": " + m
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("kolibri: HTTP %d: %s", e.Status, strings.Join(parts, "; "))
}

// has reports whether the error list carries id.
func (e *APIError) has(id string) bool {
	for _, x := range e.Errors {
		if x.ID == id {
			return true
		}
	}
	return false
}

// refused reports whether err is Kolibri refusing the records sent (a 400
// validation error), as opposed to a failure of the call.
func refused(err error) (string, bool) {
	var e *APIError
	if errors.As(err, &e) && e.Status == http.StatusBadRequest {
		return e.Error(), true
	}
	return "", false
}

// client calls Kolibri's API with a session cookie and the CSRF token.
type client struct {
	root, username, password, facility string
	hc                                 *retryablehttp.Client

	mu      sync.Mutex
	session string
	csrf    string
	writes  atomic.Int64
}

func (c *client) cookies() (string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session, c.csrf
}

func (c *client) keep(resp *http.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ck := range resp.Cookies() {
		switch ck.Name {
		case "kolibri":
			c.session = ck.Value
		case "kolibri_csrftoken":
			c.csrf = ck.Value
		}
	}
}

// login gets a CSRF cookie, then posts the credentials.
func (c *client) login(ctx context.Context) error {
	c.mu.Lock()
	c.session = ""
	c.mu.Unlock()
	if err := c.raw(ctx, http.MethodGet, "/api/auth/session/current/", nil, nil); err != nil {
		return fmt.Errorf("kolibri login: %w", err)
	}
	body := map[string]string{"username": c.username, "password": c.password}
	if c.facility != "" {
		body["facility"] = c.facility
	}
	if err := c.raw(ctx, http.MethodPost, "/api/auth/session/", body, nil); err != nil {
		return fmt.Errorf("kolibri login: %w", err)
	}
	if s, _ := c.cookies(); s == "" {
		return errors.New("kolibri login: no session cookie in the response")
	}
	return nil
}

// do calls the API, logging in first if needed and again once when the
// session has expired.
func (c *client) do(ctx context.Context, method, path string, in, out any) error {
	if s, _ := c.cookies(); s == "" {
		if err := c.login(ctx); err != nil {
			return err
		}
	}
	err := c.raw(ctx, method, path, in, out)
	var e *APIError
	if errors.As(err, &e) && (e.Status == http.StatusForbidden || e.Status == http.StatusUnauthorized) && e.has("NOT_AUTHENTICATED") {
		if err := c.login(ctx); err != nil {
			return err
		}
		err = c.raw(ctx, method, path, in, out)
	}
	return err
}

func (c *client) raw(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
	}
	var rb any
	if body != nil {
		rb = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, c.root+path, rb)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	session, csrf := c.cookies()
	var ck []string
	if session != "" {
		ck = append(ck, "kolibri="+session)
	}
	if csrf != "" {
		ck = append(ck, "kolibri_csrftoken="+csrf)
	}
	if len(ck) > 0 {
		req.Header.Set("Cookie", strings.Join(ck, "; "))
	}
	unsafe := method != http.MethodGet && method != http.MethodHead
	if unsafe && csrf != "" {
		req.Header.Set("X-CSRFToken", csrf)
		// Django checks the Referer on HTTPS requests.
		req.Header.Set("Referer", c.root+"/")
	}
	if unsafe && !strings.HasPrefix(path, "/api/auth/session/") {
		c.writes.Add(1)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("kolibri %s %s: %w", method, path, ctx.Err())
		}
		return fmt.Errorf("kolibri %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	c.keep(resp)
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("kolibri %s %s: read response: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		e := &APIError{Status: resp.StatusCode}
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
			_ = json.Unmarshal(data, &e.Errors)
		}
		return fmt.Errorf("kolibri %s %s: %w", method, path, e)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("kolibri %s %s: decode response: %w", method, path, err)
	}
	return nil
}
