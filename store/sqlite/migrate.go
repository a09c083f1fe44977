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
		{"forward", forwardSchema},
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
		for {
			applied, err := applyNext(ctx, db, m)
			if err != nil {
				return err
			}
			if applied == 0 {
				break
			}
			logger.InfoContext(ctx, "sqlite schema migrated", "domain", m.domain, "version", applied)
		}
	}
	return nil
}

// applyNext applies m's next pending version, if any, and says which one
// (0: none pending). It reads the current version inside the same
// BEGIN IMMEDIATE transaction, so two processes opening one database at
// once never apply a version twice.
func applyNext(ctx context.Context, db *sql.DB, m migration) (applied int, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("migrate %s: %w", m.domain, err)
	}
	defer func() {
		if err != nil || applied == 0 {
			_ = tx.Rollback()
		}
	}()
	var current int
	if err = tx.QueryRowContext(ctx,
		"SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE domain = ?", m.domain).Scan(&current); err != nil {
		return 0, fmt.Errorf("migrate %s: read version: %w", m.domain, err)
	}
	if current > len(m.steps) {
		return 0, fmt.Errorf("migrate %s: database is at version %d, newer than this binary's %d",
			m.domain, current, len(m.steps))
	}
	if current == len(m.steps) {
		return 0, nil
	}
	v := current + 1
	if _, err = tx.ExecContext(ctx, m.steps[v-1]); err != nil {
		return 0, fmt.Errorf("migrate %s to version %d: %w", m.domain, v, err)
	}
	if _, err = tx.ExecContext(ctx,
		"INSERT INTO schema_migrations (domain, version, applied) VALUES (?, ?, ?)",
		m.domain, v, time.Now().UnixNano()); err != nil {
		return 0, fmt.Errorf("migrate %s to version %d: record: %w", m.domain, v, err)
	}
	if err = tx.Commit(); err != nil {
		return 0, fmt.Errorf("migrate %s to version %d: commit: %w", m.domain, v, err)
	}
	return v, nil
}
