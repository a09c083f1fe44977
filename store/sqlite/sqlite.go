package sqlite

// Core API for the domain files of this package (schema_<d>.go, <d>.go):
//
//   - s.write(ctx, fn func(tx *sql.Tx) error) error is the ONLY way to
//     change the database. fn runs on the single writer connection inside
//     its own SAVEPOINT of a shared, group-committed BEGIN IMMEDIATE
//     transaction: its error (or panic) rolls back only its own work and is
//     returned to the caller; write returns nil only after the durable commit
//     (WAL, synchronous=FULL). If ctx ends while the request is queued, fn is
//     never run and ctx's error comes back. Inside fn, tx.ExecContext(ctx, ...)
//     is fine: a statement once started runs to completion (see detach.go),
//     so one caller's cancellation never rolls back the others' work. Keep fn
//     short and deterministic: no network, no sleeping, read through tx (not
//     s.db, which does not see the batch), never call s.write from fn
//     (deadlock). fn may run in a batch that later fails to commit: then
//     write returns an error and none of fn's work is kept, so do not act on
//     side effects inside fn.
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
	"sync/atomic"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/passportbridge/passport/store"
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
	dir    string  // the data directory
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

	nWrites, nFailed, nBatches atomic.Uint64 // see WriteStats

	lti ltiStmts // the lti domain's hot statements, prepared once (lti.go)

	segShift int64 // statement rows rowid >> segShift share a segment (lrs.go)
}

// WriteStats counts the writer's work since Open, for metrics.
type WriteStats struct {
	Writes  uint64 // write requests committed
	Failed  uint64 // write requests answered with an error
	Batches uint64 // group commits (transactions) committed
}

// WriteStats returns the writer's counters.
func (s *Store) WriteStats() WriteStats {
	return WriteStats{Writes: s.nWrites.Load(), Failed: s.nFailed.Load(), Batches: s.nBatches.Load()}
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
	// Create the file owner-only before SQLite does (it would use 0644); the
	// WAL and shared-memory files inherit its mode. An existing file keeps
	// the mode its administrator gave it.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}

	// Settings common to both pools. journal_mode is persistent in the file,
	// so only the writers set it (switching to WAL takes an exclusive lock).
	common := fmt.Sprintf("_busy_timeout=%d&_foreign_keys=1&_synchronous=FULL", busyTimeoutMS)
	if err := upgrade(ctx, path, common, logger); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}

	// journal_size_limit truncates the WAL back to 64 MiB after a checkpoint
	// that emptied it, so a burst of writes does not keep the disk space.
	// The writer's own settings (none changes durability: every commit still
	// fsyncs the WAL):
	//   - cache_size 16 MiB: the pages a group commit dirties stay in memory
	//     until COMMIT instead of spilling to the WAL mid-transaction, and
	//     hot index pages are not re-read for every batch (32 MiB measured
	//     no faster and cost 35 MiB more peak RSS);
	//   - temp_store MEMORY: the savepoint (sub-)journal each write request
	//     gets lives in memory instead of a temporary file, which saved a
	//     pwrite per page touched per request; it only ever serves
	//     ROLLBACK TO, never recovery;
	//   - wal_autocheckpoint 16000 pages (~64 MiB, the journal_size_limit):
	//     checkpoints run a sixteenth as often and copy each hot page once
	//     per checkpoint instead of once per 1000 frames.
	wconn, err := msqlite.NewConnector(path + "?" + common +
		"&_journal_mode=WAL&_txlock=immediate&_pragma=journal_size_limit(67108864)" +
		"&_pragma=cache_size(-16384)&_pragma=temp_store(2)&_pragma=wal_autocheckpoint(16000)")
	if err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	wdb := sql.OpenDB(detachedConnector{wconn})
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	if err := pingRetry(ctx, wdb); err != nil {
		_ = wdb.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
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
	if err := pingRetry(ctx, db); err != nil {
		_ = db.Close()
		_ = wdb.Close()
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}

	s := &Store{
		dir:      dir,
		db:       db,
		wdb:      wdb,
		logger:   logger,
		segShift: defaultSegShift,
		reqs:     make(chan *writeReq, queueLen),
		done:     make(chan struct{}),
	}
	go s.writer()
	return s, nil
}

// Ping reports whether the database answers a read and the writer commits.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
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
	if _, err := s.wdb.ExecContext(ctx, "PRAGMA optimize"); err != nil {
		s.logger.WarnContext(ctx, "sqlite optimize failed", "error", err)
	}
	if _, err := s.wdb.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		s.logger.WarnContext(ctx, "sqlite wal checkpoint failed", "error", err)
	}
	errs := []error{s.wdb.Close(), s.db.Close()}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite store: %w", err)
	}
	return nil
}

// rowAffected passes on an Exec's error, and otherwise reports
// store.ErrNotFound when the statement touched no row.
func rowAffected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// pingRetry opens the first connection of db, retrying while another
// process holds the lock that setting up a connection needs (SQLite does not
// always call its busy handler there, e.g. while another connection switches
// a new database to WAL). It gives up after the busy timeout.
func pingRetry(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(busyTimeoutMS * time.Millisecond)
	wait := 5 * time.Millisecond
	for {
		err := db.PingContext(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
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
	d, err := os.Open(filepath.Clean(dir))
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }() // read-only handle
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

// isBusy reports whether err is SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var se *msqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
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
