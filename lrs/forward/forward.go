package forward

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/passportbridge/passport/lrs"
)

// DeadLetter is a statement a downstream LRS refused for good (a 4xx); it
// waits for a replay.
type DeadLetter struct {
	ID     uuid.UUID
	At     time.Time
	Status int
	Reason string
}

// Progress keeps each forwarding rule's progress and dead letters.
type Progress interface {
	// ForwardCursor returns where rule has forwarded up to in tenant; nil
	// when it has not started.
	ForwardCursor(ctx context.Context, tenant, rule string) (*lrs.Cursor, error)
	// SetForwardCursor records rule's progress.
	SetForwardCursor(ctx context.Context, tenant, rule string, c lrs.Cursor) error
	// AddDeadLetters records refused statements (again: the latest wins).
	AddDeadLetters(ctx context.Context, tenant, rule string, dl []DeadLetter) error
	// DeadLetters lists rule's dead letters, oldest first.
	DeadLetters(ctx context.Context, tenant, rule string) ([]DeadLetter, error)
	// DeleteDeadLetter removes one dead letter (after a successful replay).
	DeleteDeadLetter(ctx context.Context, tenant, rule string, id uuid.UUID) error
}

// Rule is a resolved forwarding rule.
type Rule struct {
	ID, Tenant string
	// URL is the downstream endpoint base (statements go to URL/statements).
	URL         string
	Key, Secret string
	Version     string
	Verbs       []string
	Activities  []string
	// Actors are IFI keys (AgentKey).
	Actors []string
}

// matches reports whether a stored statement passes the rule's filters.
func (r Rule) matches(raw []byte) bool {
	if len(r.Verbs) == 0 && len(r.Activities) == 0 && len(r.Actors) == 0 {
		return true
	}
	st, ok := lrs.IndexKeys(raw)
	if !ok {
		return false
	}
	if len(r.Verbs) > 0 && !slices.Contains(r.Verbs, st.VerbID) {
		return false
	}
	if len(r.Activities) > 0 && !slices.ContainsFunc(st.RelatedActivities, func(a string) bool { return slices.Contains(r.Activities, a) }) {
		return false
	}
	if len(r.Actors) > 0 && !slices.ContainsFunc(st.Agents, func(a string) bool { return slices.Contains(r.Actors, a) }) {
		return false
	}
	return true
}

// Forwarder sends one rule's statements downstream, in stored order, at
// least once and idempotently by statement id: the downstream LRS treats a
// statement it already has as a no-op, so a camp server that was offline
// catches up with no duplicates and no loss. Progress is a durable cursor;
// statements the downstream refuses for good become dead letters.
type Forwarder struct {
	Store interface {
		lrs.StatementStore
		Progress
	}
	Rule   Rule
	HTTP   *retryablehttp.Client
	Logger *slog.Logger
	Clock  func() time.Time
	// Batch is how many statements one request carries (default 50).
	Batch int
	// Lag keeps the forwarder this far behind the newest stored time, so
	// that statements still being committed are never skipped (default 2s).
	Lag time.Duration
}

// Run forwards until ctx ends, polling every interval when caught up.
func (f *Forwarder) Run(ctx context.Context, interval time.Duration) error {
	for {
		n, err := f.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			f.Logger.WarnContext(ctx, "forwarding paused", "rule", f.Rule.ID, "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

// RunOnce forwards everything stored until now minus the lag and returns
// how many statements it handled (sent or dead-lettered).
func (f *Forwarder) RunOnce(ctx context.Context) (int, error) {
	batch, lag := f.Batch, f.Lag
	if batch <= 0 {
		batch = 50
	}
	if lag <= 0 {
		lag = 2 * time.Second
	}
	cur, err := f.Store.ForwardCursor(ctx, f.Rule.Tenant, f.Rule.ID)
	if err != nil {
		return 0, fmt.Errorf("forward %s: %w", f.Rule.ID, err)
	}
	until := f.Clock().Add(-lag)
	total := 0
	for {
		q := lrs.Query{Limit: batch, Ascending: true, IncludeVoided: true, After: cur, Until: until}
		page, err := f.Store.QueryStatements(ctx, f.Rule.Tenant, q)
		if err != nil {
			return total, fmt.Errorf("forward %s: %w", f.Rule.ID, err)
		}
		if len(page.Statements) == 0 {
			return total, nil
		}
		var send []lrs.StoredStatement
		for _, st := range page.Statements {
			if f.Rule.matches(st.JSON) {
				send = append(send, st)
			}
		}
		if len(send) > 0 {
			if err := f.sendBatch(ctx, send); err != nil {
				return total, err
			}
		}
		last := page.Statements[len(page.Statements)-1]
		cur = &lrs.Cursor{Stored: last.Stored, ID: last.ID}
		if err := f.Store.SetForwardCursor(ctx, f.Rule.Tenant, f.Rule.ID, *cur); err != nil {
			return total, fmt.Errorf("forward %s: %w", f.Rule.ID, err)
		}
		total += len(send)
		if page.More == nil {
			return total, nil
		}
	}
}

// Replay sends the rule's dead letters again and returns how many the
// downstream now accepted.
func (f *Forwarder) Replay(ctx context.Context) (int, error) {
	dls, err := f.Store.DeadLetters(ctx, f.Rule.Tenant, f.Rule.ID)
	if err != nil {
		return 0, fmt.Errorf("replay %s: %w", f.Rule.ID, err)
	}
	ok := 0
	for _, dl := range dls {
		st, err := f.Store.Statement(ctx, f.Rule.Tenant, dl.ID, false)
		if err != nil {
			st, err = f.Store.Statement(ctx, f.Rule.Tenant, dl.ID, true)
		}
		if err != nil {
			continue // erased since: nothing to send
		}
		status, reason, err := f.put(ctx, st)
		if err != nil {
			return ok, err
		}
		if status/100 == 2 {
			if err := f.Store.DeleteDeadLetter(ctx, f.Rule.Tenant, f.Rule.ID, dl.ID); err != nil {
				return ok, fmt.Errorf("replay %s: %w", f.Rule.ID, err)
			}
			ok++
			continue
		}
		if err := f.Store.AddDeadLetters(ctx, f.Rule.Tenant, f.Rule.ID, []DeadLetter{{ID: dl.ID, At: f.Clock(), Status: status, Reason: reason}}); err != nil {
			return ok, fmt.Errorf("replay %s: %w", f.Rule.ID, err)
		}
	}
	return ok, nil
}

// sendBatch POSTs the statements; when the downstream refuses the batch
// with a 4xx it falls back to one PUT per statement so that only the
// refused ones become dead letters. Transport errors and 5xx (after the
// client's retries) are returned, leaving the cursor where it was.
func (f *Forwarder) sendBatch(ctx context.Context, ss []lrs.StoredStatement) error {
	body, ct, err := f.body(ctx, ss, true)
	if err != nil {
		return err
	}
	status, _, err := f.do(ctx, http.MethodPost, "/statements", body, ct)
	if err != nil {
		return err
	}
	if status/100 == 2 {
		return nil
	}
	var dead []DeadLetter
	for _, st := range ss {
		status, reason, err := f.put(ctx, st)
		if err != nil {
			return err
		}
		if status/100 != 2 {
			dead = append(dead, DeadLetter{ID: st.ID, At: f.Clock(), Status: status, Reason: reason})
		}
	}
	if len(dead) > 0 {
		f.Logger.WarnContext(ctx, "statements dead-lettered", "rule", f.Rule.ID, "count", len(dead))
		if err := f.Store.AddDeadLetters(ctx, f.Rule.Tenant, f.Rule.ID, dead); err != nil {
			return fmt.Errorf("forward %s: %w", f.Rule.ID, err)
		}
	}
	return nil
}

func (f *Forwarder) put(ctx context.Context, st lrs.StoredStatement) (int, string, error) {
	body, ct, err := f.body(ctx, []lrs.StoredStatement{st}, false)
	if err != nil {
		return 0, "", err
	}
	return f.do(ctx, http.MethodPut, "/statements?statementId="+st.ID.String(), body, ct)
}

// body is a JSON array (or one statement) of the stored statements, as
// multipart/mixed when they carry stored attachments.
func (f *Forwarder) body(ctx context.Context, ss []lrs.StoredStatement, array bool) ([]byte, string, error) {
	var js bytes.Buffer
	var hashes []string
	if array {
		js.WriteByte('[')
	}
	for i, st := range ss {
		if i > 0 {
			js.WriteByte(',')
		}
		js.Write(st.JSON)
		hashes = append(hashes, st.Attachments...)
	}
	if array {
		js.WriteByte(']')
	}
	if len(hashes) == 0 {
		return js.Bytes(), "application/json", nil
	}
	parts, err := f.Store.Attachments(ctx, f.Rule.Tenant, hashes)
	if err != nil {
		return nil, "", fmt.Errorf("forward %s: %w", f.Rule.ID, err)
	}
	if len(parts) == 0 {
		return js.Bytes(), "application/json", nil
	}
	var mp bytes.Buffer
	ct, err := lrs.WriteMultipart(&mp, js.Bytes(), parts)
	if err != nil {
		return nil, "", fmt.Errorf("forward %s: %w", f.Rule.ID, err)
	}
	return mp.Bytes(), ct, nil
}

// do sends one request and returns the final status and a short reason.
func (f *Forwarder) do(ctx context.Context, method, path string, body []byte, ct string) (int, string, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, method, strings.TrimRight(f.Rule.URL, "/")+path, body)
	if err != nil {
		return 0, "", fmt.Errorf("forward %s: %w", f.Rule.ID, err)
	}
	v := f.Rule.Version
	if v == "" {
		v = "1.0.3"
	}
	req.Header.Set("X-Experience-API-Version", v)
	req.Header.Set("Content-Type", ct)
	req.SetBasicAuth(f.Rule.Key, f.Rule.Secret)
	res, err := f.HTTP.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("forward %s: %w", f.Rule.ID, err)
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests ||
		res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
		// Not the statement's fault: keep it for the next attempt.
		return res.StatusCode, "", fmt.Errorf("forward %s: downstream answered %d", f.Rule.ID, res.StatusCode)
	}
	return res.StatusCode, strings.TrimSpace(string(msg)), nil
}
