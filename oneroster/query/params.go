package query

import (
	"slices"
	"strconv"
	"strings"
)

// Paging limits.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// Params are a collection request's query parameters.
type Params struct {
	Filter *Filter
	Sort   string
	Desc   bool
	Fields []string
	Limit  int
	Offset int
}

// Parse reads limit, offset, sort, orderBy, fields and filter through get
// (a query parameter getter) and checks every field name with known.
// A limit above MaxLimit is lowered to it.
func Parse(get func(string) string, known func(field string) bool) (Params, error) {
	p := Params{Limit: DefaultLimit}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, &Error{Code: CodeInvalidData, Reason: "limit must be a positive integer"}
		}
		p.Limit = min(n, MaxLimit)
	}
	if v := get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, &Error{Code: CodeInvalidData, Reason: "offset must be a non-negative integer"}
		}
		p.Offset = n
	}
	if v := get("sort"); v != "" {
		if !known(v) {
			return p, &Error{Code: CodeInvalidSort, Reason: "unknown sort field " + strconv.Quote(v)}
		}
		p.Sort = v
	}
	switch strings.ToLower(get("orderBy")) {
	case "", "asc":
	case "desc":
		p.Desc = true
	default:
		return p, &Error{Code: CodeInvalidData, Reason: "orderBy must be asc or desc"}
	}
	if v := get("fields"); v != "" {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if !known(f) {
				return p, &Error{Code: CodeInvalidSelection, Reason: "unknown field " + strconv.Quote(f)}
			}
			p.Fields = append(p.Fields, f)
		}
	}
	if v := get("filter"); v != "" {
		f, err := ParseFilter(v)
		if err != nil {
			return p, err
		}
		for _, name := range f.Fields() {
			if !known(name) {
				return p, &Error{Code: CodeInvalidFilter, Reason: "unknown filter field " + strconv.Quote(name)}
			}
		}
		p.Filter = f
	}
	return p, nil
}

// Item is one object of a collection: its JSON values for filtering and
// sorting, and its position in sourcedId order.
type Item struct {
	Obj map[string]any
	Pos int
}

// Select filters and sorts items (ordered by sourcedId) and returns the
// requested page and the filtered total. Sorting is stable with sourcedId
// as the tiebreaker, so paging never repeats or skips an item.
func (p Params) Select(items []Item) ([]Item, int) {
	return p.Page(p.Order(p.Match(items)))
}

// Match returns the items the filter keeps (all of them without a filter).
func (p Params) Match(items []Item) []Item {
	if p.Filter == nil {
		return items
	}
	sel := make([]Item, 0, len(items)/4)
	for _, it := range items {
		if p.Filter.Match(it.Obj) {
			sel = append(sel, it)
		}
	}
	return sel
}

// Sorted reports whether Order reorders items (a sort other than by
// sourcedId, or descending).
func (p Params) Sorted() bool { return (p.Sort != "" && p.Sort != "sourcedId") || p.Desc }

// Order returns items in the requested order, in a new slice when it
// differs from sourcedId order; items is never modified.
func (p Params) Order(items []Item) []Item {
	return p.OrderBy(items, func(it Item) string {
		if vs := Lookup(it.Obj, p.Sort); len(vs) > 0 {
			return vs[0]
		}
		return ""
	})
}

// OrderBy is Order with the sort key of each item given by key.
func (p Params) OrderBy(items []Item, key func(Item) string) []Item {
	if !p.Sorted() {
		return items
	}
	sel := slices.Clone(items)
	if p.Sort == "" || p.Sort == "sourcedId" {
		slices.Reverse(sel)
		return sel
	}
	keys := make(map[int]string, len(sel))
	for _, it := range sel {
		keys[it.Pos] = key(it)
	}
	slices.SortStableFunc(sel, func(a, b Item) int {
		c := Compare(keys[a.Pos], keys[b.Pos])
		if c == 0 {
			c = a.Pos - b.Pos
		}
		if p.Desc {
			c = -c
		}
		return c
	})
	return sel
}

// Page cuts the requested page out of items and returns it with the total.
func (p Params) Page(items []Item) ([]Item, int) {
	total := len(items)
	if p.Offset >= total {
		return nil, total
	}
	return items[p.Offset:min(total, p.Offset+p.Limit)], total
}

// Project keeps only the selected top-level fields of obj, and sourcedId.
func (p Params) Project(obj map[string]any) map[string]any {
	out := make(map[string]any, len(p.Fields)+1)
	if v, ok := obj["sourcedId"]; ok {
		out["sourcedId"] = v
	}
	for _, f := range p.Fields {
		top, _, _ := strings.Cut(f, ".")
		if v, ok := obj[top]; ok {
			out[top] = v
		}
	}
	return out
}
