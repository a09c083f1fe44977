package lrs

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// VerbVoided is the reserved verb of a voiding statement.
const VerbVoided = "http://adlnet.gov/expapi/verbs/voided"

// UsageSignature is the attachment usageType of a statement signature.
const UsageSignature = "http://adlnet.gov/expapi/attachments/signature"

var (
	// A statement's version is "1.0" or "1.0.x" (Data 2.4.10; ADL
	// configs/version.js, XAPI-00101 accepts "1.0"); 2.0 adds "2.0[.x]".
	reStmtVersionV1 = regexp.MustCompile(`^1\.0(\.[0-9]+)?$`)
	reStmtVersionV2 = regexp.MustCompile(`^(1|2)\.0(\.[0-9]+)?$`)
)

var interactionTypes = map[string]bool{
	"true-false": true, "choice": true, "fill-in": true, "long-fill-in": true, "matching": true,
	"performance": true, "sequencing": true, "likert": true, "numeric": true, "other": true,
}

// validator checks decoded statement JSON against the Data chapter of one
// xAPI version. It normalises in place where the specification tells the
// LRS to (contextActivities values become arrays, timestamps UTC).
type validator struct {
	v Version
}

type jsonObject = map[string]any

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// object asserts val is a JSON object (never null) and that it holds only
// the allowed keys.
func (x *validator) object(path string, val any, allowed ...string) (jsonObject, error) {
	m, ok := val.(jsonObject)
	if !ok {
		if val == nil {
			return nil, invalid(path, "must not be null")
		}
		return nil, invalid(path, "must be a JSON object")
	}
	bad := false
	for k, v := range m {
		if v == nil || !slices.Contains(allowed, k) {
			bad = true
			break
		}
	}
	if !bad {
		return m, nil
	}
	// Report the first offending key in a stable order.
	for _, k := range sortedKeys(m) {
		if !slices.Contains(allowed, k) {
			return nil, invalid(join(path, k), "is not a property allowed here (properties and their case are fixed by the specification)")
		}
		if m[k] == nil {
			return nil, invalid(join(path, k), "must not be null")
		}
	}
	return m, nil
}

func (x *validator) str(path string, val any) (string, error) {
	s, ok := val.(string)
	if !ok {
		return "", invalid(path, "must be a string")
	}
	return s, nil
}

func (x *validator) iri(path string, val any) (string, error) {
	s, err := x.str(path, val)
	if err != nil {
		return "", err
	}
	if !IsIRI(s) {
		return "", invalid(path, "must be an IRI with a scheme")
	}
	return s, nil
}

func (x *validator) uuid(path string, val any) (string, error) {
	s, err := x.str(path, val)
	if err != nil {
		return "", err
	}
	if !IsUUID(s) {
		return "", invalid(path, "must be a UUID in standard string form (RFC 4122)")
	}
	return s, nil
}

func (x *validator) boolean(path string, val any) error {
	if _, ok := val.(bool); !ok {
		return invalid(path, "must be a boolean")
	}
	return nil
}

func (x *validator) number(path string, val any) (float64, error) {
	n, ok := val.(json.Number)
	if !ok {
		return 0, invalid(path, "must be a number")
	}
	f, err := n.Float64()
	if err != nil {
		return 0, invalid(path, "must be a finite number")
	}
	return f, nil
}

func (x *validator) langMap(path string, val any) error {
	m, ok := val.(jsonObject)
	if !ok {
		return invalid(path, "must be a language map (JSON object)")
	}
	// An empty map carries no text. The specification does not say so in
	// the language map section, but the ADL conformance requirement
	// XAPI-00001 refuses properties set to an empty object, and the ADL
	// suite (configs/languages.js) expects 400 for an empty display, name
	// or description.
	if len(m) == 0 {
		return invalid(path, "a language map must have at least one entry")
	}
	for k, v := range m {
		if !IsLanguageTag(k) {
			return invalid(join(path, k), "key must be an RFC 5646 language tag")
		}
		if _, ok := v.(string); !ok {
			return invalid(join(path, k), "language map value must be a string")
		}
	}
	return nil
}

func (x *validator) extensions(path string, val any) error {
	m, ok := val.(jsonObject)
	if !ok {
		return invalid(path, "must be a JSON object")
	}
	for k := range m {
		if !IsIRI(k) {
			return invalid(path, "extension key %q must be an IRI", k)
		}
	}
	return nil // values are free, null included
}

func (x *validator) timestamp(path string, m jsonObject, key string) error {
	val, ok := m[key]
	if !ok {
		return nil
	}
	s, err := x.str(join(path, key), val)
	if err != nil {
		return err
	}
	if x.v == V2 {
		s = rfc3339Separator(s)
	}
	t, ok := ParseTimestamp(s)
	if !ok {
		return invalid(join(path, key), "must be an ISO 8601 timestamp (and not with offset -00:00)")
	}
	m[key] = FormatTime(t) // both versions return timestamps in UTC
	return nil
}

// rfc3339Separator rewrites the forms RFC 3339 (section 5.6, its NOTE)
// allows beside ISO 8601's: a space or a lower-case "t" between date and
// time, and a lower-case "z". xAPI 2.0 formats timestamps by RFC 3339 and the
// ADL 2.0 suite (configs/timestamps.js) expects "2008-09-15 15:53:00.601+00:00"
// to be accepted; 1.0.3 names ISO 8601 only, which needs the "T".
func rfc3339Separator(s string) string {
	if len(s) > 10 && (s[10] == ' ' || s[10] == 't') && s[4] == '-' {
		s = s[:10] + "T" + s[11:]
	}
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	return s
}

// statement validates a top-level statement.
func (x *validator) statement(val any) (jsonObject, error) {
	m, err := x.object("", val, "id", "actor", "verb", "object", "result", "context", "timestamp",
		"stored", "authority", "version", "attachments")
	if err != nil {
		if _, ok := val.(jsonObject); !ok {
			return nil, invalid("statement", "must be a JSON object")
		}
		return nil, err
	}
	if id, ok := m["id"]; ok {
		if _, err := x.uuid("id", id); err != nil {
			return nil, err
		}
	}
	if err := x.core("", m); err != nil {
		return nil, err
	}
	if err := x.timestamp("", m, "stored"); err != nil {
		return nil, err
	}
	if a, ok := m["authority"]; ok {
		if err := x.authority("authority", a); err != nil {
			return nil, err
		}
	}
	if v, ok := m["version"]; ok {
		s, err := x.str("version", v)
		if err != nil {
			return nil, err
		}
		re := reStmtVersionV1
		if x.v == V2 {
			re = reStmtVersionV2
		}
		if !re.MatchString(s) {
			return nil, invalid("version", "statement version %q is not accepted by this version of the API", s)
		}
	}
	return m, nil
}

// core validates what statements and SubStatements share.
func (x *validator) core(path string, m jsonObject) error {
	for _, k := range []string{"actor", "verb", "object"} {
		if _, ok := m[k]; !ok {
			return invalid(join(path, k), "is required")
		}
	}
	if err := x.actor(join(path, "actor"), m["actor"]); err != nil {
		return err
	}
	verbID, err := x.verb(join(path, "verb"), m["verb"])
	if err != nil {
		return err
	}
	objType, err := x.statementObject(join(path, "object"), m["object"], path != "")
	if err != nil {
		return err
	}
	if verbID == VerbVoided && objType != "StatementRef" {
		return invalid(join(path, "object"), "a voiding statement's object must be a StatementRef")
	}
	if r, ok := m["result"]; ok {
		if err := x.result(join(path, "result"), r); err != nil {
			return err
		}
	}
	if c, ok := m["context"]; ok {
		if err := x.context(join(path, "context"), c, objType); err != nil {
			return err
		}
	}
	if err := x.timestamp(path, m, "timestamp"); err != nil {
		return err
	}
	if a, ok := m["attachments"]; ok {
		if err := x.attachments(join(path, "attachments"), a); err != nil {
			return err
		}
	}
	return nil
}

var ifiKeys = []string{"mbox", "mbox_sha1sum", "openid", "account"}

// ifis validates the inverse functional identifiers present in m and
// returns how many there are.
func (x *validator) ifis(path string, m jsonObject) (int, error) {
	n := 0
	for _, k := range ifiKeys {
		val, ok := m[k]
		if !ok {
			continue
		}
		n++
		p := join(path, k)
		switch k {
		case "mbox":
			s, err := x.str(p, val)
			if err != nil {
				return 0, err
			}
			if !reMailto.MatchString(s) {
				return 0, invalid(p, "must be a mailto IRI (mailto:name@domain)")
			}
		case "mbox_sha1sum":
			s, err := x.str(p, val)
			if err != nil {
				return 0, err
			}
			if !reSHA1.MatchString(s) {
				return 0, invalid(p, "must be the hex SHA-1 of a mailto IRI")
			}
		case "openid":
			if _, err := x.iri(p, val); err != nil {
				return 0, err
			}
		case "account":
			a, err := x.object(p, val, "homePage", "name")
			if err != nil {
				return 0, err
			}
			hp, ok := a["homePage"]
			if !ok {
				return 0, invalid(join(p, "homePage"), "is required")
			}
			if _, err := x.iri(join(p, "homePage"), hp); err != nil {
				return 0, err
			}
			nm, ok := a["name"]
			if !ok {
				return 0, invalid(join(p, "name"), "is required")
			}
			if _, err := x.str(join(p, "name"), nm); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// actor validates an Agent or a Group (objectType optional for an Agent).
func (x *validator) actor(path string, val any) error {
	m, ok := val.(jsonObject)
	if !ok {
		if val == nil {
			return invalid(path, "must not be null")
		}
		return invalid(path, "must be an Agent or Group object")
	}
	ot, has := m["objectType"]
	if has {
		s, ok := ot.(string)
		if !ok {
			return invalid(join(path, "objectType"), "must be a string")
		}
		switch s {
		case "Agent":
		case "Group":
			return x.group(path, m)
		default:
			return invalid(join(path, "objectType"), "must be \"Agent\" or \"Group\"")
		}
	}
	return x.agent(path, m)
}

func (x *validator) agent(path string, val any) error {
	m, err := x.object(path, val, "objectType", "name", "mbox", "mbox_sha1sum", "openid", "account")
	if err != nil {
		return err
	}
	if ot, ok := m["objectType"]; ok && ot != "Agent" {
		return invalid(join(path, "objectType"), "must be \"Agent\"")
	}
	if nm, ok := m["name"]; ok {
		if _, err := x.str(join(path, "name"), nm); err != nil {
			return err
		}
	}
	n, err := x.ifis(path, m)
	if err != nil {
		return err
	}
	if n != 1 {
		return invalid(path, "an Agent must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account), found %d", n)
	}
	return nil
}

func (x *validator) group(path string, val any) error {
	m, err := x.object(path, val, "objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account")
	if err != nil {
		return err
	}
	if m["objectType"] != "Group" {
		return invalid(join(path, "objectType"), "must be \"Group\"")
	}
	if nm, ok := m["name"]; ok {
		if _, err := x.str(join(path, "name"), nm); err != nil {
			return err
		}
	}
	n, err := x.ifis(path, m)
	if err != nil {
		return err
	}
	if n > 1 {
		return invalid(path, "a Group must not have more than one inverse functional identifier")
	}
	mem, hasMembers := m["member"]
	if n == 0 && !hasMembers {
		return invalid(join(path, "member"), "an anonymous Group must list its members")
	}
	if hasMembers {
		arr, ok := mem.([]any)
		if !ok {
			return invalid(join(path, "member"), "must be an array of Agents")
		}
		if n == 0 && len(arr) == 0 {
			return invalid(join(path, "member"), "an anonymous Group must have at least one member")
		}
		for i, a := range arr {
			p := index(join(path, "member"), i)
			if am, ok := a.(jsonObject); ok {
				if ot, ok := am["objectType"]; ok && ot == "Group" {
					return invalid(p, "a Group's members must be Agents, not Groups")
				}
			}
			if err := x.agent(p, a); err != nil {
				return err
			}
		}
	}
	return nil
}

func (x *validator) authority(path string, val any) error {
	if err := x.actor(path, val); err != nil {
		return err
	}
	m := val.(jsonObject)
	if m["objectType"] == "Group" {
		// Data 2.4.9: a Group authority is the OAuth pair (consumer and
		// user), so an anonymous Group of exactly two Agents; the ADL
		// suite (configs/authorities.js, XAPI-00098) refuses an identified
		// one even with two members.
		for _, k := range ifiKeys {
			if _, ok := m[k]; ok {
				return invalid(join(path, k), "an authority Group must be an anonymous Group (no inverse functional identifier)")
			}
		}
		mem, _ := m["member"].([]any)
		if len(mem) != 2 {
			return invalid(join(path, "member"), "an authority Group must have exactly two Agents (OAuth consumer and user)")
		}
	}
	return nil
}

func (x *validator) verb(path string, val any) (string, error) {
	m, err := x.object(path, val, "id", "display")
	if err != nil {
		return "", err
	}
	id, ok := m["id"]
	if !ok {
		return "", invalid(join(path, "id"), "is required")
	}
	s, err := x.iri(join(path, "id"), id)
	if err != nil {
		return "", err
	}
	if d, ok := m["display"]; ok {
		if err := x.langMap(join(path, "display"), d); err != nil {
			return "", err
		}
	}
	return s, nil
}

// statementObject validates the object of a statement or SubStatement and
// returns its objectType.
func (x *validator) statementObject(path string, val any, inSub bool) (string, error) {
	m, ok := val.(jsonObject)
	if !ok {
		if val == nil {
			return "", invalid(path, "must not be null")
		}
		return "", invalid(path, "must be a JSON object")
	}
	ot := "Activity"
	if v, ok := m["objectType"]; ok {
		s, ok := v.(string)
		if !ok {
			return "", invalid(join(path, "objectType"), "must be a string")
		}
		ot = s
	}
	switch ot {
	case "Activity":
		return ot, x.activity(path, m)
	case "Agent":
		return ot, x.agent(path, m)
	case "Group":
		return ot, x.group(path, m)
	case "StatementRef":
		return ot, x.statementRef(path, m)
	case "SubStatement":
		if inSub {
			return "", invalid(join(path, "objectType"), "a SubStatement must not contain a SubStatement")
		}
		sm, err := x.object(path, m, "objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments")
		if err != nil {
			return "", err
		}
		return ot, x.core(path, sm)
	default:
		return "", invalid(join(path, "objectType"), "must be one of Activity, Agent, Group, SubStatement, StatementRef")
	}
}

func (x *validator) statementRef(path string, val any) error {
	m, err := x.object(path, val, "objectType", "id")
	if err != nil {
		return err
	}
	if m["objectType"] != "StatementRef" {
		return invalid(join(path, "objectType"), "must be \"StatementRef\"")
	}
	id, ok := m["id"]
	if !ok {
		return invalid(join(path, "id"), "is required")
	}
	_, err = x.uuid(join(path, "id"), id)
	return err
}

func (x *validator) activity(path string, val any) error {
	m, err := x.object(path, val, "objectType", "id", "definition")
	if err != nil {
		return err
	}
	if ot, ok := m["objectType"]; ok && ot != "Activity" {
		return invalid(join(path, "objectType"), "must be \"Activity\"")
	}
	id, ok := m["id"]
	if !ok {
		return invalid(join(path, "id"), "is required")
	}
	if _, err := x.iri(join(path, "id"), id); err != nil {
		return err
	}
	if d, ok := m["definition"]; ok {
		return x.definition(join(path, "definition"), d)
	}
	return nil
}

var componentKeys = []string{"choices", "scale", "source", "target", "steps"}

func (x *validator) definition(path string, val any) error {
	m, err := x.object(path, val, "name", "description", "type", "moreInfo", "extensions",
		"interactionType", "correctResponsesPattern", "choices", "scale", "source", "target", "steps")
	if err != nil {
		return err
	}
	for _, k := range []string{"name", "description"} {
		if v, ok := m[k]; ok {
			if err := x.langMap(join(path, k), v); err != nil {
				return err
			}
		}
	}
	for _, k := range []string{"type", "moreInfo"} {
		if v, ok := m[k]; ok {
			if _, err := x.iri(join(path, k), v); err != nil {
				return err
			}
		}
	}
	if v, ok := m["extensions"]; ok {
		if err := x.extensions(join(path, "extensions"), v); err != nil {
			return err
		}
	}
	it, hasType := m["interactionType"]
	if hasType {
		s, err := x.str(join(path, "interactionType"), it)
		if err != nil {
			return err
		}
		if !interactionTypes[s] {
			return invalid(join(path, "interactionType"), "must be one of the interaction types of the specification")
		}
	}
	if v, ok := m["correctResponsesPattern"]; ok {
		if !hasType {
			return invalid(join(path, "interactionType"), "is required when correctResponsesPattern is present")
		}
		arr, ok := v.([]any)
		if !ok {
			return invalid(join(path, "correctResponsesPattern"), "must be an array of strings")
		}
		for i, e := range arr {
			if _, err := x.str(index(join(path, "correctResponsesPattern"), i), e); err != nil {
				return err
			}
		}
	}
	for _, k := range componentKeys {
		v, ok := m[k]
		if !ok {
			continue
		}
		if !hasType {
			return invalid(join(path, "interactionType"), "is required when %s is present", k)
		}
		arr, ok := v.([]any)
		if !ok {
			return invalid(join(path, k), "must be an array of interaction components")
		}
		seen := map[string]bool{}
		for i, e := range arr {
			p := index(join(path, k), i)
			c, err := x.object(p, e, "id", "description")
			if err != nil {
				return err
			}
			idv, ok := c["id"]
			if !ok {
				return invalid(join(p, "id"), "is required")
			}
			id, err := x.str(join(p, "id"), idv)
			if err != nil {
				return err
			}
			if seen[id] {
				return invalid(join(p, "id"), "interaction component ids must be distinct within a list")
			}
			seen[id] = true
			if d, ok := c["description"]; ok {
				if err := x.langMap(join(p, "description"), d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (x *validator) result(path string, val any) error {
	m, err := x.object(path, val, "score", "success", "completion", "response", "duration", "extensions")
	if err != nil {
		return err
	}
	if s, ok := m["score"]; ok {
		if err := x.score(join(path, "score"), s); err != nil {
			return err
		}
	}
	for _, k := range []string{"success", "completion"} {
		if v, ok := m[k]; ok {
			if err := x.boolean(join(path, k), v); err != nil {
				return err
			}
		}
	}
	if v, ok := m["response"]; ok {
		if _, err := x.str(join(path, "response"), v); err != nil {
			return err
		}
	}
	if v, ok := m["duration"]; ok {
		s, err := x.str(join(path, "duration"), v)
		if err != nil {
			return err
		}
		if !IsDuration(s) {
			return invalid(join(path, "duration"), "must be an ISO 8601 duration")
		}
	}
	if v, ok := m["extensions"]; ok {
		return x.extensions(join(path, "extensions"), v)
	}
	return nil
}

func (x *validator) score(path string, val any) error {
	m, err := x.object(path, val, "scaled", "raw", "min", "max")
	if err != nil {
		return err
	}
	nums := map[string]float64{}
	for _, k := range []string{"scaled", "raw", "min", "max"} {
		if v, ok := m[k]; ok {
			f, err := x.number(join(path, k), v)
			if err != nil {
				return err
			}
			nums[k] = f
		}
	}
	if s, ok := nums["scaled"]; ok && (s < -1 || s > 1) {
		return invalid(join(path, "scaled"), "must be between -1 and 1")
	}
	lo, hasMin := nums["min"]
	hi, hasMax := nums["max"]
	if hasMin && hasMax && !(lo < hi) {
		return invalid(join(path, "max"), "must be greater than min")
	}
	if r, ok := nums["raw"]; ok {
		if hasMin && r < lo {
			return invalid(join(path, "raw"), "must not be less than min")
		}
		if hasMax && r > hi {
			return invalid(join(path, "raw"), "must not be greater than max")
		}
	}
	return nil
}

func (x *validator) context(path string, val any, objType string) error {
	allowed := []string{
		"registration", "instructor", "team", "contextActivities", "revision", "platform",
		"language", "statement", "extensions",
	}
	if x.v == V2 {
		allowed = append(allowed, "contextAgents", "contextGroups")
	}
	m, err := x.object(path, val, allowed...)
	if err != nil {
		return err
	}
	if v, ok := m["registration"]; ok {
		if _, err := x.uuid(join(path, "registration"), v); err != nil {
			return err
		}
	}
	if v, ok := m["instructor"]; ok {
		if err := x.actor(join(path, "instructor"), v); err != nil {
			return err
		}
	}
	if v, ok := m["team"]; ok {
		tm, ok := v.(jsonObject)
		if !ok || tm["objectType"] != "Group" {
			return invalid(join(path, "team"), "must be a Group (objectType \"Group\")")
		}
		if err := x.group(join(path, "team"), tm); err != nil {
			return err
		}
	}
	if v, ok := m["contextActivities"]; ok {
		ca, err := x.object(join(path, "contextActivities"), v, "parent", "grouping", "category", "other")
		if err != nil {
			return err
		}
		// The ADL 1.0.3 suite (configs/contexts.js, "contains one or more
		// key/value pairs") refuses an empty contextActivities object; the
		// 2.0 text has no such rule and the 2.0 suite dropped the check, so
		// only 1.0.x refuses it.
		if len(ca) == 0 && x.v == V1 {
			return invalid(join(path, "contextActivities"), "must hold at least one of parent, grouping, category or other")
		}
		for k, e := range ca {
			p := join(join(path, "contextActivities"), k)
			arr, isArr := e.([]any)
			if !isArr {
				arr = []any{e}
				ca[k] = arr // the LRS returns every value as an array
			}
			for i, a := range arr {
				if err := x.activity(index(p, i), a); err != nil {
					return err
				}
			}
		}
	}
	for _, k := range []string{"revision", "platform"} {
		if v, ok := m[k]; ok {
			if _, err := x.str(join(path, k), v); err != nil {
				return err
			}
			if objType != "Activity" {
				return invalid(join(path, k), "must only be used when the statement's object is an Activity")
			}
		}
	}
	if v, ok := m["language"]; ok {
		s, err := x.str(join(path, "language"), v)
		if err != nil {
			return err
		}
		if !IsLanguageTag(s) {
			return invalid(join(path, "language"), "must be an RFC 5646 language tag")
		}
	}
	if v, ok := m["statement"]; ok {
		if err := x.statementRef(join(path, "statement"), v); err != nil {
			return err
		}
	}
	if v, ok := m["extensions"]; ok {
		if err := x.extensions(join(path, "extensions"), v); err != nil {
			return err
		}
	}
	if v, ok := m["contextAgents"]; ok {
		if err := x.contextParticipants(join(path, "contextAgents"), v, "contextAgent", "agent"); err != nil {
			return err
		}
	}
	if v, ok := m["contextGroups"]; ok {
		if err := x.contextParticipants(join(path, "contextGroups"), v, "contextGroup", "group"); err != nil {
			return err
		}
	}
	return nil
}

// contextParticipants validates xAPI 2.0 contextAgents / contextGroups.
func (x *validator) contextParticipants(path string, val any, objectType, key string) error {
	arr, ok := val.([]any)
	if !ok {
		return invalid(path, "must be an array of %s objects", objectType)
	}
	for i, e := range arr {
		p := index(path, i)
		m, err := x.object(p, e, "objectType", key, "relevantTypes")
		if err != nil {
			return err
		}
		if m["objectType"] != objectType {
			return invalid(join(p, "objectType"), "must be %q", objectType)
		}
		who, ok := m[key]
		if !ok {
			return invalid(join(p, key), "is required")
		}
		if key == "agent" {
			wm, _ := who.(jsonObject)
			if wm != nil && wm["objectType"] == "Group" {
				return invalid(join(p, key), "must be an Agent")
			}
			if err := x.agent(join(p, key), who); err != nil {
				return err
			}
		} else {
			wm, _ := who.(jsonObject)
			if wm == nil || wm["objectType"] != "Group" {
				return invalid(join(p, key), "must be a Group (objectType \"Group\")")
			}
			if err := x.group(join(p, key), wm); err != nil {
				return err
			}
		}
		if rt, ok := m["relevantTypes"]; ok {
			ra, ok := rt.([]any)
			if !ok || len(ra) == 0 {
				return invalid(join(p, "relevantTypes"), "must be a non-empty array of IRIs")
			}
			for j, t := range ra {
				if _, err := x.iri(index(join(p, "relevantTypes"), j), t); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (x *validator) attachments(path string, val any) error {
	arr, ok := val.([]any)
	if !ok {
		return invalid(path, "must be an array of Attachment objects")
	}
	for i, e := range arr {
		p := index(path, i)
		m, err := x.object(p, e, "usageType", "display", "description", "contentType", "length", "sha2", "fileUrl")
		if err != nil {
			return err
		}
		for _, k := range []string{"usageType", "display", "contentType", "length", "sha2"} {
			if _, ok := m[k]; !ok {
				return invalid(join(p, k), "is required")
			}
		}
		if _, err := x.iri(join(p, "usageType"), m["usageType"]); err != nil {
			return err
		}
		if err := x.langMap(join(p, "display"), m["display"]); err != nil {
			return err
		}
		if d, ok := m["description"]; ok {
			if err := x.langMap(join(p, "description"), d); err != nil {
				return err
			}
		}
		ct, err := x.str(join(p, "contentType"), m["contentType"])
		if err != nil {
			return err
		}
		if !reMediaType.MatchString(ct) {
			return invalid(join(p, "contentType"), "must be an Internet Media Type")
		}
		n, ok := m["length"].(json.Number)
		if !ok {
			return invalid(join(p, "length"), "must be an integer")
		}
		if l, err := n.Int64(); err != nil || l < 0 {
			return invalid(join(p, "length"), "must be a non-negative integer")
		}
		sha, err := x.str(join(p, "sha2"), m["sha2"])
		if err != nil {
			return err
		}
		if !reSHA2.MatchString(sha) {
			return invalid(join(p, "sha2"), "must be the hex SHA-2 hash of the attachment")
		}
		if u, ok := m["fileUrl"]; ok {
			if _, err := x.iri(join(p, "fileUrl"), u); err != nil {
				return err
			}
		}
	}
	return nil
}

// sortedKeys returns m's keys in order (for deterministic error reporting).
func sortedKeys(m jsonObject) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
