package lrs

import (
	"strings"
)

// Format is the statement serialisation a query asks for.
type Format string

const (
	// FormatExact returns statements as stored.
	FormatExact Format = "exact"
	// FormatIDs keeps only what identifies Agents, Groups, Activities and Verbs.
	FormatIDs Format = "ids"
	// FormatCanonical returns one language per language map, chosen by
	// Accept-Language, with the LRS's canonical activity definitions.
	FormatCanonical Format = "canonical"
)

// Render returns a stored statement's JSON in format f. Exact returns raw
// untouched (no decode, no re-encode). For canonical, langs are the
// client's preferred languages (Accept-Language order) and defs, when not
// nil, returns the LRS's canonical definition of an activity.
func Render(raw []byte, f Format, langs []string, defs func(id string) (map[string]any, bool)) ([]byte, error) {
	if f == FormatExact || f == "" {
		return raw, nil
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	switch f {
	case FormatIDs:
		idsStatement(m)
	case FormatCanonical:
		canonicalize(m, langs, defs)
	case FormatExact:
	}
	return encodeJSON(m)
}

func idsActor(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	if ot, ok := m["objectType"]; ok {
		out["objectType"] = ot
	}
	found := false
	for _, k := range ifiKeys {
		if x, ok := m[k]; ok {
			out[k] = x
			found = true
		}
	}
	if !found {
		if mem, ok := m["member"].([]any); ok {
			ms := make([]any, len(mem))
			for i, a := range mem {
				ms[i] = idsActor(a)
			}
			out["member"] = ms
		}
	}
	return out
}

func idsActivity(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	// Comm 2.1.3 format=ids: only the identifier. objectType is optional
	// for an Activity (its absence means Activity), so it is dropped; the
	// ADL suite checks an ids Activity has exactly one property.
	return map[string]any{"id": m["id"]}
}

func idsStatement(m map[string]any) {
	for _, k := range []string{"actor", "authority"} {
		if a, ok := m[k]; ok {
			m[k] = idsActor(a)
		}
	}
	if vb, ok := m["verb"].(map[string]any); ok {
		m["verb"] = map[string]any{"id": vb["id"]}
	}
	if obj, ok := m["object"].(map[string]any); ok {
		switch obj["objectType"] {
		case "Agent", "Group":
			m["object"] = idsActor(obj)
		case "SubStatement":
			idsStatement(obj)
		case "StatementRef":
		default:
			m["object"] = idsActivity(obj)
		}
	}
	if ctx, ok := m["context"].(map[string]any); ok {
		for _, k := range []string{"instructor", "team"} {
			if a, ok := ctx[k]; ok {
				ctx[k] = idsActor(a)
			}
		}
		if ca, ok := ctx["contextActivities"].(map[string]any); ok {
			for k, arr := range ca {
				if as, ok := arr.([]any); ok {
					for i, a := range as {
						as[i] = idsActivity(a)
					}
				}
				_ = k
			}
		}
		for _, k := range []string{"contextAgents", "contextGroups"} {
			if arr, ok := ctx[k].([]any); ok {
				for _, e := range arr {
					if em, ok := e.(map[string]any); ok {
						for _, who := range []string{"agent", "group"} {
							if a, ok := em[who]; ok {
								em[who] = idsActor(a)
							}
						}
					}
				}
			}
		}
	}
}

// PickLanguage chooses one entry of a language map for the preferred
// languages: an exact tag match, then a primary-subtag match, then "und",
// then the first tag in sorted order.
func PickLanguage(lm map[string]any, langs []string) map[string]any {
	if len(lm) <= 1 {
		return lm
	}
	for _, l := range langs {
		if l == "*" {
			break
		}
		for k, v := range lm {
			if strings.EqualFold(k, l) {
				return map[string]any{k: v}
			}
		}
	}
	for _, l := range langs {
		prim, _, _ := strings.Cut(l, "-")
		for _, k := range sortedKeys(lm) {
			kp, _, _ := strings.Cut(k, "-")
			if strings.EqualFold(kp, prim) {
				return map[string]any{k: lm[k]}
			}
		}
	}
	if v, ok := lm["und"]; ok {
		return map[string]any{"und": v}
	}
	k := sortedKeys(lm)[0]
	return map[string]any{k: lm[k]}
}

func canonicalActivity(v any, langs []string, defs func(string) (map[string]any, bool)) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	if defs != nil {
		if id, ok := m["id"].(string); ok {
			if d, ok := defs(id); ok {
				m["definition"] = d
			}
		}
	}
	d, ok := m["definition"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range []string{"name", "description"} {
		if lm, ok := d[k].(map[string]any); ok {
			d[k] = PickLanguage(lm, langs)
		}
	}
	for _, k := range componentKeys {
		if arr, ok := d[k].([]any); ok {
			for _, c := range arr {
				if cm, ok := c.(map[string]any); ok {
					if lm, ok := cm["description"].(map[string]any); ok {
						cm["description"] = PickLanguage(lm, langs)
					}
				}
			}
		}
	}
}

func canonicalize(m map[string]any, langs []string, defs func(string) (map[string]any, bool)) {
	if vb, ok := m["verb"].(map[string]any); ok {
		if lm, ok := vb["display"].(map[string]any); ok {
			vb["display"] = PickLanguage(lm, langs)
		}
	}
	if obj, ok := m["object"].(map[string]any); ok {
		switch obj["objectType"] {
		case "SubStatement":
			canonicalize(obj, langs, defs)
		case nil, "Activity":
			canonicalActivity(obj, langs, defs)
		}
	}
	if ctx, ok := m["context"].(map[string]any); ok {
		if ca, ok := ctx["contextActivities"].(map[string]any); ok {
			for _, arr := range ca {
				if as, ok := arr.([]any); ok {
					for _, a := range as {
						canonicalActivity(a, langs, defs)
					}
				}
			}
		}
	}
	if atts, ok := m["attachments"].([]any); ok {
		for _, a := range atts {
			if am, ok := a.(map[string]any); ok {
				for _, k := range []string{"display", "description"} {
					if lm, ok := am[k].(map[string]any); ok {
						am[k] = PickLanguage(lm, langs)
					}
				}
			}
		}
	}
}

// ParseAcceptLanguage returns the language ranges of an Accept-Language
// header ordered by quality (highest first, ties in header order).
func ParseAcceptLanguage(h string) []string {
	type lq struct {
		tag string
		q   float64
		i   int
	}
	var out []lq
	for i, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		tag, params, _ := strings.Cut(part, ";")
		q := 1.0
		if p := strings.TrimSpace(params); strings.HasPrefix(p, "q=") {
			var f float64
			if _, err := fmtSscan(p[2:], &f); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue
		}
		out = append(out, lq{strings.TrimSpace(tag), q, i})
	}
	// stable sort by q descending
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].q > out[j-1].q; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	tags := make([]string, len(out))
	for i, o := range out {
		tags[i] = o.tag
	}
	return tags
}
