package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// migration is one domain's ordered schema versions.
type migration struct {
	domain string
	steps  []string
}

// migrations lists every domain's schema in the fixed order they apply.
// Version n of a domain is steps[n-1]; shipped entries never change.
func migrations() []migration {
	return []migration{
		{"core", coreSchema},
		{"lrs", lrsSchema},
		{"lti", ltiSchema},
		{"oneroster", onerosterSchema},
		{"connectors", connectorsSchema},
	}
}

// migrate brings the database up to every domain's latest version, each
// version in its own transaction, recorded in schema_migrations.
func migrate(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	const bootstrap = `CREATE TABLE IF NOT EXISTS schema_migrations (
		domain  TEXT    NOT NULL,
		version INTEGER NOT NULL,
		applied INTEGER NOT NULL,
		PRIMARY KEY (domain, version)
	) STRICT`
	if _, err := db.ExecContext(ctx, bootstrap); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, m := range migrations() {
		var current int
		err := db.QueryRowContext(ctx,
			"SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE domain = ?", m.domain).Scan(&current)
		if err != nil {
			return fmt.Errorf("migrate %s: read version: %w", m.domain, err)
		}
		if current > len(m.steps) {
			return fmt.Errorf("migrate %s: database is at version %d, newer than this binary's %d",
				m.domain, current, len(m.steps))
		}
		for v := current + 1; v <= len(m.steps); v++ {
			if err := applyStep(ctx, db, m.domain, v, m.steps[v-1]); err != nil {
				return err
			}
			logger.InfoContext(ctx, "sqlite schema migrated", "domain", m.domain, "version", v)
		}
	}
	return nil
}

// applyStep runs one migration version and records it, atomically.
func applyStep(ctx context.Context, db *sql.DB, domain string, version int, stmts string) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s to version %d: %w", domain, version, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err = tx.ExecContext(ctx, stmts); err != nil {
		return fmt.Errorf("migrate %s to version %d: %w", domain, version, err)
	}
	if _, err = tx.ExecContext(ctx,
		"INSERT INTO schema_migrations (domain, version, applied) VALUES (?, ?, ?)",
		domain, version, time.Now().UnixNano()); err != nil {
		return fmt.Errorf("migrate %s to version %d: record: %w", domain, version, err)
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s to version %d: commit: %w", domain, version, err)
	}
	return nil
}
