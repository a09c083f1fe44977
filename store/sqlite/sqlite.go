package sqlite

// Core API for the domain files of this package (schema_<d>.go, <d>.go):
//
//   - s.write(ctx, fn func(tx *sql.Tx) error) error is the ONLY way to
//     change the database. fn runs on the single writer connection inside
//     its own SAVEPOINT of a shared, group-committed BEGIN IMMEDIATE
//     transaction: its error (or panic) rolls back only its own work and is
//     returned to the caller; write returns nil only after the durable commit
//     (WAL, synchronous=FULL). If ctx ends while the request is queued, fn is
//     never run and ctx's error comes back. Keep fn short and deterministic:
//     no network, no sleeping, read through tx (not s.db), and use tx.Exec /
//     tx.Query rather than the ...Context forms with a cancellable ctx (a
//     cancellation mid-statement aborts the whole shared transaction; the
//     writer survives it, but the batch's other writes fail). fn may run in a
//     batch that later fails to commit: then write returns an error and none
//     of fn's work is kept, so do not act on side effects inside fn.
//   - Reads use s.db, a pooled *sql.DB of query_only connections (WAL
//     readers never block the writer). s.read(ctx, fn) runs several reads in
//     one consistent snapshot.
//   - Time is INTEGER unix nanoseconds UTC: nanos(t) to store, fromNanos(n)
//     to load (the zero time.Time is stored as 0 and comes back as zero;
//     times outside 1678-2262 do not fit: clamp or reject them first).
//   - isUniqueViolation(err) reports a UNIQUE or PRIMARY KEY violation; map it
//     to store.ErrConflict. Map sql.ErrNoRows to store.ErrNotFound.
//   - JSON payloads are BLOBs of canonical bytes beside flat indexed columns.
//     Every domain table has a tenant column first in its primary key and
//     indexes. Tables are STRICT.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// FileName is the name of the database file inside the data directory.
const FileName = "passport.db"

const (
	// maxBatch bounds how many queued writes one group commit takes.
	maxBatch = 256
	// queueLen is the capacity of the write queue.
	queueLen = 1024
	// readConns is the size of the read pool.
	readConns = 8
	// busyTimeoutMS is how long a connection waits on a lock before SQLITE_BUSY.
	busyTimeoutMS = 10000
)

// ErrClosed is returned by writes after Close has begun.
var ErrClosed = errors.New("sqlite store closed")

// Store is the embedded SQLite backend. Create it with Open; it is safe for
// concurrent use.
type Store struct {
	db     *sql.DB // read pool, query_only
	wdb    *sql.DB // the one writer connection
	logger *slog.Logger

	mu     sync.RWMutex // guards closed against sends on reqs
	closed bool
	reqs   chan *writeReq
	done   chan struct{} // closed when the writer goroutine has exited
	once   sync.Once

	closeMu sync.Mutex // serialises the teardown in Close
	torn    bool       // the databases are closed
}

// Open opens (creating if needed) the database dir/passport.db, applies
// pending schema migrations and starts the writer.
func Open(ctx context.Context, dir string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		return nil, errors.New("open sqlite store: nil logger")
	}
	if dir == "" {
		return nil, errors.New("open sqlite store: empty data directory")
	}
	if strings.ContainsAny(dir, "?#") {
		return nil, fmt.Errorf("open sqlite store: data directory %q must not contain '?' or '#'", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	path := filepath.Join(dir, FileName)

	// Settings common to both pools; journal_mode is persistent in the file.
	common := fmt.Sprintf("_busy_timeout=%d&_foreign_keys=1&_journal_mode=WAL&_synchronous=FULL", busyTimeoutMS)

	wdb, err := sql.Open("sqlite", path+"?"+common+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	if err := wdb.PingContext(ctx); err != nil {
		_ = wdb.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if err := migrate(ctx, wdb, logger); err != nil {
		_ = wdb.Close()
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}

	// The database and WAL files now exist: make their directory entries
	// durable too, so a power cut cannot lose the files themselves.
	if err := syncDir(dir); err != nil {
		_ = wdb.Close()
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}

	db, err := sql.Open("sqlite", path+"?"+common+"&_query_only=1")
	if err != nil {
		_ = wdb.Close()
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	db.SetMaxOpenConns(readConns)
	db.SetMaxIdleConns(readConns)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		_ = wdb.Close()
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}

	s := &Store{
		db:     db,
		wdb:    wdb,
		logger: logger,
		reqs:   make(chan *writeReq, queueLen),
		done:   make(chan struct{}),
	}
	go s.writer()
	return s, nil
}

// Ping reports whether the database answers a read and the writer commits.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping sqlite store: read: %w", err)
	}
	if err := s.write(ctx, func(*sql.Tx) error { return nil }); err != nil {
		return fmt.Errorf("ping sqlite store: write: %w", err)
	}
	return nil
}

// Close stops accepting writes, waits for queued writes to commit, then
// checkpoints the WAL into the main file and closes the database. If ctx ends
// first, Close returns its error and the writer finishes in the background.
func (s *Store) Close(ctx context.Context) error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.reqs)
		s.mu.Unlock()
	})
	select {
	case <-s.done:
	case <-ctx.Done():
		return fmt.Errorf("close sqlite store: %w", ctx.Err())
	}
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.torn {
		return nil
	}
	s.torn = true
	if _, err := s.wdb.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		s.logger.WarnContext(ctx, "sqlite wal checkpoint failed", "error", err)
	}
	errs := []error{s.wdb.Close(), s.db.Close()}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite store: %w", err)
	}
	return nil
}

// read runs fn in a read-only transaction on the read pool, so that all of
// fn's queries see one snapshot of the database.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // read-only: nothing to commit
	return fn(tx)
}

// syncDir fsyncs a directory.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// nanos is how a time is stored: INTEGER unix nanoseconds UTC; the zero
// time is stored as 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos is the inverse of nanos: a UTC time, or the zero time for 0.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY
// constraint violation.
func isUniqueViolation(err error) bool {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return false
}
