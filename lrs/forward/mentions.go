package forward

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/passportbridge/passport/lrs"
)

// Mentions reports whether the statement JSON raw names the agent with
// IFI key agentKey (lrs.AgentKey) in any Agent or Group object anywhere
// in it: actor, object, Group members, context instructor, team,
// contextAgents and contextGroups, SubStatements and authority. Erasure
// uses it, so that a learner who appears only as a member of an anonymous
// Group (which the query indexes do not hold) is found too.
func Mentions(raw []byte, agentKey string) (bool, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false, err
	}
	return mentions(v, agentKey), nil
}

func mentions(v any, key string) bool {
	switch t := v.(type) {
	case map[string]any:
		if k := lrs.AgentKey(t); k != "" && k == key {
			return true
		}
		for _, e := range t {
			if mentions(e, key) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if mentions(e, key) {
				return true
			}
		}
	}
	return false
}

// ScanToken returns a lowercase string that the lowercased JSON of every
// statement mentioning agentKey contains, for stores to pre-filter a scan
// cheaply before Mentions decides; "" when there is none to rely on
// (then every statement must be checked).
func ScanToken(agentKey string) string {
	kind, val, ok := strings.Cut(agentKey, ":")
	if !ok {
		return ""
	}
	switch kind {
	case "mbox":
		// The domain's case varies, the local part is kept as sent.
		if at := strings.LastIndexByte(val, '@'); at > 0 {
			val = val[:at]
		}
	case "account":
		if _, name, ok := strings.Cut(val, "|"); ok {
			val = name
		}
	}
	// JSON encoders may escape these, and stores lowercase only ASCII:
	// a raw match could miss them, so scan everything instead.
	if val == "" || strings.ContainsAny(val, "<>&\"\\") ||
		strings.ContainsFunc(val, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
		return ""
	}
	return strings.ToLower(val)
}
