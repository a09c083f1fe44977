// Package fault injects failures into the connector fakes: answer the next requests with a status, fail every request after n, stall.
package fault

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"
)

// Injector holds the faults a fake server is told to produce. Its zero
// value injects nothing; a fake embeds it, so FailNext, FailAfter and Stall
// become the fake's own switches.
type Injector struct {
	mu          sync.Mutex
	next        []failure
	after       int // requests left before every request fails, plus one; 0 = off
	afterStatus int
	stall       time.Duration
}

type failure struct {
	status     int
	retryAfter string
}

// FailNext makes the next n requests answer status, with a Retry-After
// header when retryAfter is not empty.
func (in *Injector) FailNext(n, status int, retryAfter string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for range n {
		in.next = append(in.next, failure{status, retryAfter})
	}
}

// FailAfter lets n more requests through, then answers status to every
// request (a target that stays down); n < 0 brings the server back.
func (in *Injector) FailAfter(n, status int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.after, in.afterStatus = max(n+1, 0), status
}

// Stall makes every request wait d, or until the client gives up.
func (in *Injector) Stall(d time.Duration) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.stall = d
}

// Intercept applies the injected faults to one request. It returns true
// when the request is done with: answered with an injected failure (status,
// Retry-After, and page as a text/html body when not empty), or abandoned
// by a client that gave up during a stall. The request body stays readable.
func (in *Injector) Intercept(w http.ResponseWriter, r *http.Request, page string) bool {
	in.mu.Lock()
	stall := in.stall
	var f *failure
	switch {
	case len(in.next) > 0:
		f = &in.next[0]
		in.next = in.next[1:]
	case in.after == 1:
		f = &failure{status: in.afterStatus}
	case in.after > 1:
		in.after--
	}
	in.mu.Unlock()
	if stall > 0 {
		// Read the body first: net/http notices a client that hangs up
		// only once the body is consumed.
		body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		select {
		case <-time.After(stall):
		case <-r.Context().Done():
			return true
		}
	}
	if f == nil {
		return false
	}
	if f.retryAfter != "" {
		w.Header().Set("Retry-After", f.retryAfter)
	}
	if page != "" {
		w.Header().Set("Content-Type", "text/html")
	}
	w.WriteHeader(f.status)
	_, _ = io.WriteString(w, page)
	return true
}
