package lrs

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// MaxLimit is the most statements one page holds; limit=0 means this.
const MaxLimit = 500

// Cursor is the position after which the next page starts: the (stored, id)
// of the last statement returned. Stored times only grow, so pages stay
// stable while writes go on.
type Cursor struct {
	Stored time.Time `json:"s"`
	ID     uuid.UUID `json:"i"`
}

// Query is a parsed GET /statements request.
type Query struct {
	StatementID       *uuid.UUID `json:"sid,omitempty"`
	VoidedStatementID *uuid.UUID `json:"vid,omitempty"`
	// Agent is the IFI key (AgentKey) of the agent parameter.
	Agent             string    `json:"ag,omitempty"`
	Verb              string    `json:"vb,omitempty"`
	Activity          string    `json:"ac,omitempty"`
	Registration      string    `json:"rg,omitempty"`
	RelatedActivities bool      `json:"ra,omitempty"`
	RelatedAgents     bool      `json:"rag,omitempty"`
	Since             time.Time `json:"si,omitzero"`
	Until             time.Time `json:"un,omitzero"`
	// Limit is the page size, 1..MaxLimit.
	Limit       int     `json:"l"`
	Format      Format  `json:"f,omitempty"`
	Attachments bool    `json:"at,omitempty"`
	Ascending   bool    `json:"as,omitempty"`
	After       *Cursor `json:"c,omitempty"`
	// Authority, when set, restricts results to statements whose authority
	// has this IFI key (statements/read/mine). Set by the caller, never
	// taken from the request.
	Authority string `json:"-"`
	// IncludeVoided returns voided statements too (export). Set by the
	// caller, never taken from the request.
	IncludeVoided bool `json:"-"`
}

var queryParams = map[string]bool{
	"statementId": true, "voidedStatementId": true, "agent": true, "verb": true, "activity": true,
	"registration": true, "related_activities": true, "related_agents": true, "since": true,
	"until": true, "limit": true, "format": true, "attachments": true, "ascending": true,
}

// ParseQuery validates the parameters of GET /statements (xAPI
// Communication 2.1.3) under version v. The "more" parameter carries an
// opaque continuation from a previous page.
func ParseQuery(q url.Values, v Version) (Query, error) {
	if more, ok := q["more"]; ok {
		if len(q) != 1 || len(more) != 1 {
			return Query{}, invalid("more", "must be the only parameter")
		}
		return DecodeMore(more[0])
	}
	out := Query{Limit: MaxLimit, Format: FormatExact}
	for k, vals := range q {
		if !queryParams[k] {
			return Query{}, invalid(k, "is not a parameter of the statements resource")
		}
		if len(vals) != 1 {
			return Query{}, invalid(k, "must be given once")
		}
	}
	get := func(k string) (string, bool) {
		v, ok := q[k]
		if !ok {
			return "", false
		}
		return v[0], true
	}
	x := &validator{v: v}
	parseBool := func(k string) (bool, error) {
		s, ok := get(k)
		if !ok {
			return false, nil
		}
		switch s {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return false, invalid(k, "must be true or false")
	}
	for _, k := range []string{"statementId", "voidedStatementId"} {
		s, ok := get(k)
		if !ok {
			continue
		}
		if !IsUUID(s) {
			return Query{}, invalid(k, "must be a UUID")
		}
		u := uuid.MustParse(s)
		if k == "statementId" {
			out.StatementID = &u
		} else {
			out.VoidedStatementID = &u
		}
	}
	if out.StatementID != nil || out.VoidedStatementID != nil {
		for k := range q {
			if k != "statementId" && k != "voidedStatementId" && k != "attachments" && k != "format" {
				return Query{}, invalid(k, "must not be used with statementId or voidedStatementId")
			}
		}
		if out.StatementID != nil && out.VoidedStatementID != nil {
			return Query{}, invalid("voidedStatementId", "must not be used with statementId")
		}
	}
	if s, ok := get("agent"); ok {
		key, err := ParseAgentParam("agent", s, v)
		if err != nil {
			return Query{}, err
		}
		out.Agent = key
	}
	for _, k := range []string{"verb", "activity"} {
		if s, ok := get(k); ok {
			if _, err := x.iri(k, s); err != nil {
				return Query{}, err
			}
			if k == "verb" {
				out.Verb = s
			} else {
				out.Activity = s
			}
		}
	}
	if s, ok := get("registration"); ok {
		if !IsUUID(s) {
			return Query{}, invalid("registration", "must be a UUID")
		}
		out.Registration = uuid.MustParse(s).String()
	}
	for _, k := range []string{"since", "until"} {
		if s, ok := get(k); ok {
			t, ok := ParseTimestamp(s)
			if !ok {
				return Query{}, invalid(k, "must be an ISO 8601 timestamp")
			}
			if k == "since" {
				out.Since = t.UTC()
			} else {
				out.Until = t.UTC()
			}
		}
	}
	if s, ok := get("limit"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return Query{}, invalid("limit", "must be a non-negative integer")
		}
		if n > 0 && n < MaxLimit {
			out.Limit = n
		}
	}
	if s, ok := get("format"); ok {
		switch Format(s) {
		case FormatExact, FormatIDs, FormatCanonical:
			out.Format = Format(s)
		default:
			return Query{}, invalid("format", "must be ids, exact or canonical")
		}
	}
	var err error
	if out.Attachments, err = parseBool("attachments"); err != nil {
		return Query{}, err
	}
	if out.Ascending, err = parseBool("ascending"); err != nil {
		return Query{}, err
	}
	if out.RelatedActivities, err = parseBool("related_activities"); err != nil {
		return Query{}, err
	}
	if out.RelatedAgents, err = parseBool("related_agents"); err != nil {
		return Query{}, err
	}
	return out, nil
}

// ParseAgentParam validates an agent given as JSON in a request parameter
// (an Agent or identified Group) and returns its IFI key.
func ParseAgentParam(name, s string, v Version) (string, error) {
	val, err := decodeJSON([]byte(s))
	if err != nil {
		return "", invalid(name, "must be an Agent as JSON")
	}
	x := &validator{v: v}
	if err := x.actor(name, val); err != nil {
		return "", err
	}
	key := AgentKey(val.(map[string]any))
	if key == "" {
		return "", invalid(name, "must identify an Agent or identified Group by one inverse functional identifier")
	}
	return key, nil
}

// EncodeMore returns the opaque continuation token for the page after c.
func EncodeMore(q Query, c Cursor) string {
	q.After = &c
	q.Authority = ""
	q.IncludeVoided = false
	b, _ := json.Marshal(q)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeMore parses a continuation token made by EncodeMore.
func DecodeMore(tok string) (Query, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) > 8192 {
		return Query{}, invalid("more", "is not a continuation this LRS issued")
	}
	var q Query
	if err := json.Unmarshal(b, &q); err != nil || q.After == nil || q.Limit < 1 || q.Limit > MaxLimit {
		return Query{}, invalid("more", "is not a continuation this LRS issued")
	}
	switch q.Format {
	case FormatExact, FormatIDs, FormatCanonical:
	default:
		return Query{}, invalid("more", "is not a continuation this LRS issued")
	}
	return q, nil
}
