package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the whole database to the new file dst
// (owner-only, fsynced) while the store keeps serving: it reads one snapshot
// and never blocks writers. dst must not exist yet. Copying passport.db by
// hand is only safe after Close, since recent writes may still be in the WAL.
func (s *Store) Backup(ctx context.Context, dst string) (err error) {
	if dst == "" {
		return errors.New("backup: empty destination")
	}
	dst = filepath.Clean(dst)
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(dst)
		}
	}()

	// VACUUM INTO needs a connection that may write (to dst) and no open
	// transaction, which rules out both pools: use a connection of its own.
	src := filepath.Join(s.dir, FileName)
	db, err := sql.Open("sqlite", fmt.Sprintf("%s?_busy_timeout=%d", src, busyTimeoutMS))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer func() { _ = db.Close() }() // the copy's outcome is what matters
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("backup: %w", err)
	}

	f, err = os.Open(dst)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	syncErr := f.Sync()
	if err := errors.Join(syncErr, f.Close()); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
