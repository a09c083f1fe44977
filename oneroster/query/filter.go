package query

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Op is a filter comparison operator.
type Op string

// The filter operators of the OneRoster REST binding.
const (
	Eq       Op = "="
	Ne       Op = "!="
	Gt       Op = ">"
	Ge       Op = ">="
	Lt       Op = "<"
	Le       Op = "<="
	Contains Op = "~"
)

// Clause is one "field op 'value'" comparison.
type Clause struct {
	Field string
	Op    Op
	Value string
}

// Filter is a parsed filter: an OR of AND-groups of clauses (AND binds
// tighter than OR).
type Filter struct {
	Any [][]Clause
}

// Error is a bad query parameter. Code is the imsx codeMinor
// (invalid_filter_field, invalid_sort_field, invalid_selection_field,
// invaliddata).
type Error struct {
	Code   string
	Reason string
}

// Error returns the reason; it is safe to show to clients.
func (e *Error) Error() string { return e.Reason }

// The imsx codeMinor values query errors carry.
const (
	CodeInvalidFilter    = "invalid_filter_field"
	CodeInvalidSort      = "invalid_sort_field"
	CodeInvalidSelection = "invalid_selection_field"
	CodeInvalidData      = "invaliddata"
)

func filterErr(f string, a ...any) error {
	return &Error{Code: CodeInvalidFilter, Reason: "invalid filter: " + fmt.Sprintf(f, a...)}
}

// MaxFilterLen bounds a filter expression.
const MaxFilterLen = 4096

// ParseFilter parses field op 'value' clauses joined by " AND " / " OR ".
// Inside a value, ” stands for one quote. Fields are letters, digits,
// '_' and '.' (nested fields such as school.sourcedId).
func ParseFilter(s string) (*Filter, error) {
	if len(s) > MaxFilterLen {
		return nil, filterErr("longer than %d bytes", MaxFilterLen)
	}
	p := &parser{s: s}
	f := &Filter{}
	group := []Clause{}
	for {
		c, err := p.clause()
		if err != nil {
			return nil, err
		}
		group = append(group, c)
		p.spaces()
		if p.eof() {
			break
		}
		switch {
		case p.word("AND"):
		case p.word("OR"):
			f.Any = append(f.Any, group)
			group = []Clause{}
		default:
			return nil, filterErr("expected AND or OR at offset %d", p.i)
		}
	}
	f.Any = append(f.Any, group)
	return f, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) eof() bool { return p.i >= len(p.s) }

func (p *parser) spaces() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// word consumes a logical operator followed by a space.
func (p *parser) word(w string) bool {
	if strings.HasPrefix(p.s[p.i:], w+" ") {
		p.i += len(w) + 1
		return true
	}
	return false
}

func isFieldByte(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *parser) clause() (Clause, error) {
	p.spaces()
	start := p.i
	for p.i < len(p.s) && isFieldByte(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		return Clause{}, filterErr("expected a field name at offset %d", start)
	}
	c := Clause{Field: p.s[start:p.i]}
	p.spaces()
	switch {
	case strings.HasPrefix(p.s[p.i:], "!="):
		c.Op = Ne
	case strings.HasPrefix(p.s[p.i:], ">="):
		c.Op = Ge
	case strings.HasPrefix(p.s[p.i:], "<="):
		c.Op = Le
	case strings.HasPrefix(p.s[p.i:], "="):
		c.Op = Eq
	case strings.HasPrefix(p.s[p.i:], ">"):
		c.Op = Gt
	case strings.HasPrefix(p.s[p.i:], "<"):
		c.Op = Lt
	case strings.HasPrefix(p.s[p.i:], "~"):
		c.Op = Contains
	default:
		return Clause{}, filterErr("expected an operator after %q", c.Field)
	}
	p.i += len(c.Op)
	p.spaces()
	if p.eof() || p.s[p.i] != '\'' {
		return Clause{}, filterErr("the value of %q must be in single quotes", c.Field)
	}
	p.i++
	var b strings.Builder
	for {
		if p.eof() {
			return Clause{}, filterErr("unterminated value for %q", c.Field)
		}
		ch := p.s[p.i]
		p.i++
		if ch == '\'' {
			if !p.eof() && p.s[p.i] == '\'' {
				b.WriteByte('\'')
				p.i++
				continue
			}
			break
		}
		b.WriteByte(ch)
	}
	c.Value = b.String()
	return c, nil
}

// Fields lists every field the filter names.
func (f *Filter) Fields() []string {
	var out []string
	for _, g := range f.Any {
		for _, c := range g {
			out = append(out, c.Field)
		}
	}
	return out
}

// Clauses counts the filter's clauses.
func (f *Filter) Clauses() int { return len(f.Fields()) }

// Match evaluates the filter on an object rendered as JSON values
// (map[string]any, []any, string, float64, bool). A field that is a list
// matches when any element does; a missing field matches only !=.
func (f *Filter) Match(obj map[string]any) bool {
	for _, g := range f.Any {
		ok := true
		for _, c := range g {
			if !c.match(obj) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (c Clause) match(obj map[string]any) bool {
	vals := Lookup(obj, c.Field)
	if c.Op == Ne {
		for _, v := range vals {
			if Compare(v, c.Value) == 0 {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.Op == Contains {
			if strings.Contains(strings.ToLower(v), strings.ToLower(c.Value)) {
				return true
			}
			continue
		}
		r := Compare(v, c.Value)
		switch c.Op {
		case Eq:
			if r == 0 {
				return true
			}
		case Gt:
			if r > 0 {
				return true
			}
		case Ge:
			if r >= 0 {
				return true
			}
		case Lt:
			if r < 0 {
				return true
			}
		case Le:
			if r <= 0 {
				return true
			}
		case Ne, Contains: // handled above
		}
	}
	return false
}

// Lookup returns the string forms of the values at a dotted path; lists
// contribute each element.
func Lookup(obj map[string]any, path string) []string {
	var out []string
	var walk func(v any, parts []string)
	walk = func(v any, parts []string) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, parts)
			}
			return
		case map[string]any:
			if len(parts) == 0 {
				return
			}
			if n, ok := x[parts[0]]; ok {
				walk(n, parts[1:])
			}
			return
		}
		if len(parts) != 0 || v == nil {
			return
		}
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case bool:
			out = append(out, strconv.FormatBool(x))
		case float64:
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		default:
			out = append(out, fmt.Sprint(x))
		}
	}
	walk(obj, strings.Split(path, "."))
	return out
}

// timeOf parses a date or datetime value.
func timeOf(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// Compare orders two values: as instants when both are dates or
// datetimes (a date is midnight UTC), as numbers when both are numbers,
// else as strings.
func Compare(a, b string) int {
	if ta, ok := timeOf(a); ok {
		if tb, ok := timeOf(b); ok {
			return ta.Compare(tb)
		}
	}
	if fa, err := strconv.ParseFloat(a, 64); err == nil && !math.IsNaN(fa) {
		if fb, err := strconv.ParseFloat(b, 64); err == nil && !math.IsNaN(fb) {
			switch {
			case fa < fb:
				return -1
			case fa > fb:
				return 1
			}
			return 0
		}
	}
	return strings.Compare(a, b)
}
