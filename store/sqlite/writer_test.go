package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	msqlite "modernc.org/sqlite"
)

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// openTest opens a store in dir (a fresh temp dir if empty), closed when t ends.
func openTest(t testing.TB, dir string) *Store {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	s, err := Open(t.Context(), dir, testLogger(t))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close(context.Background())) })
	return s
}

// createScratch adds a table for the writer tests.
func createScratch(t *testing.T, s *Store) {
	t.Helper()
	require.NoError(t, s.write(t.Context(), func(tx *sql.Tx) error {
		_, err := tx.Exec("CREATE TABLE scratch (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
		return err
	}))
}

func scratchKeys(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), "SELECT k FROM scratch ORDER BY k")
	require.NoError(t, err)
	defer func() { _ = rows.Close() }() // rows.Err reports what matters
	var ks []string
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		ks = append(ks, k)
	}
	require.NoError(t, rows.Err())
	return ks
}

func insert(k string) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO scratch (k, v) VALUES (?, 1)", k)
		return err
	}
}

func TestWriteSavepointIsolation(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	createScratch(t, s)
	errBoom := errors.New("boom")

	// Many concurrent writes, every third one failing after it has written:
	// the failures roll back only their own rows, whichever batch they share.
	var wg sync.WaitGroup
	results := make([]error, 60)
	for i := range results {
		wg.Go(func() {
			k := fmt.Sprintf("k%02d", i)
			results[i] = s.write(t.Context(), func(tx *sql.Tx) error {
				if err := insert(k)(tx); err != nil {
					return err
				}
				if i%3 == 0 {
					return errBoom
				}
				return nil
			})
		})
	}
	wg.Wait()
	var want []string
	for i, err := range results {
		if i%3 == 0 {
			require.ErrorIs(t, err, errBoom, i)
			continue
		}
		require.NoError(t, err, i)
		want = append(want, fmt.Sprintf("k%02d", i))
	}
	assert.Equal(t, want, scratchKeys(t, s))
}

func TestWriteConstraintErrorIsOwn(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	createScratch(t, s)
	require.NoError(t, s.write(t.Context(), insert("a")))
	err := s.write(t.Context(), insert("a"))
	assert.True(t, isUniqueViolation(err), "got %v", err)
	require.NoError(t, s.write(t.Context(), insert("b")))
	assert.Equal(t, []string{"a", "b"}, scratchKeys(t, s))
}

func TestWritePanicIsAnError(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	createScratch(t, s)
	err := s.write(t.Context(), func(tx *sql.Tx) error {
		if err := insert("p")(tx); err != nil {
			return err
		}
		panic("bug")
	})
	require.ErrorContains(t, err, "write panicked: bug")
	require.NoError(t, s.write(t.Context(), insert("after")))
	assert.Equal(t, []string{"after"}, scratchKeys(t, s))
}

func TestWriteCanceledWhileQueued(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	createScratch(t, s)

	// Hold the writer inside one request while another is queued.
	started, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.write(t.Context(), func(tx *sql.Tx) error {
			close(started)
			<-release
			return insert("first")(tx)
		})
	}()
	<-started

	ctx, cancel := context.WithCancel(t.Context())
	queued := make(chan error, 1)
	var ran atomic.Bool
	go func() {
		queued <- s.write(ctx, func(tx *sql.Tx) error {
			ran.Store(true)
			return insert("queued")(tx)
		})
	}()
	cancel()
	require.ErrorIs(t, <-queued, context.Canceled)
	close(release)
	require.NoError(t, <-first)

	assert.False(t, ran.Load(), "a request abandoned while queued never runs")
	assert.Equal(t, []string{"first"}, scratchKeys(t, s))

	// An already-canceled context is refused at once.
	assert.ErrorIs(t, s.write(ctx, insert("late")), context.Canceled)
}

func TestCloseDrainsQueuedWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(t.Context(), dir, testLogger(t))
	require.NoError(t, err)
	createScratch(t, s)

	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Go(func() { errs[i] = s.write(context.Background(), insert(fmt.Sprintf("k%02d", i))) })
	}
	// Close while writes are in flight: each one either committed or was
	// refused with ErrClosed; none is lost after being acknowledged.
	require.NoError(t, s.Close(t.Context()))
	wg.Wait()
	require.NoError(t, s.Close(t.Context()), "Close is idempotent")
	require.ErrorIs(t, s.write(t.Context(), insert("after")), ErrClosed)
	require.Error(t, s.Ping(t.Context()))

	var acked []string
	for i, err := range errs {
		if err == nil {
			acked = append(acked, fmt.Sprintf("k%02d", i))
		} else {
			require.ErrorIs(t, err, ErrClosed)
		}
	}
	s2 := openTest(t, dir)
	assert.Equal(t, acked, scratchKeys(t, s2))
}

func TestReadsAreQueryOnly(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	createScratch(t, s)
	_, err := s.db.ExecContext(t.Context(), "INSERT INTO scratch (k, v) VALUES ('x', 1)")
	require.Error(t, err)
	assert.Empty(t, scratchKeys(t, s))
}

func TestPragmas(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"}, // persistent: set by the writer
		{"synchronous", "2"},    // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", fmt.Sprint(busyTimeoutMS)},
	}
	var limit int64
	require.NoError(t, s.wdb.QueryRowContext(t.Context(), "PRAGMA journal_size_limit").Scan(&limit))
	assert.Equal(t, int64(64<<20), limit)
	for _, tc := range tests {
		t.Run(tc.pragma, func(t *testing.T) {
			for name, db := range map[string]*sql.DB{"reader": s.db, "writer": s.wdb} {
				var got string
				require.NoError(t, db.QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got))
				assert.Equal(t, tc.want, got, name)
			}
		})
	}
}

func TestMigrationsApplyOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for range 2 {
		s, err := Open(t.Context(), dir, testLogger(t))
		require.NoError(t, err)
		rows, err := s.db.QueryContext(t.Context(), "SELECT domain, version FROM schema_migrations ORDER BY domain, version")
		require.NoError(t, err)
		got := map[string][]int{}
		for rows.Next() {
			var d string
			var v int
			require.NoError(t, rows.Scan(&d, &v))
			got[d] = append(got[d], v)
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
		for _, m := range migrations() {
			var want []int
			for v := range m.steps {
				want = append(want, v+1)
			}
			assert.Equal(t, want, got[m.domain], m.domain)
		}
		require.NoError(t, s.Close(t.Context()))
	}
}

func TestMigrationsRefuseNewerDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openTest(t, dir)
	require.NoError(t, s.write(t.Context(), func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO schema_migrations (domain, version, applied) VALUES ('core', ?, 0)",
			len(coreSchema)+1)
		return err
	}))
	require.NoError(t, s.Close(t.Context()))

	_, err := Open(t.Context(), dir, testLogger(t))
	require.ErrorContains(t, err, "newer than this binary")
}

func TestOpenRejectsBadDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dir  string
	}{
		{"empty", ""},
		{"query char", filepath.Join(t.TempDir(), "a?b")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.Context(), tc.dir, testLogger(t))
			assert.Error(t, err)
		})
	}
}

func TestTimeHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   time.Time
	}{
		{"zero", time.Time{}},
		{"utc nanos", time.Date(2026, 11, 28, 17, 0, 0, 123456789, time.UTC)},
		{"other zone", time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fromNanos(nanos(tc.in))
			assert.True(t, tc.in.Equal(got), "%v != %v", tc.in, got)
			if !tc.in.IsZero() {
				assert.Equal(t, time.UTC, got.Location())
			}
		})
	}
}

// TestWriteBatchAbortRetriesTheRest breaks a batch's transaction from inside
// one request (as an interrupt would): the requests that had run fail, the
// ones queued behind it are retried in a fresh transaction and commit.
func TestWriteBatchAbortRetriesTheRest(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	createScratch(t, s)

	// Hold the writer so that the next three requests queue into one batch.
	started, release := make(chan struct{}), make(chan struct{})
	hold := make(chan error, 1)
	go func() {
		hold <- s.write(t.Context(), func(*sql.Tx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started

	type result struct {
		name string
		err  error
	}
	results := make(chan result, 3)
	enqueue := func(name string, fn func(*sql.Tx) error) {
		n := len(s.reqs)
		go func() { results <- result{name, s.write(t.Context(), fn)} }()
		require.Eventually(t, func() bool { return len(s.reqs) == n+1 }, 10*time.Second, time.Millisecond)
	}
	enqueue("before", insert("before"))
	enqueue("breaker", func(tx *sql.Tx) error {
		if err := insert("breaker")(tx); err != nil {
			return err
		}
		_, err := tx.Exec("ROLLBACK") // the shared transaction vanishes
		return err
	})
	enqueue("after", insert("after"))
	close(release)
	require.NoError(t, <-hold)

	got := map[string]error{}
	for range 3 {
		r := <-results
		got[r.name] = r.err
	}
	require.ErrorIs(t, got["before"], errBatchAborted)
	require.ErrorIs(t, got["breaker"], errBatchAborted)
	require.NoError(t, got["after"])
	assert.Equal(t, []string{"after"}, scratchKeys(t, s))
}

func TestReadSnapshot(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	createScratch(t, s)
	require.NoError(t, s.write(t.Context(), insert("a")))

	err := s.read(t.Context(), func(tx *sql.Tx) error {
		var n int
		require.NoError(t, tx.QueryRow("SELECT count(*) FROM scratch").Scan(&n))
		assert.Equal(t, 1, n)
		// A write committed meanwhile is not visible inside the snapshot.
		require.NoError(t, s.write(t.Context(), insert("b")))
		require.NoError(t, tx.QueryRow("SELECT count(*) FROM scratch").Scan(&n))
		assert.Equal(t, 1, n)
		_, err := tx.Exec("INSERT INTO scratch (k, v) VALUES ('c', 1)")
		assert.Error(t, err, "read transactions cannot write")
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, scratchKeys(t, s))
}

// TestSharedFile opens one data directory several times at once, as the CLI
// does while serve runs: opening and migrating race safely, and each store's
// writes are visible to the others.
func TestSharedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 4
	stores := make([]*Store, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), dir, testLogger(t)) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		t.Cleanup(func() { assert.NoError(t, stores[i].Close(context.Background())) })
	}
	createScratch(t, stores[0])

	for i, s := range stores {
		wg.Go(func() {
			for j := range 20 {
				assert.NoError(t, s.write(t.Context(), insert(fmt.Sprintf("s%d-%02d", i, j))))
			}
		})
	}
	wg.Wait()
	for _, s := range stores {
		assert.Len(t, scratchKeys(t, s), n*20)
	}
}

// TestCloseLeavesOneFile checks the backup promise: after Close, the
// database file alone holds every write (the WAL is checkpointed into it).
func TestCloseLeavesOneFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(t.Context(), dir, testLogger(t))
	require.NoError(t, err)
	createScratch(t, s)
	for i := range 100 {
		require.NoError(t, s.write(t.Context(), insert(fmt.Sprintf("k%03d", i))))
	}
	require.NoError(t, s.Close(t.Context()))

	copyDir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(copyDir, FileName), b, 0o600))
	c := openTest(t, copyDir)
	assert.Len(t, scratchKeys(t, c), 100)
}

// cancelMid is what the SQL function pb_test_cancel calls: it cancels a
// context from inside a running statement, deterministically.
var (
	cancelMid     atomic.Pointer[context.CancelFunc]
	cancelMidOnce sync.Once
)

// TestCancelMidStatementFailsOnlyItsCaller cancels one request's context
// while its statement runs inside a shared batch: the others commit (SQLite
// would otherwise interrupt the statement and roll the whole batch back).
func TestCancelMidStatementFailsOnlyItsCaller(t *testing.T) {
	t.Parallel()
	cancelMidOnce.Do(func() {
		msqlite.MustRegisterScalarFunction("pb_test_cancel", 1, func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			if c := cancelMid.Swap(nil); c != nil {
				(*c)()
				// Give the driver's cancellation watcher time to interrupt.
				time.Sleep(100 * time.Millisecond)
			}
			return args[0], nil
		})
	})
	s := openTest(t, "")
	createScratch(t, s)

	started, release := make(chan struct{}), make(chan struct{})
	hold := make(chan error, 1)
	go func() {
		hold <- s.write(t.Context(), func(*sql.Tx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started

	type result struct {
		name string
		err  error
	}
	results := make(chan result, 3)
	enqueue := func(name string, ctx context.Context, fn func(*sql.Tx) error) {
		n := len(s.reqs)
		go func() { results <- result{name, s.write(ctx, fn)} }()
		require.Eventually(t, func() bool { return len(s.reqs) == n+1 }, 10*time.Second, time.Millisecond)
	}
	enqueue("before", t.Context(), insert("before"))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	enqueue("slow", ctx, func(tx *sql.Tx) error {
		cancelMid.Store(&cancel)
		_, err := tx.ExecContext(ctx, `INSERT INTO scratch (k, v)
			SELECT 'slow', sum(pb_test_cancel(x)) FROM (
				WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000)
				SELECT x FROM c)`)
		return err
	})
	enqueue("after", t.Context(), insert("after"))
	close(release)
	require.NoError(t, <-hold)

	got := map[string]error{}
	for range 3 {
		r := <-results
		got[r.name] = r.err
	}
	require.NoError(t, got["before"])
	require.NoError(t, got["after"])
	require.Error(t, ctx.Err(), "the statement cancelled its context")
	keys := scratchKeys(t, s)
	assert.Contains(t, keys, "before")
	assert.Contains(t, keys, "after")
	// The slow statement itself ran to completion, detached.
	require.NoError(t, got["slow"])
	assert.Contains(t, keys, "slow")
}

// TestWriterHoldsTheWriteLock checks BEGIN IMMEDIATE: while a batch is open,
// even before it has written, no other connection can start writing.
func TestWriterHoldsTheWriteLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openTest(t, dir)

	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.write(t.Context(), func(*sql.Tx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started

	other, err := sql.Open("sqlite", filepath.Join(dir, FileName)+"?_busy_timeout=0")
	require.NoError(t, err)
	defer func() { assert.NoError(t, other.Close()) }()
	_, err = other.ExecContext(t.Context(), "BEGIN IMMEDIATE")
	require.Error(t, err)
	assert.True(t, isBusy(err), "got %v", err)

	close(release)
	require.NoError(t, <-done)
	_, err = other.ExecContext(t.Context(), "BEGIN IMMEDIATE; ROLLBACK")
	require.NoError(t, err, "free again after the commit")
}

func TestFilesAreOwnerOnly(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	s := openTest(t, dir)
	createScratch(t, s) // make sure the WAL exists
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), "data directory")
	for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
		info, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), name)
	}
}

func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	createScratch(t, s)
	for i := range 50 {
		require.NoError(t, s.write(t.Context(), insert(fmt.Sprintf("a%02d", i))))
	}

	// Writers keep going during the backup; the copy is one consistent
	// snapshot that holds at least everything acknowledged before it began.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.write(t.Context(), insert(fmt.Sprintf("b%05d", i))); err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
		}
	})
	dst := filepath.Join(t.TempDir(), "copy", FileName)
	require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o700))
	require.NoError(t, s.Backup(t.Context(), dst))
	close(stop)
	wg.Wait()

	info, err := os.Stat(dst)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	c := openTest(t, filepath.Dir(dst))
	keys := scratchKeys(t, c)
	require.GreaterOrEqual(t, len(keys), 50)
	for i := range 50 {
		assert.Equal(t, fmt.Sprintf("a%02d", i), keys[i])
	}

	require.Error(t, s.Backup(t.Context(), dst), "an existing file is never overwritten")
	require.Error(t, s.Backup(t.Context(), ""))
}

func TestWriteStats(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	createScratch(t, s)
	before := s.WriteStats()
	require.NoError(t, s.write(t.Context(), insert("a")))
	require.Error(t, s.write(t.Context(), insert("a")))
	got := s.WriteStats()
	assert.Equal(t, before.Writes+1, got.Writes)
	assert.Equal(t, before.Failed+1, got.Failed)
	assert.Equal(t, before.Batches+1, got.Batches, "the failed write's batch commits nothing else")
}
