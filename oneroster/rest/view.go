package rest

import (
	"context"
	"fmt"
	"sync"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/oneroster/query"
)

// Reader is the part of the roster store the provider reads.
type Reader interface {
	Records(ctx context.Context, tenant string, kind oneroster.Kind) ([]oneroster.Record, error)
	Cursor(ctx context.Context, tenant string) (int64, error)
}

// view is one tenant's collection of one kind, decoded and rendered for one
// version at one history position. Views are immutable once built.
type view struct {
	cursor int64
	ents   []oneroster.Entity
	items  []query.Item // Obj for filter/sort; Pos indexes ents and raw
	raw    [][]byte
	byID   map[string]int
	// deleted marks the tombstones; active and all are the items without
	// and with them.
	deleted []bool
	active  []query.Item

	mu      sync.Mutex
	subsets map[string][]query.Item // per base path (students, schools, ...)
}

// subset returns the items pred selects (tombstones only if withDeleted),
// cached under key when key is not empty.
func (v *view) subset(key string, withDeleted bool, pred func(oneroster.Entity) bool) []query.Item {
	if key == "" {
		return v.filter(withDeleted, pred)
	}
	if withDeleted {
		key += "\x00deleted"
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.subsets[key]; ok {
		return s
	}
	s := v.filter(withDeleted, pred)
	if v.subsets == nil {
		v.subsets = map[string][]query.Item{}
	}
	v.subsets[key] = s
	return s
}

// cached returns the items stored under key, computing them once.
func (v *view) cached(key string, compute func() []query.Item) []query.Item {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.subsets[key]; ok {
		return s
	}
	s := compute()
	if v.subsets == nil {
		v.subsets = map[string][]query.Item{}
	}
	v.subsets[key] = s
	return s
}

func (v *view) filter(withDeleted bool, pred func(oneroster.Entity) bool) []query.Item {
	if pred == nil {
		if withDeleted {
			return v.items
		}
		return v.active
	}
	out := make([]query.Item, 0, len(v.items)/4)
	for i, it := range v.items {
		if (withDeleted || !v.deleted[i]) && pred(v.ents[i]) {
			out = append(out, it)
		}
	}
	return out
}

type viewKey struct {
	tenant  string
	kind    oneroster.Kind
	version string
}

// views caches the latest view of each (tenant, kind, version): a request
// checks the tenant's cursor (one cheap read) and rebuilds only when the
// roster changed, so paging through 100,000 users decodes them once.
type views struct {
	mu      sync.Mutex
	entries map[viewKey]*viewEntry
	max     int
}

type viewEntry struct {
	mu sync.Mutex // serialises rebuilds of this key
	v  *view
}

func newViews(max int) *views { return &views{entries: map[viewKey]*viewEntry{}, max: max} }

func (vs *views) get(ctx context.Context, st Reader, ver version, tenant string, kind oneroster.Kind) (*view, error) {
	cur, err := st.Cursor(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("roster cursor: %w", err)
	}
	key := viewKey{tenant, kind, ver.name}
	vs.mu.Lock()
	e := vs.entries[key]
	if e == nil {
		if len(vs.entries) >= vs.max {
			for k := range vs.entries { // evict an arbitrary entry
				delete(vs.entries, k)
				break
			}
		}
		e = &viewEntry{}
		vs.entries[key] = e
	}
	vs.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.v != nil && e.v.cursor == cur {
		return e.v, nil
	}
	v, err := build(ctx, st, ver, tenant, kind, cur)
	if err != nil {
		return nil, err
	}
	e.v = v
	return v, nil
}

func build(ctx context.Context, st Reader, ver version, tenant string, kind oneroster.Kind, cur int64) (*view, error) {
	recs, err := st.Records(ctx, tenant, kind)
	if err != nil {
		return nil, fmt.Errorf("roster records: %w", err)
	}
	v := &view{cursor: cur, ents: make([]oneroster.Entity, 0, len(recs)), byID: make(map[string]int, len(recs))}
	for _, r := range recs {
		e, err := oneroster.Decode(r)
		if err != nil {
			return nil, err
		}
		v.byID[r.SourcedID] = len(v.ents)
		v.ents = append(v.ents, e)
	}
	var children map[string][]string
	if kind == oneroster.KindOrg || kind == oneroster.KindAcademicSession {
		children = map[string][]string{}
		for _, e := range v.ents {
			var parent string
			switch x := e.(type) {
			case *oneroster.Org:
				parent = x.Parent
			case *oneroster.AcademicSession:
				parent = x.Parent
			}
			if b := oneroster.BaseOf(e); parent != "" && b.Status != oneroster.StatusToBeDeleted {
				children[parent] = append(children[parent], b.SourcedID)
			}
		}
	}
	v.items = make([]query.Item, len(v.ents))
	v.raw = make([][]byte, len(v.ents))
	v.deleted = make([]bool, len(v.ents))
	v.active = make([]query.Item, 0, len(v.ents))
	for i, e := range v.ents {
		m, raw, err := generic(ver.render(e, children))
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", kind, err)
		}
		v.items[i] = query.Item{Obj: m, Pos: i}
		v.raw[i] = raw
		v.deleted[i] = oneroster.BaseOf(e).Status == oneroster.StatusToBeDeleted
		if !v.deleted[i] {
			v.active = append(v.active, v.items[i])
		}
	}
	return v, nil
}
