package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/lrs"
)

// ForwardCursor implements lrs.ForwardStore.
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

// SetForwardCursor implements lrs.ForwardStore.
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

// AddDeadLetters implements lrs.ForwardStore.
func (s *Store) AddDeadLetters(ctx context.Context, tenant, rule string, dl []lrs.DeadLetter) error {
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

// DeadLetters implements lrs.ForwardStore.
func (s *Store) DeadLetters(ctx context.Context, tenant, rule string) ([]lrs.DeadLetter, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, status, reason FROM lrs_dead_letters WHERE tenant = ? AND rule = ?
		ORDER BY at, id`, tenant, rule)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	defer rows.Close()
	var out []lrs.DeadLetter
	for rows.Next() {
		var d lrs.DeadLetter
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

// DeleteDeadLetter implements lrs.ForwardStore.
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
