package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
)

var _ forward.Store = (*Store)(nil)

// StatementLog implements forward.LogStore.
func (s *Store) StatementLog(ctx context.Context, tenant string, after *lrs.Cursor, until time.Time, limit int) ([]lrs.StoredStatement, error) {
	if limit < 1 || limit > lrs.MaxLimit {
		limit = lrs.MaxLimit
	}
	const sel = `SELECT id, stored, atts, raw FROM lrs_statements WHERE tenant = ?`
	const order = ` ORDER BY stored, id LIMIT ?`
	var (
		rows *sql.Rows
		err  error
	)
	switch {
	case after == nil && until.IsZero():
		rows, err = s.db.QueryContext(ctx, sel+order, tenant, limit)
	case after == nil:
		rows, err = s.db.QueryContext(ctx, sel+` AND stored <= ?`+order, tenant, nanos(until), limit)
	case until.IsZero():
		rows, err = s.db.QueryContext(ctx, sel+` AND (stored, id) > (?, ?)`+order,
			tenant, nanos(after.Stored), after.ID.String(), limit)
	default:
		rows, err = s.db.QueryContext(ctx, sel+` AND (stored, id) > (?, ?) AND stored <= ?`+order,
			tenant, nanos(after.Stored), after.ID.String(), nanos(until), limit)
	}
	if err != nil {
		return nil, fmt.Errorf("statement log: %w", err)
	}
	defer rows.Close()
	var out []lrs.StoredStatement
	for rows.Next() {
		st, err := scanStatement(rows)
		if err != nil {
			return nil, fmt.Errorf("statement log: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("statement log: %w", err)
	}
	return out, nil
}

// StatementsByID implements forward.LogStore.
func (s *Store) StatementsByID(ctx context.Context, tenant string, ids []uuid.UUID) ([]lrs.StoredStatement, error) {
	var out []lrs.StoredStatement
	for _, id := range ids {
		row := s.db.QueryRowContext(ctx, `SELECT id, stored, atts, raw FROM lrs_statements WHERE tenant = ? AND id = ?`,
			tenant, id.String())
		st, err := scanStatement(row)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read statement: %w", err)
		}
		out = append(out, st)
	}
	return out, nil
}

// ForwardCursor implements forward.CursorStore.
func (s *Store) ForwardCursor(ctx context.Context, tenant, rule string) (*lrs.Cursor, error) {
	var (
		stored int64
		id     string
	)
	err := s.db.QueryRowContext(ctx, `SELECT stored, id FROM forward_cursors WHERE tenant = ? AND rule = ?`,
		tenant, rule).Scan(&stored, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read forward cursor: %w", err)
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, fmt.Errorf("read forward cursor: %w", err)
	}
	return &lrs.Cursor{Stored: fromNanos(stored), ID: u}, nil
}

// SetForwardCursor implements forward.CursorStore.
func (s *Store) SetForwardCursor(ctx context.Context, tenant, rule string, c *lrs.Cursor) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if c == nil {
			_, err := tx.ExecContext(ctx, `DELETE FROM forward_cursors WHERE tenant = ? AND rule = ?`, tenant, rule)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO forward_cursors (tenant, rule, stored, id) VALUES (?, ?, ?, ?)
			ON CONFLICT (tenant, rule) DO UPDATE SET stored = excluded.stored, id = excluded.id`,
			tenant, rule, nanos(c.Stored), c.ID.String())
		return err
	})
	if err != nil {
		return fmt.Errorf("set forward cursor: %w", err)
	}
	return nil
}

// AdvanceForwardCursor implements forward.CursorStore.
func (s *Store) AdvanceForwardCursor(ctx context.Context, tenant, rule string, from *lrs.Cursor, to lrs.Cursor) (bool, error) {
	var moved bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		var (
			res sql.Result
			err error
		)
		if from == nil {
			res, err = tx.ExecContext(ctx, `INSERT INTO forward_cursors (tenant, rule, stored, id) VALUES (?, ?, ?, ?)
				ON CONFLICT (tenant, rule) DO NOTHING`, tenant, rule, nanos(to.Stored), to.ID.String())
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE forward_cursors SET stored = ?, id = ?
				WHERE tenant = ? AND rule = ? AND stored = ? AND id = ?`,
				nanos(to.Stored), to.ID.String(), tenant, rule, nanos(from.Stored), from.ID.String())
		}
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		moved = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("advance forward cursor: %w", err)
	}
	return moved, nil
}

// PutDeadLetter implements forward.DeadLetterStore.
func (s *Store) PutDeadLetter(ctx context.Context, tenant, rule string, d forward.DeadLetter) error {
	retry := 0
	if d.Retry {
		retry = 1
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO forward_dead_letters (tenant, rule, statement_id, stored, reason, at, retry)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, rule, statement_id) DO UPDATE SET
			stored = excluded.stored, reason = excluded.reason, at = excluded.at, retry = excluded.retry`,
			tenant, rule, d.StatementID.String(), nanos(d.Stored), d.Reason, nanos(d.At), retry)
		return err
	})
	if err != nil {
		return fmt.Errorf("put dead letter: %w", err)
	}
	return nil
}

// DeadLetters implements forward.DeadLetterStore.
func (s *Store) DeadLetters(ctx context.Context, tenant, rule string, retryOnly bool, limit int) ([]forward.DeadLetter, error) {
	const sel = `SELECT statement_id, stored, reason, at, retry FROM forward_dead_letters WHERE tenant = ? AND rule = ?`
	const order = ` ORDER BY stored, statement_id LIMIT ?`
	q := sel + order
	if retryOnly {
		q = sel + ` AND retry = 1` + order
	}
	rows, err := s.db.QueryContext(ctx, q, tenant, rule, max(limit, 1))
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	defer rows.Close()
	var out []forward.DeadLetter
	for rows.Next() {
		var (
			id         string
			stored, at int64
			reason     string
			retry      int
		)
		if err := rows.Scan(&id, &stored, &reason, &at, &retry); err != nil {
			return nil, fmt.Errorf("dead letters: %w", err)
		}
		u, err := uuid.Parse(id)
		if err != nil {
			return nil, fmt.Errorf("dead letters: %w", err)
		}
		out = append(out, forward.DeadLetter{StatementID: u, Stored: fromNanos(stored), Reason: reason, At: fromNanos(at), Retry: retry == 1})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	return out, nil
}

// RequeueDeadLetters implements forward.DeadLetterStore.
func (s *Store) RequeueDeadLetters(ctx context.Context, tenant, rule string) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE forward_dead_letters SET retry = 1 WHERE tenant = ? AND rule = ?`, tenant, rule)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("requeue dead letters: %w", err)
	}
	return int(n), nil
}

// DeleteDeadLetter implements forward.DeadLetterStore.
func (s *Store) DeleteDeadLetter(ctx context.Context, tenant, rule string, id uuid.UUID) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM forward_dead_letters WHERE tenant = ? AND rule = ? AND statement_id = ?`,
			tenant, rule, id.String())
		return err
	})
	if err != nil {
		return fmt.Errorf("delete dead letter: %w", err)
	}
	return nil
}

// fwdErasedStatement is one statement an erasure removes, with the index keys
// it was stored under.
type fwdErasedStatement struct {
	id         string
	seg        int64
	stored     int64
	atts       []string
	agents     []string
	activities []string
}

// fwdIndexKeys recomputes the agent and activity keys a stored statement was
// indexed under, so that its index rows can be deleted by primary key.
func fwdIndexKeys(raw []byte) (agents, activities []string, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, nil, fmt.Errorf("decode stored statement: %w", err)
	}
	st, err := lrs.Prepare(m, lrs.Prepared{})
	if err != nil {
		return nil, nil, fmt.Errorf("index stored statement: %w", err)
	}
	return st.RelatedAgents, st.RelatedActivities, nil
}

// fwdScanErasable returns the statements of tenant stored after minStored
// (all when 0) that mention agentKey.
func fwdScanErasable(ctx context.Context, tx *sql.Tx, tenant, agentKey string, minStored int64) ([]fwdErasedStatement, error) {
	// A scan, pre-filtered on a token of the IFI when there is one: the
	// learner may appear where no index holds them (Group members).
	q := `SELECT id, seg, stored, atts, raw FROM lrs_statements WHERE tenant = ? AND stored > ?`
	args := []any{tenant, minStored}
	if tok := forward.ScanToken(agentKey); tok != "" {
		q += ` AND instr(lower(CAST(raw AS TEXT)), ?) > 0`
		args = append(args, tok)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find statements: %w", err)
	}
	defer rows.Close()
	var out []fwdErasedStatement
	for rows.Next() {
		var (
			e    fwdErasedStatement
			atts string
			raw  []byte
		)
		if err := rows.Scan(&e.id, &e.seg, &e.stored, &atts, &raw); err != nil {
			return nil, fmt.Errorf("find statements: %w", err)
		}
		hit, err := forward.Mentions(raw, agentKey)
		if err != nil {
			return nil, fmt.Errorf("decode stored statement: %w", err)
		}
		if !hit {
			continue
		}
		if err := json.Unmarshal([]byte(atts), &e.atts); err != nil {
			return nil, fmt.Errorf("stored attachments: %w", err)
		}
		if e.agents, e.activities, err = fwdIndexKeys(raw); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find statements: %w", err)
	}
	return out, nil
}

// EraseAgent implements forward.Eraser. The slow part, the scan of the
// tenant's statements, runs on a read snapshot so that the writer (and
// every LRS write behind it) is held only for the statements stored after
// that snapshot and the deletes themselves.
func (s *Store) EraseAgent(ctx context.Context, tenant, agentKey string, dryRun bool) (forward.ErasureCounts, error) {
	var (
		snapshot int64
		erased   []fwdErasedStatement
		// orphans are the attachments that only erased statements reference
		// (as of the snapshot).
		orphans []string
		nDocs   int
	)
	err := s.read(ctx, func(tx *sql.Tx) error {
		var maxStored sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(stored) FROM lrs_statements WHERE tenant = ?`, tenant).Scan(&maxStored); err != nil {
			return fmt.Errorf("read last stored: %w", err)
		}
		snapshot = maxStored.Int64
		var err error
		if erased, err = fwdScanErasable(ctx, tx, tenant, agentKey, 0); err != nil {
			return err
		}
		if orphans, err = fwdOrphans(ctx, tx, tenant, erased); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM lrs_documents WHERE tenant = ? AND kind IN (?, ?) AND agent = ?`,
			tenant, string(lrs.KindState), string(lrs.KindAgentProfile), agentKey).Scan(&nDocs)
	})
	if err != nil {
		return forward.ErasureCounts{}, fmt.Errorf("erase agent: %w", err)
	}
	if dryRun {
		return forward.ErasureCounts{Statements: len(erased), Documents: nDocs, Attachments: len(orphans)}, nil
	}
	var counts forward.ErasureCounts
	err = s.write(ctx, func(tx *sql.Tx) error {
		counts = forward.ErasureCounts{}
		later, err := fwdScanErasable(ctx, tx, tenant, agentKey, snapshot)
		if err != nil {
			return err
		}
		all := append(slices.Clone(erased), later...)
		for _, e := range all {
			res, err := tx.ExecContext(ctx, `DELETE FROM lrs_statements WHERE tenant = ? AND id = ?`, tenant, e.id)
			if err != nil {
				return fmt.Errorf("delete statement: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				counts.Statements++
			}
			for _, k := range e.agents {
				if _, err := tx.ExecContext(ctx, `DELETE FROM lrs_statement_agents WHERE tenant = ? AND seg = ? AND key = ? AND stored = ? AND id = ?`,
					tenant, e.seg, k, e.stored, e.id); err != nil {
					return fmt.Errorf("delete statement agent: %w", err)
				}
			}
			for _, a := range e.activities {
				if _, err := tx.ExecContext(ctx, `DELETE FROM lrs_statement_activities WHERE tenant = ? AND seg = ? AND activity = ? AND stored = ? AND id = ?`,
					tenant, e.seg, a, e.stored, e.id); err != nil {
					return fmt.Errorf("delete statement activity: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM forward_dead_letters WHERE tenant = ? AND statement_id = ?`, tenant, e.id); err != nil {
				return fmt.Errorf("delete dead letters: %w", err)
			}
		}
		// Attachments only statements erased after the snapshot held.
		laterOrphans, err := fwdOrphans(ctx, tx, tenant, later)
		if err != nil {
			return err
		}
		for _, h := range append(slices.Clone(orphans), laterOrphans...) {
			// Still unreferenced? (A statement stored since may use it.)
			var one int
			switch err := tx.QueryRowContext(ctx, `SELECT 1 FROM lrs_statements s, json_each(s.atts) j
				WHERE s.tenant = ? AND s.stored > ? AND j.value = ? LIMIT 1`, tenant, snapshot, h).Scan(&one); {
			case err == nil:
				continue
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("count attachment references: %w", err)
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM lrs_attachments WHERE tenant = ? AND sha2 = ?`, tenant, h)
			if err != nil {
				return fmt.Errorf("delete attachment: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				counts.Attachments++
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM lrs_documents WHERE tenant = ? AND kind IN (?, ?) AND agent = ?`,
			tenant, string(lrs.KindState), string(lrs.KindAgentProfile), agentKey)
		if err != nil {
			return fmt.Errorf("delete documents: %w", err)
		}
		n, _ := res.RowsAffected()
		counts.Documents = int(n)
		return nil
	})
	if err != nil {
		return forward.ErasureCounts{}, fmt.Errorf("erase agent: %w", err)
	}
	return counts, nil
}

// fwdOrphans returns the stored attachments that only statements in
// erased reference (they all go, so the attachment goes).
func fwdOrphans(ctx context.Context, tx *sql.Tx, tenant string, erased []fwdErasedStatement) ([]string, error) {
	mine := map[string]int{}
	for _, e := range erased {
		for _, h := range e.atts {
			mine[h]++
		}
	}
	var out []string
	for _, h := range slices.Sorted(maps.Keys(mine)) {
		var refs int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM lrs_statements s, json_each(s.atts) j
			WHERE s.tenant = ? AND j.value = ?`, tenant, h).Scan(&refs); err != nil {
			return nil, fmt.Errorf("count attachment references: %w", err)
		}
		if refs > mine[h] {
			continue
		}
		var one int
		switch err := tx.QueryRowContext(ctx, `SELECT 1 FROM lrs_attachments WHERE tenant = ? AND sha2 = ?`, tenant, h).Scan(&one); {
		case err == nil:
			out = append(out, h)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("read attachment: %w", err)
		}
	}
	return out, nil
}

// AddErasureRecord implements forward.Eraser.
func (s *Store) AddErasureRecord(ctx context.Context, r forward.ErasureRecord) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO lrs_erasures (tenant, id, at, requested_by, subject_hash, salt,
			statements, documents, attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Tenant, r.ID.String(), nanos(r.At), r.RequestedBy, r.SubjectHash, r.Salt, r.Statements, r.Documents, r.Attachments)
		return err
	})
	if err != nil {
		return fmt.Errorf("add erasure record: %w", err)
	}
	return nil
}

// ErasureRecords implements forward.Eraser.
func (s *Store) ErasureRecords(ctx context.Context, tenant string) ([]forward.ErasureRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, requested_by, subject_hash, salt, statements, documents, attachments
		FROM lrs_erasures WHERE tenant = ? ORDER BY at, id`, tenant)
	if err != nil {
		return nil, fmt.Errorf("erasure records: %w", err)
	}
	defer rows.Close()
	var out []forward.ErasureRecord
	for rows.Next() {
		r := forward.ErasureRecord{Tenant: tenant}
		var (
			id string
			at int64
		)
		if err := rows.Scan(&id, &at, &r.RequestedBy, &r.SubjectHash, &r.Salt, &r.Statements, &r.Documents, &r.Attachments); err != nil {
			return nil, fmt.Errorf("erasure records: %w", err)
		}
		if r.ID, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("erasure records: %w", err)
		}
		r.At = fromNanos(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("erasure records: %w", err)
	}
	return out, nil
}
