package forward

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/passportbridge/passport/lrs"
)

// Versions a rule may send in X-Experience-API-Version.
const (
	// VersionAuto sends each statement under the version it declares:
	// 2.0.x statements as 2.0.0, every other as 1.0.3.
	VersionAuto = "auto"
	// Version103 sends everything as xAPI 1.0.3.
	Version103 = "1.0.3"
	// Version200 sends everything as xAPI 2.0.0.
	Version200 = "2.0.0"
)

// DefaultBatch is how many statements one POST carries unless a rule says.
const DefaultBatch = 50

// DefaultPoll is how often an idle forwarder looks for new statements.
const DefaultPoll = 10 * time.Second

// maxBackoff bounds the wait after a failed pass.
const maxBackoff = 5 * time.Minute

// Rule is one forwarding rule: where a tenant's statements go.
type Rule struct {
	// ID names the rule; its cursor and dead letters are kept under it.
	ID string
	// Tenant is the tenant whose statements are forwarded.
	Tenant string
	// URL is the downstream xAPI endpoint base; statements are POSTed to
	// URL + "statements".
	URL string
	// Key and Secret are the downstream credential (HTTP Basic).
	Key, Secret string
	// Version is VersionAuto (also when empty), Version103 or Version200.
	Version string
	// Filter picks the statements to forward.
	Filter Filter
	// Batch is how many statements one POST carries (DefaultBatch when 0).
	Batch int
	// Poll is how often an idle forwarder looks (DefaultPoll when 0).
	Poll time.Duration
}

// Source is what a Forwarder reads and keeps.
type Source interface {
	LogStore
	CursorStore
	DeadLetterStore
	// Attachments returns the stored attachment parts with these hashes.
	Attachments(ctx context.Context, tenant string, sha2 []string) ([]lrs.Part, error)
}

// Forwarder sends one rule's statements downstream: the tenant's
// statement log is its outbox and a durable cursor, moved only after the
// downstream acknowledged, its position. Run it with Run; one Forwarder
// per rule and process.
type Forwarder struct {
	rule    Rule
	store   Source
	client  *retryablehttp.Client
	logger  *slog.Logger
	clock   func() time.Time
	settle  time.Duration
	metrics *Metrics
	wake    chan struct{}
	mu      sync.Mutex // one pass at a time
}

// Options configures a Forwarder beside its rule and store.
type Options struct {
	// Client sends the requests (retries, backoff, Retry-After).
	Client *retryablehttp.Client
	// Logger receives operational logs (never statement content).
	Logger *slog.Logger
	// Clock returns the current time.
	Clock func() time.Time
	// Settle keeps the forwarder this far behind the newest stored time,
	// for stores whose concurrent writers may commit slightly out of
	// stored order (mongo); 0 for sqlite.
	Settle time.Duration
	// Metrics, when not nil, counts per rule.
	Metrics *Metrics
}

// New returns a Forwarder for r reading s.
func New(r Rule, s Source, o Options) *Forwarder {
	if r.Batch < 1 || r.Batch > lrs.MaxLimit {
		r.Batch = DefaultBatch
	}
	if r.Poll <= 0 {
		r.Poll = DefaultPoll
	}
	if r.Version == "" {
		r.Version = VersionAuto
	}
	if !strings.HasSuffix(r.URL, "/") {
		r.URL += "/"
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Forwarder{
		rule: r, store: s, client: o.Client, logger: o.Logger.With("rule", r.ID),
		clock: o.Clock, settle: o.Settle, metrics: o.Metrics, wake: make(chan struct{}, 1),
	}
}

// Rule returns the forwarder's rule.
func (f *Forwarder) Rule() Rule { return f.rule }

// Wake asks the forwarder to look for new statements now.
func (f *Forwarder) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run forwards until ctx ends: a pass, then a wait of the poll interval
// (or until Wake), with a growing wait after a failed pass.
func (f *Forwarder) Run(ctx context.Context) error {
	wait := f.rule.Poll
	for {
		res, err := f.RunOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			f.logger.WarnContext(ctx, "forwarding pass failed", "err", err, "forwarded", res.Forwarded)
			wait = min(max(wait*2, f.rule.Poll), maxBackoff)
		default:
			if res.Forwarded > 0 || res.DeadLettered > 0 {
				f.logger.InfoContext(ctx, "statements forwarded", "forwarded", res.Forwarded, "dead_lettered", res.DeadLettered)
			}
			wait = f.rule.Poll
			if !res.CaughtUp {
				continue
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-f.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// Result counts what one pass did.
type Result struct {
	Forwarded    int
	DeadLettered int
	Skipped      int
	// CaughtUp says the pass reached the end of the log.
	CaughtUp bool
}

// errTransient marks a failure worth retrying later as a whole: the
// network, a 5xx, 408, 429, or a refusal of the rule itself (401, 403,
// 404, 405), which no statement is to blame for.
var errTransient = errors.New("downstream unavailable")

// item is one statement to send.
type item struct {
	st lrs.StoredStatement
}

// RunOnce makes one pass: first the dead letters queued for retry, then
// the log after the cursor, until the log is exhausted (CaughtUp) or a
// transient failure stops it (then the cursor stays at the last
// acknowledged statement and the error is returned). A pass whose cursor
// is moved under it (a replay) stops early without error and without
// CaughtUp.
func (f *Forwarder) RunOnce(ctx context.Context) (Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var res Result
	if err := f.retryDeadLetters(ctx, &res); err != nil {
		f.count(func(m *Metrics) { m.Failed.WithLabelValues(f.rule.ID).Inc() })
		return res, err
	}
	err := f.forwardLog(ctx, &res)
	switch {
	case errors.Is(err, errCursorMoved):
		f.logger.InfoContext(ctx, "forward cursor moved during a pass; starting again from it")
		return res, nil // not caught up: Run goes again at once
	case err != nil:
		f.count(func(m *Metrics) { m.Failed.WithLabelValues(f.rule.ID).Inc() })
	}
	return res, err
}

func (f *Forwarder) count(fn func(m *Metrics)) {
	if f.metrics != nil {
		fn(f.metrics)
	}
}

func (f *Forwarder) retryDeadLetters(ctx context.Context, res *Result) error {
	for {
		dls, err := f.store.DeadLetters(ctx, f.rule.Tenant, f.rule.ID, true, f.rule.Batch)
		if err != nil {
			return err
		}
		if len(dls) == 0 {
			return nil
		}
		ids := make([]uuid.UUID, len(dls))
		for i, d := range dls {
			ids[i] = d.StatementID
		}
		sts, err := f.store.StatementsByID(ctx, f.rule.Tenant, ids)
		if err != nil {
			return err
		}
		byID := map[uuid.UUID]lrs.StoredStatement{}
		for _, st := range sts {
			byID[st.ID] = st
		}
		for _, d := range dls {
			st, ok := byID[d.StatementID]
			if !ok { // erased or gone: nothing left to send
				if err := f.store.DeleteDeadLetter(ctx, f.rule.Tenant, f.rule.ID, d.StatementID); err != nil {
					return err
				}
				continue
			}
			fa, err := statementFacts(st.JSON)
			if err != nil { // keep it dead, out of the retry queue
				d.Retry, d.At, d.Reason = false, f.clock().UTC(), "stored statement unreadable: "+err.Error()
				if err := f.store.PutDeadLetter(ctx, f.rule.Tenant, f.rule.ID, d); err != nil {
					return err
				}
				continue
			}
			refused, err := f.deliver(ctx, f.header(fa), []item{{st: st}}, res)
			if err != nil {
				return err
			}
			if !refused {
				if err := f.store.DeleteDeadLetter(ctx, f.rule.Tenant, f.rule.ID, d.StatementID); err != nil {
					return err
				}
			}
		}
	}
}

// header is the X-Experience-API-Version a statement is sent under.
func (f *Forwarder) header(fa facts) string {
	switch f.rule.Version {
	case Version103, Version200:
		return f.rule.Version
	}
	if fa.v2 {
		return Version200
	}
	return Version103
}

// selected decides whether the rule forwards a statement. A voiding
// statement follows its target: it goes when the target passes the filter
// (or, when the target is unknown here, when it passes it itself, verbs aside).
func (f *Forwarder) selected(ctx context.Context, fa facts) (bool, error) {
	if f.rule.Filter.Empty() {
		return true, nil
	}
	if fa.voidTarget == nil {
		return f.rule.Filter.match(fa, false), nil
	}
	targets, err := f.store.StatementsByID(ctx, f.rule.Tenant, []uuid.UUID{*fa.voidTarget})
	if err != nil {
		return false, err
	}
	if len(targets) == 0 {
		return f.rule.Filter.match(fa, true), nil
	}
	tf, err := statementFacts(targets[0].JSON)
	if err != nil {
		return false, fmt.Errorf("read stored statement: %w", err)
	}
	return f.rule.Filter.match(tf, false), nil
}

func (f *Forwarder) forwardLog(ctx context.Context, res *Result) error {
	cur, err := f.store.ForwardCursor(ctx, f.rule.Tenant, f.rule.ID)
	if err != nil {
		return err
	}
	var until time.Time
	if f.settle > 0 {
		until = f.clock().Add(-f.settle)
	}
	for {
		page, err := f.store.StatementLog(ctx, f.rule.Tenant, cur, until, f.rule.Batch)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			res.CaughtUp = true
			f.count(func(m *Metrics) { m.Lag.WithLabelValues(f.rule.ID).Set(0) })
			return nil
		}
		f.count(func(m *Metrics) {
			m.Lag.WithLabelValues(f.rule.ID).Set(max(0, f.clock().Sub(page[0].Stored).Seconds()))
		})
		var (
			batch []item
			hdr   string
		)
		// flush sends batch, then moves the cursor to page[upTo].
		flush := func(upTo int) error {
			if len(batch) > 0 {
				if _, err := f.deliver(ctx, hdr, batch, res); err != nil {
					return err
				}
			}
			batch = nil
			c := lrs.Cursor{Stored: page[upTo].Stored, ID: page[upTo].ID}
			moved, err := f.store.AdvanceForwardCursor(ctx, f.rule.Tenant, f.rule.ID, cur, c)
			if err != nil {
				return err
			}
			if !moved {
				return errCursorMoved
			}
			cur = &c
			return nil
		}
		for i, st := range page {
			fa, err := statementFacts(st.JSON)
			if err != nil { // cannot happen to a statement the LRS stored; never block the rule on it
				d := DeadLetter{StatementID: st.ID, Stored: st.Stored, At: f.clock().UTC(), Reason: "stored statement unreadable: " + err.Error()}
				if err := f.store.PutDeadLetter(ctx, f.rule.Tenant, f.rule.ID, d); err != nil {
					return err
				}
				res.DeadLettered++
				continue
			}
			ok, err := f.selected(ctx, fa)
			if err != nil {
				return err
			}
			if !ok {
				res.Skipped++
				continue
			}
			h := f.header(fa)
			if len(batch) > 0 && h != hdr {
				if err := flush(i - 1); err != nil {
					return err
				}
			}
			hdr = h
			batch = append(batch, item{st: st})
		}
		if err := flush(len(page) - 1); err != nil {
			return err
		}
	}
}

// errCursorMoved stops a pass whose cursor was moved under it (a replay,
// or another process forwarding the same rule): the next pass starts from
// where the cursor is now.
var errCursorMoved = errors.New("forward cursor moved by someone else")

// deliver POSTs items, bisecting a batch the downstream refuses so that
// only the statements it refuses for good become dead letters. refused
// reports that (a single) item was dead-lettered. A transient failure
// returns an error wrapping errTransient.
func (f *Forwarder) deliver(ctx context.Context, hdr string, items []item, res *Result) (refused bool, err error) {
	status, reason, err := f.post(ctx, hdr, items)
	if err != nil {
		return false, err
	}
	switch {
	case status >= 200 && status < 300:
		res.Forwarded += len(items)
		f.count(func(m *Metrics) { m.Forwarded.WithLabelValues(f.rule.ID).Add(float64(len(items))) })
		return false, nil
	case !permanent(status):
		return false, fmt.Errorf("post statements: status %d: %w", status, errTransient)
	case len(items) == 1:
		d := DeadLetter{
			StatementID: items[0].st.ID, Stored: items[0].st.Stored, At: f.clock().UTC(),
			Reason: fmt.Sprintf("downstream answered %d: %s", status, reason),
		}
		if err := f.store.PutDeadLetter(ctx, f.rule.Tenant, f.rule.ID, d); err != nil {
			return false, err
		}
		res.DeadLettered++
		f.count(func(m *Metrics) { m.DeadLettered.WithLabelValues(f.rule.ID).Inc() })
		f.logger.WarnContext(ctx, "statement dead-lettered", "statement_id", d.StatementID.String(), "status", status)
		return true, nil
	default:
		half := len(items) / 2
		if _, err := f.deliver(ctx, hdr, items[:half], res); err != nil {
			return false, err
		}
		_, err := f.deliver(ctx, hdr, items[half:], res)
		return false, err
	}
}

// permanent reports whether status refuses the statements themselves, so
// that sending them again cannot succeed: any 4xx but 408 and 429 (worth
// retrying) and 401, 403, 404, 405 (the rule's credential or URL is wrong,
// not the statements).
func permanent(status int) bool {
	if status < 400 || status >= 500 {
		return false
	}
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusUnauthorized,
		http.StatusForbidden, http.StatusNotFound, http.StatusMethodNotAllowed:
		return false
	}
	return true
}

// maxReason bounds the downstream message kept with a dead letter.
const maxReason = 300

// post sends one batch and returns the status and, for errors, the start
// of the downstream's message.
func (f *Forwarder) post(ctx context.Context, hdr string, items []item) (int, string, error) {
	var js bytes.Buffer
	js.WriteByte('[')
	var hashes []string
	for i, it := range items {
		if i > 0 {
			js.WriteByte(',')
		}
		js.Write(it.st.JSON)
		hashes = append(hashes, it.st.Attachments...)
	}
	js.WriteByte(']')
	body, ctype := js.Bytes(), "application/json"
	if len(hashes) > 0 {
		parts, err := f.store.Attachments(ctx, f.rule.Tenant, hashes)
		if err != nil {
			return 0, "", err
		}
		if len(parts) > 0 {
			var mp bytes.Buffer
			ct, err := lrs.WriteMultipart(&mp, js.Bytes(), parts)
			if err != nil {
				return 0, "", err
			}
			body, ctype = mp.Bytes(), ct
		}
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, f.rule.URL+"statements", body)
	if err != nil {
		return 0, "", fmt.Errorf("post statements: %w", err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-Experience-API-Version", hdr)
	req.SetBasicAuth(f.rule.Key, f.rule.Secret)
	resp, err := f.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", ctx.Err()
		}
		return 0, "", fmt.Errorf("post statements: %w: %w", errTransient, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, maxReason))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, strings.TrimSpace(string(msg)), nil
}
