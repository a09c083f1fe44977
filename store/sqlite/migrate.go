package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	msqlite "modernc.org/sqlite"
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

// upgrade applies pending migrations on a connection of its own, closed
// afterwards: rebuilding large tables needs temporary space, which then
// goes to temporary files and leaves the writer's memory as it was (the
// writer keeps its temporary store in memory). After an upgrade it gives
// the query planner statistics for the rebuilt tables and empties the WAL
// the migration filled, or the first minutes after an upgrade would run on
// guessed plans and a huge WAL.
func upgrade(ctx context.Context, path, common string, logger *slog.Logger) error {
	conn, err := msqlite.NewConnector(path + "?" + common + "&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		return err
	}
	db := sql.OpenDB(detachedConnector{conn})
	defer func() { _ = db.Close() }()
	db.SetMaxOpenConns(1)
	if err := pingRetry(ctx, db); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	applied, err := migrate(ctx, db, logger)
	if err != nil {
		return err
	}
	if applied == 0 {
		return nil
	}
	for _, pragma := range []string{"PRAGMA optimize=0x10002", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := db.ExecContext(ctx, pragma); err != nil {
			logger.WarnContext(ctx, "sqlite after-upgrade maintenance failed", "pragma", pragma, "error", err)
		}
	}
	return nil
}

// migrate brings the database up to every domain's latest version, each
// version in its own transaction, recorded in schema_migrations, and says
// how many versions it applied.
func migrate(ctx context.Context, db *sql.DB, logger *slog.Logger) (int, error) {
	const bootstrap = `CREATE TABLE IF NOT EXISTS schema_migrations (
		domain  TEXT    NOT NULL,
		version INTEGER NOT NULL,
		applied INTEGER NOT NULL,
		PRIMARY KEY (domain, version)
	) STRICT`
	if _, err := db.ExecContext(ctx, bootstrap); err != nil {
		return 0, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	total := 0
	for _, m := range migrations() {
		for {
			start := time.Now()
			applied, err := applyNext(ctx, db, logger, m)
			if err != nil {
				return total, err
			}
			if applied == 0 {
				break
			}
			total++
			logger.InfoContext(ctx, "sqlite schema migrated", "domain", m.domain, "version", applied,
				"took", time.Since(start).Round(time.Millisecond))
		}
	}
	return total, nil
}

// applyNext applies m's next pending version, if any, and says which one
// (0: none pending). It reads the current version inside the same
// BEGIN IMMEDIATE transaction, so two processes opening one database at
// once never apply a version twice.
func applyNext(ctx context.Context, db *sql.DB, logger *slog.Logger, m migration) (applied int, err error) {
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
	if current > 0 {
		// Upgrading existing data can take a while (a minute per million
		// statements for some LRS versions): say so before, not only after.
		logger.InfoContext(ctx, "sqlite schema upgrade started; large databases take a while", "domain", m.domain, "version", v)
	}
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
