package lrs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Statement is one validated statement ready to store. Raw holds its
// canonical JSON exactly as the LRS will return it with format=exact, minus
// the "stored" property (and "timestamp" when the client sent none), which
// the store adds with WithStored when it assigns the stored time, so that
// stored times grow in commit order.
type Statement struct {
	ID uuid.UUID
	// Raw is the canonical JSON object without "stored".
	Raw []byte
	// HasTimestamp says whether Raw already holds "timestamp"; when false
	// the timestamp is the stored time.
	HasTimestamp bool
	// Timestamp is the statement's timestamp when HasTimestamp.
	Timestamp time.Time
	// Hash is the hex SHA-256 of the statement's immutable content: two
	// statements with the same id and the same Hash are the same statement
	// (xAPI Data 2.3.1 comparison rules).
	Hash string
	// VerbID is verb.id.
	VerbID string
	// VoidTarget is the id of the statement this one voids, when it is a
	// voiding statement.
	VoidTarget *uuid.UUID
	// RefTarget is the id of the statement this one targets with a
	// StatementRef object (voiding or not); queries match a statement whose
	// target matches (Communication 2.1.3, filter conditions for StatementRefs).
	RefTarget *uuid.UUID
	// Registration is context.registration (lowercase), or "".
	Registration string
	// Actor holds the IFI keys matched by the agent parameter: the actor and
	// an Agent or Group object.
	Agents []string
	// RelatedAgents holds every IFI key matched by related_agents=true.
	RelatedAgents []string
	// Activity is the object's activity id, or "".
	Activity string
	// RelatedActivities holds every activity id matched by related_activities=true.
	RelatedActivities []string
	// Authority is the IFI key of the statement's authority.
	Authority string
	// Definitions holds the activity definitions the statement carries, by
	// activity id, as canonical JSON.
	Definitions map[string][]byte
	// Attachments lists the statement's attachment metadata; on ingest
	// KeepSentAttachments narrows it to the attachments whose data came with
	// the request, which are the ones the store links to the statement.
	Attachments []AttachmentMeta
}

// AttachmentMeta is one entry of a statement's "attachments" array.
type AttachmentMeta struct {
	UsageType   string
	ContentType string
	Length      int64
	SHA2        string
	FileURL     string
}

// WithStored returns the statement JSON with "stored" (and, when the client
// sent no timestamp, "timestamp") set to t.
func (s *Statement) WithStored(t time.Time) []byte {
	ts := FormatTime(t)
	var b bytes.Buffer
	b.Grow(len(s.Raw) + 64)
	b.Write(s.Raw[:len(s.Raw)-1])
	b.WriteString(`,"stored":"`)
	b.WriteString(ts)
	b.WriteByte('"')
	if !s.HasTimestamp {
		b.WriteString(`,"timestamp":"`)
		b.WriteString(ts)
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.Bytes()
}

// ParseStatements decodes and validates a statements request body under the
// rules of version v: one statement object, or (when array is true) an array
// of them. Nothing is stored; a single invalid statement fails the batch.
func ParseStatements(body []byte, v Version, array bool) ([]jsonObject, error) {
	val, err := decodeJSON(body)
	if err != nil {
		return nil, invalid("body", "must be valid JSON: %v", err)
	}
	var items []any
	switch t := val.(type) {
	case []any:
		if !array {
			return nil, invalid("body", "must be a single statement object")
		}
		if len(t) == 0 {
			return nil, invalid("body", "must hold at least one statement")
		}
		items = t
	default:
		items = []any{val}
	}
	x := &validator{v: v}
	out := make([]jsonObject, 0, len(items))
	for i, it := range items {
		m, err := x.statement(it)
		if err != nil {
			var ve *ValidationError
			if len(items) > 1 && asValidation(err, &ve) {
				return nil, &ValidationError{Field: fmt.Sprintf("statements[%d].%s", i, ve.Field), Reason: ve.Reason}
			}
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// ValidateStatement validates one decoded statement (used for the JWS
// payload of a signed statement).
func ValidateStatement(body []byte, v Version) (map[string]any, error) {
	ss, err := ParseStatements(body, v, false)
	if err != nil {
		return nil, err
	}
	return ss[0], nil
}

func asValidation(err error, ve **ValidationError) bool {
	return errors.As(err, ve)
}

// Prepared is what the LRS sets on a statement it accepts.
type Prepared struct {
	// Authority is the Agent object of the credential that sent the statement.
	Authority map[string]any
	// Version is the request's version family.
	Version Version
}

// Prepare sets the LRS-owned properties (id if absent, authority, version)
// on a validated statement and computes its index fields and canonical JSON.
func Prepare(m map[string]any, p Prepared) (*Statement, error) {
	s := &Statement{}
	if id, ok := m["id"].(string); ok {
		u, err := uuid.Parse(id)
		if err != nil {
			return nil, invalid("id", "must be a UUID")
		}
		s.ID = u
	} else {
		s.ID = newStatementID()
	}
	m["id"] = s.ID.String()
	if p.Authority != nil {
		m["authority"] = p.Authority
	}
	if _, ok := m["version"]; !ok {
		m["version"] = p.Version.StatementVersion()
	}
	delete(m, "stored")
	if ts, ok := m["timestamp"].(string); ok {
		t, _ := ParseTimestamp(ts)
		s.HasTimestamp, s.Timestamp = true, t
	}
	raw, err := encodeJSON(m)
	if err != nil {
		return nil, err
	}
	s.Raw = raw
	h, err := comparisonHash(m)
	if err != nil {
		return nil, err
	}
	s.Hash = h
	s.index(m)
	return s, nil
}

// comparisonHash hashes the parts of a statement that are immutable: it
// leaves out what the LRS may assign (id, authority, stored, timestamp,
// version), activity definitions and verb displays (Data 2.3.1), and treats
// group members as unordered.
//
// It writes the canonical JSON of stripForCompare(m, true) straight from m,
// without building the stripped copy (the copy was a tenth of the ingest
// allocations); TestComparisonHashStreaming holds the two to the same bytes.
func comparisonHash(m map[string]any) (string, error) {
	b, err := appendCompare(make([]byte, 0, 2048), m, true)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// appendCompare appends appendCanonical(stripForCompare(v, top)) without
// building the stripped value; see stripForCompare for the rules.
func appendCompare(b []byte, v any, top bool) ([]byte, error) {
	switch t := v.(type) {
	case map[string]any:
		_, hasID := t["id"].(string)
		keys := make([]string, 0, len(t))
		for k := range t {
			if top && (k == "id" || k == "authority" || k == "stored" || k == "timestamp" || k == "version") {
				continue
			}
			if hasID && (k == "definition" || k == "display") {
				continue
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			e := t[k]
			var err error
			switch k {
			case "extensions":
				b, err = appendCanonical(b, e)
			case "member":
				arr, ok := e.([]any)
				if !ok {
					b, err = appendCompare(b, e, false)
					break
				}
				enc := make([]string, 0, len(arr))
				for _, a := range arr {
					mb, _ := appendCompare(nil, a, false)
					enc = append(enc, string(mb))
				}
				sort.Strings(enc)
				b, err = appendCanonical(b, enc)
			case "mbox":
				if s, ok := e.(string); ok {
					b = appendString(b, normalizeMbox(s))
					break
				}
				b, err = appendCompare(b, e, false)
			default:
				b, err = appendCompare(b, e, false)
			}
			if err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendCompare(b, e, false); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	default:
		return appendCanonical(b, v)
	}
}

func stripForCompare(v any, top bool) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if top && (k == "id" || k == "authority" || k == "stored" || k == "timestamp" || k == "version") {
				continue
			}
			switch k {
			case "definition":
				if _, isActivity := t["id"].(string); isActivity {
					continue
				}
			case "display":
				if _, isVerb := t["id"].(string); isVerb {
					continue
				}
			case "extensions":
				out[k] = e
				continue
			case "member":
				if arr, ok := e.([]any); ok {
					enc := make([]string, 0, len(arr))
					for _, a := range arr {
						b, _ := appendCanonical(nil, stripForCompare(a, false))
						enc = append(enc, string(b))
					}
					sort.Strings(enc)
					out[k] = enc
					continue
				}
			case "mbox":
				if s, ok := e.(string); ok {
					out[k] = normalizeMbox(s)
					continue
				}
			}
			out[k] = stripForCompare(e, false)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = stripForCompare(e, false)
		}
		return out
	default:
		return v
	}
}

// normalizeMbox lowercases the domain of a mailto IRI (it is case-insensitive).
func normalizeMbox(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s
	}
	return s[:at] + strings.ToLower(s[at:])
}

// AgentKey returns the IFI key that identifies an Agent or identified Group
// (the form used for agent filters and document keys), or "" for an
// anonymous Group.
func AgentKey(m map[string]any) string {
	if s, ok := m["mbox"].(string); ok {
		return "mbox:" + normalizeMbox(s)
	}
	if s, ok := m["mbox_sha1sum"].(string); ok {
		return "mbox_sha1sum:" + strings.ToLower(s)
	}
	if s, ok := m["openid"].(string); ok {
		return "openid:" + s
	}
	if a, ok := m["account"].(map[string]any); ok {
		hp, _ := a["homePage"].(string)
		nm, _ := a["name"].(string)
		return "account:" + hp + "|" + nm
	}
	return ""
}

// newStatementID is the id the LRS gives a statement that has none: a
// time-ordered UUID (version 7), so that such statements append to the
// store's id index instead of each landing on a random page of it.
func newStatementID() uuid.UUID {
	if u, err := uuid.NewV7(); err == nil {
		return u
	}
	return uuid.New()
}

func addKey(list *[]string, k string) {
	if k != "" && !slices.Contains(*list, k) {
		*list = append(*list, k)
	}
}

// addActorKeys adds the key of an Agent or identified Group and, for any
// Group, the keys of its members: the agent filter matches a Group whose
// members include the Agent (Communication 2.1.3, "agent").
func addActorKeys(list *[]string, a map[string]any) {
	addKey(list, AgentKey(a))
	if a["objectType"] != "Group" {
		return
	}
	members, _ := a["member"].([]any)
	for _, m := range members {
		if mm, ok := m.(map[string]any); ok {
			addKey(list, AgentKey(mm))
		}
	}
}

func (s *Statement) index(m map[string]any) {
	verb, _ := m["verb"].(map[string]any)
	s.VerbID, _ = verb["id"].(string)
	s.Definitions = map[string][]byte{}
	if ctx, ok := m["context"].(map[string]any); ok {
		if r, ok := ctx["registration"].(string); ok {
			s.Registration = strings.ToLower(r)
		}
	}
	if a, ok := m["authority"].(map[string]any); ok {
		s.Authority = AgentKey(a)
		addKey(&s.RelatedAgents, s.Authority)
	}
	actor, _ := m["actor"].(map[string]any)
	addActorKeys(&s.Agents, actor)
	obj, _ := m["object"].(map[string]any)
	switch obj["objectType"] {
	case "Agent", "Group":
		addActorKeys(&s.Agents, obj)
	case "StatementRef":
		if u, err := uuid.Parse(obj["id"].(string)); err == nil {
			s.RefTarget = &u
			if s.VerbID == VerbVoided {
				s.VoidTarget = &u
			}
		}
	case nil, "Activity":
		s.Activity, _ = obj["id"].(string)
	}
	for _, k := range s.Agents {
		addKey(&s.RelatedAgents, k)
	}
	s.related(m)
	if atts, ok := m["attachments"].([]any); ok {
		for _, a := range atts {
			am, _ := a.(map[string]any)
			meta := AttachmentMeta{}
			meta.UsageType, _ = am["usageType"].(string)
			meta.ContentType, _ = am["contentType"].(string)
			if n, ok := am["length"].(json.Number); ok {
				meta.Length, _ = n.Int64()
			}
			meta.SHA2, _ = am["sha2"].(string)
			meta.FileURL, _ = am["fileUrl"].(string)
			s.Attachments = append(s.Attachments, meta)
		}
	}
}

// related walks a statement or SubStatement for related agents/activities.
func (s *Statement) related(m map[string]any) {
	if actor, ok := m["actor"].(map[string]any); ok {
		addActorKeys(&s.RelatedAgents, actor)
	}
	obj, _ := m["object"].(map[string]any)
	switch obj["objectType"] {
	case "Agent", "Group":
		addActorKeys(&s.RelatedAgents, obj)
	case "SubStatement":
		s.related(obj)
	case nil, "Activity":
		if id, ok := obj["id"].(string); ok {
			addKey(&s.RelatedActivities, id)
			s.addDefinition(obj)
		}
	}
	ctx, _ := m["context"].(map[string]any)
	if ctx == nil {
		return
	}
	for _, k := range []string{"instructor", "team"} {
		if a, ok := ctx[k].(map[string]any); ok {
			addActorKeys(&s.RelatedAgents, a)
		}
	}
	if ca, ok := ctx["contextActivities"].(map[string]any); ok {
		for _, k := range sortedKeys(ca) {
			arr, _ := ca[k].([]any)
			for _, a := range arr {
				am, _ := a.(map[string]any)
				if id, ok := am["id"].(string); ok {
					addKey(&s.RelatedActivities, id)
					s.addDefinition(am)
				}
			}
		}
	}
	for _, k := range []string{"contextAgents", "contextGroups"} {
		arr, _ := ctx[k].([]any)
		for _, e := range arr {
			em, _ := e.(map[string]any)
			for _, who := range []string{"agent", "group"} {
				if a, ok := em[who].(map[string]any); ok {
					addActorKeys(&s.RelatedAgents, a)
				}
			}
		}
	}
}

func (s *Statement) addDefinition(activity map[string]any) {
	d, ok := activity["definition"].(map[string]any)
	if !ok {
		return
	}
	id, _ := activity["id"].(string)
	if b, err := encodeJSON(d); err == nil {
		if prev, ok := s.Definitions[id]; ok {
			b = MergeDefinition(prev, b)
		}
		s.Definitions[id] = b
	}
}

// MergeDefinition merges a newer activity definition into an older one:
// language maps (name, description) are merged language by language, every
// other property present in the newer one replaces the older.
func MergeDefinition(old, newer []byte) []byte {
	if bytes.Equal(old, newer) {
		return old
	}
	o, err1 := decodeJSON(old)
	n, err2 := decodeJSON(newer)
	om, ok1 := o.(map[string]any)
	nm, ok2 := n.(map[string]any)
	if err1 != nil || err2 != nil || !ok1 || !ok2 {
		return newer
	}
	for k, v := range nm {
		if k == "name" || k == "description" {
			if prev, ok := om[k].(map[string]any); ok {
				if nv, ok := v.(map[string]any); ok {
					for l, s := range nv {
						prev[l] = s
					}
					continue
				}
			}
		}
		om[k] = v
	}
	b, err := encodeJSON(om)
	if err != nil {
		return newer
	}
	return b
}

// IndexKeys re-derives the index keys of a stored statement from its JSON
// (used to remove its index rows); ok is false when raw is not a statement
// object.
func IndexKeys(raw []byte) (*Statement, bool) {
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	s := &Statement{}
	s.index(m)
	return s, true
}
