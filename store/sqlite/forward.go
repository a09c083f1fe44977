package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
)

var _ forward.Store = (*Store)(nil)

// ForwardCursor implements forward.Progress.
func (s *Store) ForwardCursor(ctx context.Context, tenant, rule string) (*lrs.Cursor, error) {
	var stored int64
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT stored, id FROM lrs_forward_cursors WHERE tenant = ? AND rule = ?`,
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

// SetForwardCursor implements forward.Progress.
func (s *Store) SetForwardCursor(ctx context.Context, tenant, rule string, c lrs.Cursor) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO lrs_forward_cursors (tenant, rule, stored, id) VALUES (?, ?, ?, ?)
			ON CONFLICT (tenant, rule) DO UPDATE SET stored = excluded.stored, id = excluded.id`,
			tenant, rule, nanos(c.Stored), c.ID.String())
		return err
	})
	if err != nil {
		return fmt.Errorf("set forward cursor: %w", err)
	}
	return nil
}

// AddDeadLetters implements forward.Progress.
func (s *Store) AddDeadLetters(ctx context.Context, tenant, rule string, dl []forward.DeadLetter) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, d := range dl {
			if _, err := tx.ExecContext(ctx, `INSERT INTO lrs_dead_letters (tenant, rule, id, at, status, reason) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (tenant, rule, id) DO UPDATE SET at = excluded.at, status = excluded.status, reason = excluded.reason`,
				tenant, rule, d.ID.String(), nanos(d.At), d.Status, d.Reason); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add dead letters: %w", err)
	}
	return nil
}

// DeadLetters implements forward.Progress.
func (s *Store) DeadLetters(ctx context.Context, tenant, rule string) ([]forward.DeadLetter, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, status, reason FROM lrs_dead_letters WHERE tenant = ? AND rule = ?
		ORDER BY at, id`, tenant, rule)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	defer rows.Close()
	var out []forward.DeadLetter
	for rows.Next() {
		var d forward.DeadLetter
		var id string
		var at int64
		if err := rows.Scan(&id, &at, &d.Status, &d.Reason); err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		if d.ID, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		d.At = fromNanos(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeleteDeadLetter implements forward.Progress.
func (s *Store) DeleteDeadLetter(ctx context.Context, tenant, rule string, id uuid.UUID) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM lrs_dead_letters WHERE tenant = ? AND rule = ? AND id = ?`, tenant, rule, id.String())
		return err
	})
	if err != nil {
		return fmt.Errorf("delete dead letter: %w", err)
	}
	return nil
}

// EraseAgent implements forward.ErasureStore in one write.
func (s *Store) EraseAgent(ctx context.Context, tenant, agentKey string, e forward.Erasure) (forward.Erasure, error) {
	err := s.write(ctx, func(tx *sql.Tx) error {
		e.Statements, e.Documents, e.Attachments = 0, 0, 0
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.stored, s.atts, s.raw FROM lrs_statement_agents d
			JOIN lrs_statements s ON s.tenant = d.tenant AND s.id = d.id
			WHERE d.tenant = ? AND d.key = ? AND d.direct = 1`, tenant, agentKey)
		if err != nil {
			return fmt.Errorf("find statements: %w", err)
		}
		type victim struct {
			id     string
			stored int64
			atts   []string
			raw    []byte
		}
		var victims []victim
		for rows.Next() {
			var v victim
			var atts string
			if err := rows.Scan(&v.id, &v.stored, &atts, &v.raw); err != nil {
				_ = rows.Close()
				return fmt.Errorf("find statements: %w", err)
			}
			_ = json.Unmarshal([]byte(atts), &v.atts)
			victims = append(victims, v)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("find statements: %w", err)
		}
		hashes := map[string]bool{}
		for _, v := range victims {
			if st, ok := lrs.IndexKeys(v.raw); ok {
				for _, k := range st.RelatedAgents {
					if _, err := tx.ExecContext(ctx, `DELETE FROM lrs_statement_agents WHERE tenant = ? AND key = ? AND stored = ? AND id = ?`, tenant, k, v.stored, v.id); err != nil {
						return fmt.Errorf("erase statement agents: %w", err)
					}
				}
				for _, a := range st.RelatedActivities {
					if _, err := tx.ExecContext(ctx, `DELETE FROM lrs_statement_activities WHERE tenant = ? AND activity = ? AND stored = ? AND id = ?`, tenant, a, v.stored, v.id); err != nil {
						return fmt.Errorf("erase statement activities: %w", err)
					}
				}
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM lrs_statements WHERE tenant = ? AND id = ?`, tenant, v.id); err != nil {
				return fmt.Errorf("erase statement: %w", err)
			}
			e.Statements++
			for _, h := range v.atts {
				hashes[h] = true
			}
		}
		for h := range hashes {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM lrs_statements WHERE tenant = ? AND atts LIKE ? LIMIT 1`,
				tenant, "%"+strings.ToLower(h)+"%").Scan(&one)
			if err == nil {
				continue // still used by another statement
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM lrs_attachments WHERE tenant = ? AND sha2 = ?`, tenant, h)
			if err != nil {
				return fmt.Errorf("erase attachment: %w", err)
			}
			n, _ := res.RowsAffected()
			e.Attachments += int(n)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM lrs_documents WHERE tenant = ? AND agent = ? AND kind IN (?, ?)`,
			tenant, agentKey, string(lrs.KindState), string(lrs.KindAgentProfile))
		if err != nil {
			return fmt.Errorf("erase documents: %w", err)
		}
		n, _ := res.RowsAffected()
		e.Documents = int(n)
		if _, err := tx.ExecContext(ctx, `INSERT INTO lrs_erasures (tenant, id, at, by, statements, documents, attachments)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, tenant, e.ID.String(), nanos(e.At), e.By, e.Statements, e.Documents, e.Attachments); err != nil {
			return fmt.Errorf("record erasure: %w", err)
		}
		return nil
	})
	if err != nil {
		return forward.Erasure{}, fmt.Errorf("erase agent: %w", err)
	}
	e.Tenant = tenant
	return e, nil
}

// Erasures implements forward.ErasureStore.
func (s *Store) Erasures(ctx context.Context, tenant string) ([]forward.Erasure, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, by, statements, documents, attachments FROM lrs_erasures
		WHERE tenant = ? ORDER BY at, id`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list erasures: %w", err)
	}
	defer rows.Close()
	var out []forward.Erasure
	for rows.Next() {
		e := forward.Erasure{Tenant: tenant}
		var id string
		var at int64
		if err := rows.Scan(&id, &at, &e.By, &e.Statements, &e.Documents, &e.Attachments); err != nil {
			return nil, fmt.Errorf("list erasures: %w", err)
		}
		e.ID, err = uuid.Parse(id)
		if err != nil {
			return nil, fmt.Errorf("list erasures: %w", err)
		}
		e.At = fromNanos(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
