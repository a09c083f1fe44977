package memstore

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store"
)

// Store keeps rosters in memory. The zero value is not usable; call New.
type Store struct {
	mu      sync.RWMutex
	tenants map[string]*tenant
}

type tenant struct {
	marks   map[string]time.Time
	cursor  int64
	records map[oneroster.Kind]map[string]oneroster.Record
	merges  []oneroster.Merge
}

var _ oneroster.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{tenants: map[string]*tenant{}} }

func (s *Store) tenant(id string) *tenant {
	t := s.tenants[id]
	if t == nil {
		t = &tenant{records: map[oneroster.Kind]map[string]oneroster.Record{}}
		s.tenants[id] = t
	}
	return t
}

// Apply applies a batch atomically: the changes go to a scratch copy that
// replaces the tenant's records only when the whole batch succeeded.
func (s *Store) Apply(ctx context.Context, b oneroster.Batch) (oneroster.Applied, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(b.Tenant)
	seq := t.cursor + 1
	pending := map[oneroster.Kind]map[string]oneroster.Record{}
	get := func(k oneroster.Kind, id string) (oneroster.Record, bool) {
		if r, ok := pending[k][id]; ok {
			return r, true
		}
		r, ok := t.records[k][id]
		return r, ok
	}
	put := func(r oneroster.Record) {
		if pending[r.Kind] == nil {
			pending[r.Kind] = map[string]oneroster.Record{}
		}
		pending[r.Kind][r.SourcedID] = r
	}
	var out oneroster.Applied
	changed := false
	err := b.Rows(func(c oneroster.Change) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ex, ok := get(c.Kind, c.SourcedID)
		var exp *oneroster.Record
		if ok {
			exp = &ex
		}
		o := oneroster.Decide(exp, c)
		out.Count(c.Kind, o)
		if o.Changed() {
			changed = true
			put(oneroster.Next(exp, c, o, b, seq))
		}
		return nil
	})
	if err != nil {
		return oneroster.Applied{}, err
	}
	for k, keep := range b.Keep {
		for id := range t.records[k] {
			r, _ := get(k, id)
			if r.Status == oneroster.StatusToBeDeleted || keep(id) {
				continue
			}
			out.Count(k, oneroster.Deleted)
			changed = true
			put(oneroster.Tombstone(r, b, seq))
		}
	}
	if changed {
		for k, m := range pending {
			if t.records[k] == nil {
				t.records[k] = map[string]oneroster.Record{}
			}
			for id, r := range m {
				t.records[k][id] = r
			}
		}
		t.cursor = seq
	}
	out.Cursor = t.cursor
	return out, nil
}

// Records returns every record of a kind, ordered by sourcedId.
func (s *Store) Records(_ context.Context, tenant string, kind oneroster.Kind) ([]oneroster.Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tenants[tenant]
	if t == nil {
		return nil, nil
	}
	out := make([]oneroster.Record, 0, len(t.records[kind]))
	for _, r := range t.records[kind] {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b oneroster.Record) int { return strings.Compare(a.SourcedID, b.SourcedID) })
	return out, nil
}

// ActiveIDs returns the ids of the kind's records that are not deleted.
func (s *Store) ActiveIDs(_ context.Context, tenant string, kind oneroster.Kind) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	if t := s.tenants[tenant]; t != nil {
		for id, r := range t.records[kind] {
			if r.Status != oneroster.StatusToBeDeleted {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// Record returns one record; store.ErrNotFound if absent.
func (s *Store) Record(_ context.Context, tenant string, kind oneroster.Kind, id string) (oneroster.Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t := s.tenants[tenant]; t != nil {
		if r, ok := t.records[kind][id]; ok {
			return r, nil
		}
	}
	return oneroster.Record{}, store.ErrNotFound
}

// Cursor returns the tenant's history position.
func (s *Store) Cursor(_ context.Context, tenant string) (int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t := s.tenants[tenant]; t != nil {
		return t.cursor, nil
	}
	return 0, nil
}

// Changes returns the records changed after since.
func (s *Store) Changes(_ context.Context, tenant string, since int64) (oneroster.Delta, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tenants[tenant]
	if t == nil {
		return oneroster.Delta{Cursor: since}, nil
	}
	var recs []oneroster.Record
	for _, k := range oneroster.Kinds() {
		var ks []oneroster.Record
		for _, r := range t.records[k] {
			if r.Seq > since {
				ks = append(ks, r)
			}
		}
		slices.SortFunc(ks, func(a, b oneroster.Record) int { return strings.Compare(a.SourcedID, b.SourcedID) })
		recs = append(recs, ks...)
	}
	return oneroster.DeltaOf(recs, max(t.cursor, since))
}

// SaveMerge records a merge; store.ErrConflict if From is already merged.
func (s *Store) SaveMerge(_ context.Context, m oneroster.Merge) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(m.Tenant)
	for _, x := range t.merges {
		if x.From == m.From {
			return store.ErrConflict
		}
	}
	t.merges = append(t.merges, m)
	return nil
}

// Merges lists a tenant's merges in order.
func (s *Store) Merges(_ context.Context, tenant string) ([]oneroster.Merge, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t := s.tenants[tenant]; t != nil {
		return slices.Clone(t.merges), nil
	}
	return nil, nil
}

// SyncMark returns the source's pull mark (zero if none).
func (s *Store) SyncMark(_ context.Context, tenant, source string) (time.Time, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t := s.tenants[tenant]; t != nil {
		return t.marks[source], nil
	}
	return time.Time{}, nil
}

// SetSyncMark records the source's pull mark.
func (s *Store) SetSyncMark(_ context.Context, tenant, source string, mark time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(tenant)
	if t.marks == nil {
		t.marks = map[string]time.Time{}
	}
	t.marks[source] = mark.UTC()
	return nil
}

// PurgeRosterTombstones removes the tenant's deleted records last changed before
// before, and moves the cursor when it removed any.
func (s *Store) PurgeRosterTombstones(_ context.Context, tenant string, before time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(tenant)
	n := 0
	for _, recs := range t.records {
		for id, r := range recs {
			if r.Status == oneroster.StatusToBeDeleted && r.Modified.Before(before) {
				delete(recs, id)
				n++
			}
		}
	}
	if n > 0 {
		t.cursor++ // readers that cache by cursor see the removal
	}
	return n, nil
}
