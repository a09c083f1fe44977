package moodlefake

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// parseVars splits a query or form body into its variables in order, as
// PHP does, keeping at most limit of them (PHP drops the rest with a
// warning when max_input_vars is exceeded).
func parseVars(raw string, limit int) ([][2]string, error) {
	var out [][2]string
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("bad key encoding: %w", err)
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("bad value encoding: %w", err)
		}
		if limit > 0 && len(out) >= limit {
			break
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// node is a PHP request variable: a string or an array keyed by strings.
type node struct {
	val  string
	kids map[string]*node
	keys []string // insertion order
}

func (n *node) child(k string) *node {
	if n.kids == nil {
		n.kids = map[string]*node{}
	}
	c, ok := n.kids[k]
	if !ok {
		c = &node{}
		n.kids[k] = c
		n.keys = append(n.keys, k)
	}
	return c
}

// buildTree turns bracketed names (users[0][username]) into a tree, the way
// PHP fills $_POST. Later values of the same name replace earlier ones.
func buildTree(vars [][2]string) *node {
	root := &node{}
	for _, kv := range vars {
		name := kv[0]
		var path []string
		if i := strings.IndexByte(name, '['); i > 0 {
			path = append(path, name[:i])
			rest := name[i:]
			for strings.HasPrefix(rest, "[") {
				j := strings.IndexByte(rest, ']')
				if j < 0 {
					break
				}
				path = append(path, rest[1:j])
				rest = rest[j+1:]
			}
		} else {
			path = []string{name}
		}
		n := root
		for _, p := range path {
			n = n.child(p)
		}
		n.val = kv[1]
		n.kids, n.keys = nil, nil
		if len(path) > 0 {
			// A scalar assignment replaces any array.
			n.val = kv[1]
		}
	}
	return root
}

// paramError is an invalid_parameter_exception.
type paramError struct{ debug string }

func (e *paramError) Error() string { return e.debug }

// list returns the children of an array parameter in index order; the
// indexes must be 0..n-1.
func (n *node) list(name string) ([]*node, error) {
	if n == nil {
		return nil, nil
	}
	if n.kids == nil && n.val != "" {
		return nil, &paramError{name + " => Invalid parameter value detected: Only arrays accepted."}
	}
	idx := make([]int, 0, len(n.keys))
	for _, k := range n.keys {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 {
			return nil, &paramError{fmt.Sprintf("%s => Invalid parameter value detected: non-numeric key %q", name, k)}
		}
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]*node, len(idx))
	for j, i := range idx {
		if i != j {
			return nil, &paramError{fmt.Sprintf("%s => Invalid parameter value detected: keys are not contiguous", name)}
		}
		out[j] = n.kids[strconv.Itoa(i)]
	}
	return out, nil
}

func (n *node) get(k string) *node {
	if n == nil || n.kids == nil {
		return nil
	}
	return n.kids[k]
}

func (n *node) has(k string) bool { return n.get(k) != nil }

// str returns a required scalar.
func (n *node) str(k string) (string, error) {
	c := n.get(k)
	if c == nil {
		return "", &paramError{k + " => Invalid parameter value detected: Missing required key in single structure: " + k}
	}
	if c.kids != nil {
		return "", &paramError{k + " => Invalid parameter value detected: Scalar type expected, array or object received."}
	}
	return c.val, nil
}

// opt returns an optional scalar or def.
func (n *node) opt(k, def string) string {
	c := n.get(k)
	if c == nil || c.kids != nil {
		return def
	}
	return c.val
}

// integer returns a required PARAM_INT.
func (n *node) integer(k string) (int, error) {
	s, err := n.str(k)
	if err != nil {
		return 0, err
	}
	i, err := strconv.Atoi(s)
	if err != nil {
		return 0, &paramError{k + " => Invalid parameter value detected: Invalid external api parameter: the value is \"" + s + "\", the server was expecting \"int\" type"}
	}
	return i, nil
}

func (n *node) optInt(k string, def int) (int, error) {
	if !n.has(k) {
		return def, nil
	}
	return n.integer(k)
}
