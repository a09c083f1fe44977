package lrshttp

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/lrs"
)

// Launch tokens (auth.Principal.Bound) are what launched content holds: a
// bearer token bound to one learner (the agent) and one registration. The
// LRS lets such a principal
//   - write statements only with that learner as actor (an Agent, not a
//     Group) and, when the statement has a context.registration, only that
//     registration; it may not void (a voiding statement names another
//     statement, which may be anyone's);
//   - read only statements of that learner in that registration which it
//     (some launch token of the tenant) wrote: statements/read/mine plus
//     the agent and registration filters, forced;
//   - keep State documents only for that learner, and only in that
//     registration when one is given;
//   - name no other agent or registration in any parameter (403).
// Any refusal is a 403 before anything is stored.

// errLaunchScope is the 403 a launch token gets for acting outside its
// learner and registration.
func errLaunchScope(msg string) error {
	return httperr.New(http.StatusForbidden, msg).WithCode("forbidden")
}

// launchBound wraps a route's scope check: for a launch principal it first
// refuses requests whose agent or registration parameter names another
// learner or registration. Malformed parameters pass on, so the resource
// answers them with its own 400.
func (h *Handler) launchBound(next fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := httpauth.Principal(c)
		if !p.Bound() {
			return next(c)
		}
		qv, err := queryValues(c)
		if err != nil {
			return err
		}
		for _, a := range qv["agent"] {
			if key, err := lrs.ParseAgentParam("agent", a, version(c)); err == nil && key != p.Agent {
				return errLaunchScope("this launch credential acts only for the learner it was issued for")
			}
		}
		for _, r := range qv["registration"] {
			if lrs.IsUUID(r) && !strings.EqualFold(r, p.Registration) {
				return errLaunchScope("this launch credential acts only in the registration it was issued for")
			}
		}
		return next(c)
	}
}

// launchStatement checks one statement (as sent) that principal p wants to
// store; nil when p is not a launch principal.
func launchStatement(p auth.Principal, m map[string]any) error {
	if !p.Bound() {
		return nil
	}
	actor, _ := m["actor"].(map[string]any)
	if ot, _ := actor["objectType"].(string); ot != "" && ot != "Agent" || lrs.AgentKey(actor) != p.Agent {
		return errLaunchScope("this launch credential may only store statements whose actor is the learner it was issued for")
	}
	if verb, _ := m["verb"].(map[string]any); verb["id"] == lrs.VerbVoided {
		return errLaunchScope("this launch credential may not void statements")
	}
	if ctx, ok := m["context"].(map[string]any); ok {
		if reg, ok := ctx["registration"].(string); ok && !strings.EqualFold(reg, p.Registration) {
			return errLaunchScope("this launch credential may only store statements of the registration it was issued for")
		}
	}
	return nil
}

// launchQuery forces a statements query of a launch principal to its
// learner and registration; a query (or a crafted "more" continuation)
// naming others is a 403. nil when p is not a launch principal.
func launchQuery(p auth.Principal, q *lrs.Query) error {
	if !p.Bound() {
		return nil
	}
	if q.Agent != "" && q.Agent != p.Agent || q.Registration != "" && !strings.EqualFold(q.Registration, p.Registration) {
		return errLaunchScope("this launch credential reads only the statements of its learner and registration")
	}
	q.Agent, q.Registration = p.Agent, p.Registration
	return nil
}

// launchReadable reports whether a launch principal may read the stored
// statement raw: its actor is the learner and its registration the bound
// one. Always true for other principals.
func launchReadable(p auth.Principal, raw []byte) bool {
	if !p.Bound() {
		return true
	}
	var s struct {
		Actor   map[string]any `json:"actor"`
		Context *struct {
			Registration string `json:"registration"`
		} `json:"context"`
	}
	if json.Unmarshal(raw, &s) != nil || s.Actor == nil || s.Context == nil {
		return false
	}
	return lrs.AgentKey(s.Actor) == p.Agent && strings.EqualFold(s.Context.Registration, p.Registration)
}
