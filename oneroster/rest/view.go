package rest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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
// version at one history position. Views are immutable once built, except
// for their caches.
//
// Memory: a view keeps each record decoded and as its served JSON bytes,
// plus a small object of the base fields (sourcedId, status,
// dateLastModified) for filtering and sorting on them. The full JSON object
// of every record, needed to filter on other fields, is built on the first
// such filter and then kept with the view.
type view struct {
	ver      version
	cursor   int64
	ents     []oneroster.Entity
	items    []query.Item // base-field objects; Pos indexes ents and raw
	raw      [][]byte
	byID     map[string]int
	deleted  []bool
	active   []query.Item
	children map[string][]string

	mu      sync.Mutex
	full    []query.Item // full objects, built on demand
	subsets map[string][]query.Item
}

// baseFields are the fields the small per-record objects hold.
var baseFields = map[string]bool{"sourcedId": true, "status": true, "dateLastModified": true}

// obj renders record i as a full JSON object (not kept).
func (v *view) obj(i int) map[string]any {
	m, _, err := generic(v.ver.render(v.ents[i], v.children))
	if err != nil {
		return map[string]any{}
	}
	return m
}

// fullItems returns the items with full objects, building them once.
func (v *view) fullItems() []query.Item {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.full == nil {
		v.full = make([]query.Item, len(v.items))
		for i := range v.items {
			v.full[i] = query.Item{Obj: v.obj(i), Pos: i}
		}
	}
	return v.full
}

// subset returns the items pred selects (all when nil; tombstones only if
// withDeleted), from the full items when full, cached under key when key is
// not empty.
func (v *view) subset(key string, withDeleted, full bool, pred func(oneroster.Entity) bool) []query.Item {
	items := v.items
	if full {
		items = v.fullItems()
	}
	compute := func() []query.Item {
		if pred == nil && !withDeleted && !full {
			return v.active
		}
		out := make([]query.Item, 0, len(items)/4)
		for i, it := range items {
			if (withDeleted || !v.deleted[i]) && (pred == nil || pred(v.ents[i])) {
				out = append(out, it)
			}
		}
		return out
	}
	if key == "" {
		return compute()
	}
	return v.cached(fmt.Sprintf("%s\x00%t\x00%t", key, withDeleted, full), compute)
}

// cached returns the items stored under key, computing them once.
func (v *view) cached(key string, compute func() []query.Item) []query.Item {
	v.mu.Lock()
	if s, ok := v.subsets[key]; ok {
		v.mu.Unlock()
		return s
	}
	v.mu.Unlock()
	s := compute()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.subsets == nil {
		v.subsets = map[string][]query.Item{}
	}
	v.subsets[key] = s
	return s
}

// sortKey returns the key function ordering items by field.
func (v *view) sortKey(field string) func(query.Item) string {
	if baseFields[field] {
		return func(it query.Item) string {
			if vs := query.Lookup(it.Obj, field); len(vs) > 0 {
				return vs[0]
			}
			return ""
		}
	}
	return func(it query.Item) string {
		if !strings.Contains(field, ".") {
			// A top-level scalar: the rendered object has it as a plain
			// value, with no JSON round trip.
			switch x := v.ver.render(v.ents[it.Pos], v.children)[field].(type) {
			case nil:
				return ""
			case string:
				return x
			case bool:
				return strconv.FormatBool(x)
			case float64:
				return strconv.FormatFloat(x, 'f', -1, 64)
			}
		}
		if vs := query.Lookup(v.obj(it.Pos), field); len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
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
	e.v = nil // let the old view go before building the new one
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
	v := &view{ver: ver, cursor: cur, ents: make([]oneroster.Entity, 0, len(recs)), byID: make(map[string]int, len(recs))}
	for i := range recs {
		e, err := oneroster.Decode(recs[i])
		if err != nil {
			return nil, err
		}
		recs[i].Data = nil
		v.byID[recs[i].SourcedID] = len(v.ents)
		v.ents = append(v.ents, e)
	}
	if kind == oneroster.KindOrg || kind == oneroster.KindAcademicSession {
		v.children = map[string][]string{}
		for _, e := range v.ents {
			var parent string
			switch x := e.(type) {
			case *oneroster.Org:
				parent = x.Parent
			case *oneroster.AcademicSession:
				parent = x.Parent
			}
			if b := oneroster.BaseOf(e); parent != "" && b.Status != oneroster.StatusToBeDeleted {
				v.children[parent] = append(v.children[parent], b.SourcedID)
			}
		}
	}
	if (kind == oneroster.KindLineItem || kind == oneroster.KindResult) && ver.name == v12.name {
		if v.children, err = scaleLinks(ctx, st, tenant, kind); err != nil {
			return nil, err
		}
	}
	v.items = make([]query.Item, len(v.ents))
	v.raw = make([][]byte, len(v.ents))
	v.deleted = make([]bool, len(v.ents))
	v.active = make([]query.Item, 0, len(v.ents))
	for i, e := range v.ents {
		o := ver.render(e, v.children)
		_, raw, err := encode(o)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", kind, err)
		}
		b := oneroster.BaseOf(e)
		v.items[i] = query.Item{Obj: map[string]any{"sourcedId": o["sourcedId"], "status": o["status"], "dateLastModified": o["dateLastModified"]}, Pos: i}
		v.raw[i] = raw
		v.deleted[i] = b.Status == oneroster.StatusToBeDeleted
		if !v.deleted[i] {
			v.active = append(v.active, v.items[i])
		}
	}
	return v, nil
}

// scaleLinks maps each line item (or result) to the active score scales its
// active links name, in sourcedId order of the links.
func scaleLinks(ctx context.Context, st Reader, tenant string, kind oneroster.Kind) (map[string][]string, error) {
	lk := oneroster.KindLineItemScoreScale
	if kind == oneroster.KindResult {
		lk = oneroster.KindResultScoreScale
	}
	recs, err := st.Records(ctx, tenant, lk)
	if err != nil {
		return nil, fmt.Errorf("roster records: %w", err)
	}
	out := map[string][]string{}
	if len(recs) == 0 {
		return out, nil
	}
	scales, err := st.Records(ctx, tenant, oneroster.KindScoreScale)
	if err != nil {
		return nil, fmt.Errorf("roster records: %w", err)
	}
	live := make(map[string]bool, len(scales))
	for _, r := range scales {
		live[r.SourcedID] = r.Status != oneroster.StatusToBeDeleted
	}
	for _, r := range recs {
		if r.Status == oneroster.StatusToBeDeleted {
			continue
		}
		e, err := oneroster.Decode(r)
		if err != nil {
			return nil, err
		}
		switch x := e.(type) {
		case *oneroster.LineItemScoreScale:
			if live[x.ScoreScale] {
				out[x.LineItem] = append(out[x.LineItem], x.ScoreScale)
			}
		case *oneroster.ResultScoreScale:
			if live[x.ScoreScale] {
				out[x.Result] = append(out[x.Result], x.ScoreScale)
			}
		}
	}
	return out, nil
}
