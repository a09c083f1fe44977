package forward

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/lrs"
)

// Filter picks the statements a rule forwards. Each non-empty list must
// match (they are ANDed); within a list any entry may match (ORed). An
// empty Filter forwards everything.
type Filter struct {
	// Verbs are verb ids (exact IRIs).
	Verbs []string
	// Activities are activity ids matched against the statement's object
	// when it is an Activity.
	Activities []string
	// Actors are IFI keys (lrs.AgentKey) matched against the actor, an
	// identified Group actor's members included.
	Actors []string
}

// Empty reports whether f forwards everything.
func (f Filter) Empty() bool {
	return len(f.Verbs) == 0 && len(f.Activities) == 0 && len(f.Actors) == 0
}

// facts is what forwarding reads from one stored statement.
type facts struct {
	verb       string
	activity   string
	actors     []string
	voidTarget *uuid.UUID
	// v2 says the statement declares a 2.0.x version.
	v2 bool
}

// statementFacts decodes the parts of a stored statement that filters and
// version routing need.
func statementFacts(raw []byte) (facts, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return facts{}, err
	}
	var f facts
	version, _ := m["version"].(string)
	f.v2 = strings.HasPrefix(version, "2.")
	verb, _ := m["verb"].(map[string]any)
	f.verb, _ = verb["id"].(string)
	actor, _ := m["actor"].(map[string]any)
	if k := lrs.AgentKey(actor); k != "" {
		f.actors = append(f.actors, k)
	}
	if members, ok := actor["member"].([]any); ok {
		for _, mem := range members {
			if mm, ok := mem.(map[string]any); ok {
				if k := lrs.AgentKey(mm); k != "" {
					f.actors = append(f.actors, k)
				}
			}
		}
	}
	obj, _ := m["object"].(map[string]any)
	id, _ := obj["id"].(string)
	switch obj["objectType"] {
	case nil, "Activity":
		f.activity = id
	case "StatementRef":
		if f.verb == lrs.VerbVoided {
			if u, err := uuid.Parse(id); err == nil {
				f.voidTarget = &u
			}
		}
	}
	return f, nil
}

// match reports whether f passes the filter; ignoreVerb skips the verb
// list (used for voiding statements whose target is unknown).
func (flt Filter) match(f facts, ignoreVerb bool) bool {
	if !ignoreVerb && len(flt.Verbs) > 0 && !slices.Contains(flt.Verbs, f.verb) {
		return false
	}
	if len(flt.Activities) > 0 && !slices.Contains(flt.Activities, f.activity) {
		return false
	}
	if len(flt.Actors) > 0 && !slices.ContainsFunc(f.actors, func(k string) bool { return slices.Contains(flt.Actors, k) }) {
		return false
	}
	return true
}
