package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/store"
)

var _ connectors.RunStore = (*Store)(nil)

// SaveRun creates or replaces the run with r's tenant and id.
func (s *Store) SaveRun(ctx context.Context, r connectors.Run) error {
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO connector_runs (tenant, id, connector, started, status, body) VALUES (?, ?, ?, ?, ?, ?)
			 ON CONFLICT (tenant, id) DO UPDATE SET connector = excluded.connector, started = excluded.started,
			 status = excluded.status, body = excluded.body`,
			r.Tenant, r.ID, r.Connector, nanos(r.Started), string(r.Status), body)
		return err
	})
	if err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	return nil
}

// Run returns one of a tenant's runs; store.ErrNotFound if absent.
func (s *Store) Run(ctx context.Context, tenant, id string) (connectors.Run, error) {
	var body []byte
	err := s.db.QueryRowContext(ctx, "SELECT body FROM connector_runs WHERE tenant = ? AND id = ?", tenant, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return connectors.Run{}, fmt.Errorf("run: %w", store.ErrNotFound)
	}
	if err != nil {
		return connectors.Run{}, fmt.Errorf("run: %w", err)
	}
	var r connectors.Run
	if err := json.Unmarshal(body, &r); err != nil {
		return connectors.Run{}, fmt.Errorf("run: decode: %w", err)
	}
	return r, nil
}

// Runs lists a tenant's runs, newest first.
func (s *Store) Runs(ctx context.Context, tenant, connector string, limit int) ([]connectors.Run, error) {
	if limit <= 0 {
		limit = 50
	}
	q := "SELECT body FROM connector_runs WHERE tenant = ? ORDER BY started DESC, id DESC LIMIT ?"
	args := []any{tenant, limit}
	if connector != "" {
		q = "SELECT body FROM connector_runs WHERE tenant = ? AND connector = ? ORDER BY started DESC, id DESC LIMIT ?"
		args = []any{tenant, connector, limit}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	defer rows.Close()
	var out []connectors.Run
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("runs: %w", err)
		}
		var r connectors.Run
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, fmt.Errorf("runs: decode: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	return out, nil
}

// ConnectorCursor returns a connector's named cursor, "" when never set.
func (s *Store) ConnectorCursor(ctx context.Context, tenant, connector, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx,
		"SELECT value FROM connector_cursors WHERE tenant = ? AND connector = ? AND name = ?",
		tenant, connector, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cursor: %w", err)
	}
	return v, nil
}

// SetConnectorCursor stores a connector's named cursor.
func (s *Store) SetConnectorCursor(ctx context.Context, tenant, connector, name, value string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO connector_cursors (tenant, connector, name, value) VALUES (?, ?, ?, ?)
			 ON CONFLICT (tenant, connector, name) DO UPDATE SET value = excluded.value`,
			tenant, connector, name, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("set cursor: %w", err)
	}
	return nil
}
