package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
)

// Request states: a request is queued until the writer claims it (running)
// or its caller gives up on it (abandoned); exactly one of the two wins.
const (
	reqQueued int32 = iota
	reqRunning
	reqAbandoned
)

// writeReq is one call to write waiting for the writer goroutine.
type writeReq struct {
	ctx   context.Context
	fn    func(tx *sql.Tx) error
	state atomic.Int32
	done  chan error // buffered(1): the outcome, sent exactly once
}

// errBatchAborted marks a batch whose transaction broke under it (a
// savepoint statement failed, e.g. after an interrupt rolled it back).
var errBatchAborted = errors.New("write batch aborted")

// write runs fn inside its own savepoint of the next group commit and returns
// fn's error, or a commit error, once that transaction is durable. It is the
// only way to change the database. If ctx ends while the request is still
// queued, fn is not run and ctx's error is returned; once fn has started,
// write waits for the outcome.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}

	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	select {
	case s.reqs <- r:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}

	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return ctx.Err()
		}
		// The writer has claimed it: its outcome is the truth.
		return <-r.done
	}
}

// writer is the single goroutine that owns the writer connection. It
// collects queued requests into batches and group-commits each batch.
func (s *Store) writer() {
	defer close(s.done)
	var carry []*writeReq
	for {
		batch := carry
		carry = nil
		if len(batch) == 0 {
			r, ok := <-s.reqs
			if !ok {
				return
			}
			batch = append(batch, r)
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		carry = s.commit(batch)
	}
}

// commit runs one group commit over batch and answers every request it ran.
// It returns the requests it did not get to (the batch broke before them);
// the writer retries those in the next transaction.
func (s *Store) commit(batch []*writeReq) (rest []*writeReq) {
	// Claim the requests whose callers are still waiting. Requests carried
	// over from a broken batch were claimed already (reqRunning).
	live := batch[:0:0]
	for _, r := range batch {
		if !r.state.CompareAndSwap(reqQueued, reqRunning) && r.state.Load() != reqRunning {
			continue // abandoned by its caller
		}
		if err := r.ctx.Err(); err != nil {
			s.fail(r, err)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return nil
	}

	// The batch is not owned by any one caller, so no caller's ctx governs it.
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock=immediate)
	if err != nil {
		err = fmt.Errorf("begin write: %w", err)
		s.logger.Error("sqlite write batch failed", "stage", "begin", "error", err)
		for _, r := range live {
			s.fail(r, err)
		}
		return nil
	}

	ok := live[:0:0] // requests whose fn succeeded, answered after COMMIT
	for i, r := range live {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			// Fail r too, so that a transaction that cannot take a savepoint
			// never makes the writer loop on the same request.
			return s.abort(tx, append(ok, r), live[i+1:], fmt.Errorf("savepoint: %w", err))
		}
		if fnErr := runFn(r.fn, tx); fnErr != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO w"); err != nil {
				s.fail(r, fnErr)
				return s.abort(tx, ok, live[i+1:], fmt.Errorf("rollback to savepoint: %w", err))
			}
			if _, err := tx.ExecContext(ctx, "RELEASE w"); err != nil {
				s.fail(r, fnErr)
				return s.abort(tx, ok, live[i+1:], fmt.Errorf("release savepoint: %w", err))
			}
			s.fail(r, fnErr)
			continue
		}
		if _, err := tx.ExecContext(ctx, "RELEASE w"); err != nil {
			// Its work may be lost: fail it with the rest of the batch.
			return s.abort(tx, append(ok, r), live[i+1:], fmt.Errorf("release savepoint: %w", err))
		}
		ok = append(ok, r)
	}

	if len(ok) == 0 {
		_ = tx.Rollback() // nothing to keep: every request failed on its own
		return nil
	}
	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("commit write: %w", err)
		s.logger.Error("sqlite write batch failed", "stage", "commit", "batch", len(ok), "error", err)
		for _, r := range ok {
			s.fail(r, err)
		}
		return nil
	}
	s.nBatches.Add(1)
	s.nWrites.Add(uint64(len(ok)))
	for _, r := range ok {
		r.done <- nil
	}
	return nil
}

// abort rolls back a batch whose transaction broke: the requests that had run
// fail with cause; the ones not yet run are returned to be retried.
func (s *Store) abort(tx *sql.Tx, ran, notRun []*writeReq, cause error) []*writeReq {
	_ = tx.Rollback() // the transaction may already be gone; cause says why
	err := fmt.Errorf("%w: %w", errBatchAborted, cause)
	s.logger.Error("sqlite write batch aborted", "failed", len(ran), "retried", len(notRun), "error", cause)
	for _, r := range ran {
		s.fail(r, err)
	}
	return notRun
}

// fail answers r with err.
func (s *Store) fail(r *writeReq, err error) {
	s.nFailed.Add(1)
	r.done <- err
}

// runFn calls fn, turning a panic into an error so that one faulty write
// cannot take the writer (and with it every other write) down.
func runFn(fn func(tx *sql.Tx) error, tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write panicked: %v", p)
		}
	}()
	return fn(tx)
}
