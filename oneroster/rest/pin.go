package rest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/oneroster"
)

// DefaultPinTTL is how long a paging snapshot is kept by default.
const DefaultPinTTL = 10 * time.Minute

// maxPins bounds the paging snapshots kept at once; the oldest go first.
const maxPins = 1024

// pin is one client's paging snapshot: the views the first page of a query
// was served from, all at one history position of the tenant's roster.
// Views are immutable, so serving later pages from them gives every record
// exactly once however the roster changes meanwhile.
type pin struct {
	mu      sync.Mutex
	cursor  int64 // -1 until the first view is taken
	views   map[oneroster.Kind]*view
	expires time.Time
}

// pins keeps the paging snapshots by client and query.
type pins struct {
	mu   sync.Mutex
	ttl  time.Duration
	max  int
	now  func() time.Time
	byID map[string]*pin
}

func newPins(ttl time.Duration, max int, now func() time.Time) *pins {
	return &pins{ttl: ttl, max: max, now: now, byID: map[string]*pin{}}
}

// fresh starts a new snapshot for key (a first page).
func (ps *pins) fresh(key string) *pin {
	if ps.ttl < 0 {
		return nil
	}
	now := ps.now()
	p := &pin{cursor: -1, views: map[oneroster.Kind]*view{}, expires: now.Add(ps.ttl)}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(ps.byID) >= ps.max {
		ps.sweep(now)
	}
	ps.byID[key] = p
	return p
}

// lookup returns the live snapshot of key, extending it, or nil.
func (ps *pins) lookup(key string) *pin {
	if ps.ttl < 0 {
		return nil
	}
	now := ps.now()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := ps.byID[key]
	if p == nil {
		return nil
	}
	if now.After(p.expires) {
		delete(ps.byID, key)
		return nil
	}
	p.expires = now.Add(ps.ttl)
	return p
}

// sweep drops expired snapshots and, if still full, the one that expires
// first. Callers hold ps.mu.
func (ps *pins) sweep(now time.Time) {
	var oldest string
	for k, p := range ps.byID {
		if now.After(p.expires) {
			delete(ps.byID, k)
			continue
		}
		if oldest == "" || p.expires.Before(ps.byID[oldest].expires) {
			oldest = k
		}
	}
	if len(ps.byID) >= ps.max && oldest != "" {
		delete(ps.byID, oldest)
	}
}

// newReq builds a request's context. A paged GET (one with limit or offset)
// is pinned: its first page (offset 0 or none) starts a snapshot keyed by
// the credential, its bearer token, version, path and every query parameter
// but offset, and later pages of the same query read that snapshot while it
// lives. Two pulls with one credential but their own tokens (each run of a
// client fetches one) so keep their own snapshots.
func (h *Handler) newReq(c *fiber.Ctx, ver version) req {
	pr := httpauth.Principal(c)
	q := req{c: c, ver: ver, tenant: pr.Tenant}
	if c.Method() != fiber.MethodGet || h.pins == nil {
		return q
	}
	off, lim := c.Query("offset"), c.Query("limit")
	if off == "" && lim == "" {
		return q
	}
	vals := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if string(k) != "offset" {
			vals.Add(string(k), string(v))
		}
	})
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(pr.Tenant + "\x00" + pr.Key + "\x00" + tokenTag(c) + "\x00" + ver.name + "\x00" + c.Path())
	for _, k := range keys {
		for _, v := range vals[k] {
			b.WriteString("\x00" + k + "=" + v)
		}
	}
	key := b.String()
	if off == "" || off == "0" {
		q.pin = h.pins.fresh(key)
	} else if q.pin = h.pins.lookup(key); q.pin == nil {
		q.pin = h.pins.fresh(key) // no first page seen: start from now
	}
	return q
}

// view returns the view of a kind the request reads: its snapshot's when
// pinned (taking the current one into the snapshot if it is at the
// snapshot's position), else the current one.
func (h *Handler) view(q req, kind oneroster.Kind) (*view, error) {
	if q.pin != nil {
		q.pin.mu.Lock()
		v := q.pin.views[kind]
		q.pin.mu.Unlock()
		if v != nil {
			return v, nil
		}
	}
	v, err := h.views.get(q.c.UserContext(), h.Store, q.ver, q.tenant, kind)
	if err != nil || q.pin == nil {
		return v, err
	}
	q.pin.mu.Lock()
	defer q.pin.mu.Unlock()
	if q.pin.cursor < 0 {
		q.pin.cursor = v.cursor
	}
	if v.cursor == q.pin.cursor {
		q.pin.views[kind] = v
	}
	return v, nil
}

// tokenTag identifies the bearer token of a request (a hash, so the token
// itself is not kept), or "" for other authentication (OAuth 1.0a).
func tokenTag(c *fiber.Ctx) string {
	tok, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if !ok || tok == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:12])
}
