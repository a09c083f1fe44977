package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store"
)

var _ oneroster.Store = (*Store)(nil)

// Apply applies a roster batch in one write: the whole import is one
// SAVEPOINT of the group-committed transaction, so it is kept entirely or
// not at all. The batch's rows stream inside the write; a large import holds
// the writer for its duration.
func (s *Store) Apply(ctx context.Context, b oneroster.Batch) (oneroster.Applied, error) {
	var out oneroster.Applied
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = oneroster.Applied{}
		var cur int64
		err := tx.QueryRow("SELECT seq FROM roster_cursors WHERE tenant = ?", b.Tenant).Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		seq := cur + 1
		// The stored state of each kind is read in one scan when its first
		// change arrives: far cheaper than a lookup per row on large imports.
		known := map[oneroster.Kind]map[string]stored{}
		load := func(k oneroster.Kind) (map[string]stored, error) {
			if m, ok := known[k]; ok {
				return m, nil
			}
			rows, err := tx.Query("SELECT sourced_id, status, source_modified, hash FROM roster_records WHERE tenant = ? AND kind = ?", b.Tenant, string(k))
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			m := map[string]stored{}
			for rows.Next() {
				var id, st string
				var r stored
				if err := rows.Scan(&id, &st, &r.sm, &r.hash); err != nil {
					return nil, err
				}
				r.deleted = st == string(oneroster.StatusToBeDeleted)
				m[id] = r
			}
			known[k] = m
			return m, rows.Err()
		}
		upsert, err := tx.Prepare(`INSERT INTO roster_records (tenant, kind, sourced_id, status, modified, source_modified, seq, hash, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant, kind, sourced_id) DO UPDATE SET status = excluded.status, modified = excluded.modified,
			source_modified = excluded.source_modified, seq = excluded.seq, hash = excluded.hash, data = excluded.data`)
		if err != nil {
			return err
		}
		defer upsert.Close()
		del, err := tx.Prepare(`UPDATE roster_records SET status = 'tobedeleted', modified = ?, seq = ?,
			source_modified = CASE WHEN ? <> 0 THEN ? ELSE source_modified END
			WHERE tenant = ? AND kind = ? AND sourced_id = ?`)
		if err != nil {
			return err
		}
		defer del.Close()
		get, err := tx.Prepare("SELECT status, source_modified, hash FROM roster_records WHERE tenant = ? AND kind = ? AND sourced_id = ?")
		if err != nil {
			return err
		}
		defer get.Close()
		// Small batches (a gradebook PUT, a short delta) look records up one
		// by one; past pointLookups rows of a kind, one scan is cheaper.
		const pointLookups = 256
		rowsOf := map[oneroster.Kind]int{}
		lookup := func(k oneroster.Kind, id string) (*oneroster.Record, map[string]stored, error) {
			rowsOf[k]++
			if _, loaded := known[k]; !loaded && rowsOf[k] <= pointLookups {
				var st string
				var r stored
				switch err := get.QueryRow(b.Tenant, string(k), id).Scan(&st, &r.sm, &r.hash); {
				case errors.Is(err, sql.ErrNoRows):
					return nil, nil, nil
				case err != nil:
					return nil, nil, err
				}
				r.deleted = st == string(oneroster.StatusToBeDeleted)
				return r.record(), nil, nil
			}
			m, err := load(k)
			if err != nil {
				return nil, nil, err
			}
			if ex, ok := m[id]; ok {
				return ex.record(), m, nil
			}
			return nil, m, nil
		}
		now := nanos(b.Now)
		changed := false
		err = b.Rows(func(c oneroster.Change) error {
			exp, m, err := lookup(c.Kind, c.SourcedID)
			if err != nil {
				return err
			}
			o := oneroster.Decide(exp, c)
			out.Count(c.Kind, o)
			if o.Changed() && exp != nil && m != nil {
				// A later row for the same stored record in this batch sees
				// this one. (New records are not tracked, to bound memory: a
				// batch carries each record once, which validation ensures.)
				n := oneroster.Next(exp, c, o, b, seq)
				m[c.SourcedID] = stored{deleted: n.Status == oneroster.StatusToBeDeleted, sm: nanos(n.SourceModified), hash: n.Hash}
			}
			switch o {
			case oneroster.Created, oneroster.Updated:
				changed = true
				_, err := upsert.Exec(b.Tenant, string(c.Kind), c.SourcedID, string(c.Status), now, nanos(c.SourceModified), seq, c.Hash, c.Data)
				return err
			case oneroster.Deleted:
				changed = true
				sm := nanos(c.SourceModified)
				_, err := del.Exec(now, seq, sm, sm, b.Tenant, string(c.Kind), c.SourcedID)
				return err
			case oneroster.Unchanged, oneroster.Stale:
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range oneroster.AllKinds() {
			keep, ok := b.Keep[k]
			if !ok {
				continue
			}
			var gone []string
			rows, err := tx.Query("SELECT sourced_id FROM roster_records WHERE tenant = ? AND kind = ? AND status <> 'tobedeleted' AND seq <> ?", b.Tenant, string(k), seq)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				if !keep(id) {
					gone = append(gone, id)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, id := range gone {
				if _, err := del.Exec(now, seq, 0, 0, b.Tenant, string(k), id); err != nil {
					return err
				}
				out.Count(k, oneroster.Deleted)
				changed = true
			}
		}
		if changed {
			cur = seq
			if _, err := tx.Exec("INSERT INTO roster_cursors (tenant, seq) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq", b.Tenant, seq); err != nil {
				return err
			}
		}
		out.Cursor = cur
		return nil
	})
	if err != nil {
		return oneroster.Applied{}, fmt.Errorf("apply roster batch: %w", err)
	}
	return out, nil
}

// stored is what Apply keeps in memory of a stored record.
type stored struct {
	deleted bool
	sm      int64
	hash    int64
}

func (r stored) record() *oneroster.Record {
	st := oneroster.StatusActive
	if r.deleted {
		st = oneroster.StatusToBeDeleted
	}
	return &oneroster.Record{Status: st, SourceModified: fromNanos(r.sm), Hash: r.hash}
}

const recordCols = "kind, sourced_id, status, modified, source_modified, seq, hash, data"

func scanRecords(rows *sql.Rows) ([]oneroster.Record, error) {
	defer rows.Close()
	var out []oneroster.Record
	for rows.Next() {
		var r oneroster.Record
		var kind, st string
		var mod, sm int64
		if err := rows.Scan(&kind, &r.SourcedID, &st, &mod, &sm, &r.Seq, &r.Hash, &r.Data); err != nil {
			return nil, err
		}
		r.Kind, r.Status, r.Modified, r.SourceModified = oneroster.Kind(kind), oneroster.Status(st), fromNanos(mod), fromNanos(sm)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Records returns every record of a kind in the tenant, ordered by sourcedId.
func (s *Store) Records(ctx context.Context, tenant string, kind oneroster.Kind) ([]oneroster.Record, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+recordCols+" FROM roster_records WHERE tenant = ? AND kind = ? ORDER BY sourced_id", tenant, string(kind))
	if err != nil {
		return nil, fmt.Errorf("roster records: %w", err)
	}
	out, err := scanRecords(rows)
	if err != nil {
		return nil, fmt.Errorf("roster records: %w", err)
	}
	return out, nil
}

// ActiveIDs returns the ids of the kind's records that are not deleted.
func (s *Store) ActiveIDs(ctx context.Context, tenant string, kind oneroster.Kind) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT sourced_id FROM roster_records WHERE tenant = ? AND kind = ? AND status <> 'tobedeleted'", tenant, string(kind))
	if err != nil {
		return nil, fmt.Errorf("roster ids: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("roster ids: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("roster ids: %w", err)
	}
	return out, nil
}

// Record returns one record; store.ErrNotFound if absent.
func (s *Store) Record(ctx context.Context, tenant string, kind oneroster.Kind, id string) (oneroster.Record, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+recordCols+" FROM roster_records WHERE tenant = ? AND kind = ? AND sourced_id = ?", tenant, string(kind), id)
	if err != nil {
		return oneroster.Record{}, fmt.Errorf("roster record: %w", err)
	}
	out, err := scanRecords(rows)
	if err != nil {
		return oneroster.Record{}, fmt.Errorf("roster record: %w", err)
	}
	if len(out) == 0 {
		return oneroster.Record{}, fmt.Errorf("roster record: %w", store.ErrNotFound)
	}
	return out[0], nil
}

// Cursor returns the tenant's history position (0 when empty).
func (s *Store) Cursor(ctx context.Context, tenant string) (int64, error) {
	var seq int64
	err := s.db.QueryRowContext(ctx, "SELECT seq FROM roster_cursors WHERE tenant = ?", tenant).Scan(&seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("roster cursor: %w", err)
	}
	return seq, nil
}

// Changes returns the records changed after since, read in one snapshot
// with the cursor they reach.
func (s *Store) Changes(ctx context.Context, tenant string, since int64) (oneroster.Delta, error) {
	var recs []oneroster.Record
	cur := since
	err := s.read(ctx, func(tx *sql.Tx) error {
		var seq int64
		if err := tx.QueryRow("SELECT seq FROM roster_cursors WHERE tenant = ?", tenant).Scan(&seq); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		cur = max(cur, seq)
		rows, err := tx.Query("SELECT "+recordCols+" FROM roster_records WHERE tenant = ? AND seq > ?", tenant, since)
		if err != nil {
			return err
		}
		recs, err = scanRecords(rows)
		return err
	})
	if err != nil {
		return oneroster.Delta{}, fmt.Errorf("roster changes: %w", err)
	}
	sortRecords(recs)
	return oneroster.DeltaOf(recs, cur)
}

// sortRecords orders records by kind (dependency order) then sourcedId.
func sortRecords(recs []oneroster.Record) {
	rank := map[oneroster.Kind]int{}
	for i, k := range oneroster.Kinds() {
		rank[k] = i
	}
	slices.SortFunc(recs, func(a, b oneroster.Record) int {
		if d := rank[a.Kind] - rank[b.Kind]; d != 0 {
			return d
		}
		switch {
		case a.SourcedID < b.SourcedID:
			return -1
		case a.SourcedID > b.SourcedID:
			return 1
		}
		return 0
	})
}

// SaveMerge records a merge; store.ErrConflict if From is already merged.
func (s *Store) SaveMerge(ctx context.Context, m oneroster.Merge) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO roster_merges (tenant, from_id, into_id, actor, reason, at, n)
			VALUES (?, ?, ?, ?, ?, ?, (SELECT COUNT(*) FROM roster_merges WHERE tenant = ?))`,
			m.Tenant, m.From, m.Into, m.Actor, m.Reason, nanos(m.At), m.Tenant)
		return err
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("save merge: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save merge: %w", err)
	}
	return nil
}

// Merges lists a tenant's merges in the order they were made.
func (s *Store) Merges(ctx context.Context, tenant string) ([]oneroster.Merge, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT from_id, into_id, actor, reason, at FROM roster_merges WHERE tenant = ? ORDER BY n", tenant)
	if err != nil {
		return nil, fmt.Errorf("merges: %w", err)
	}
	defer rows.Close()
	var out []oneroster.Merge
	for rows.Next() {
		m := oneroster.Merge{Tenant: tenant}
		var at int64
		if err := rows.Scan(&m.From, &m.Into, &m.Actor, &m.Reason, &at); err != nil {
			return nil, fmt.Errorf("merges: %w", err)
		}
		m.At = fromNanos(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("merges: %w", err)
	}
	return out, nil
}

// SyncMark returns the source's pull mark (zero if none).
func (s *Store) SyncMark(ctx context.Context, tenant, source string) (time.Time, error) {
	var mark int64
	err := s.db.QueryRowContext(ctx, "SELECT mark FROM roster_sync_marks WHERE tenant = ? AND source = ?", tenant, source).Scan(&mark)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("sync mark: %w", err)
	}
	return fromNanos(mark), nil
}

// SetSyncMark records the source's pull mark.
func (s *Store) SetSyncMark(ctx context.Context, tenant, source string, mark time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO roster_sync_marks (tenant, source, mark) VALUES (?, ?, ?)
			ON CONFLICT (tenant, source) DO UPDATE SET mark = excluded.mark`, tenant, source, nanos(mark))
		return err
	})
	if err != nil {
		return fmt.Errorf("set sync mark: %w", err)
	}
	return nil
}

// PurgeRosterTombstones removes the tenant's deleted records last changed before
// before (records keep only their latest state here, so that is all their
// history), and moves the tenant's cursor when it removed any.
func (s *Store) PurgeRosterTombstones(ctx context.Context, tenant string, before time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("DELETE FROM roster_records WHERE tenant = ? AND status = 'tobedeleted' AND modified < ?", tenant, nanos(before))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		// Move the cursor (no record carries the new position) so readers
		// that cache by cursor, the REST provider, see the removal.
		_, err = tx.Exec("UPDATE roster_cursors SET seq = seq + 1 WHERE tenant = ?", tenant)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge roster tombstones: %w", err)
	}
	return int(n), nil
}
