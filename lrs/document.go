package lrs

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // xAPI document ETags are SHA-1 of the content by convention
	"encoding/hex"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/passportbridge/passport/store"
)

// DocKind names a document resource.
type DocKind string

const (
	// KindState is the State resource (activities/state).
	KindState DocKind = "state"
	// KindActivityProfile is the Activity Profile resource (activities/profile).
	KindActivityProfile DocKind = "activity_profile"
	// KindAgentProfile is the Agent Profile resource (agents/profile).
	KindAgentProfile DocKind = "agent_profile"
)

// DocumentKey locates a document (ID set) or a set of documents (ID empty)
// inside one tenant.
type DocumentKey struct {
	Kind DocKind
	// ActivityID is activityId (State, Activity Profile).
	ActivityID string
	// Agent is the IFI key (AgentKey) of agent (State, Agent Profile).
	Agent string
	// Registration is the lowercase registration UUID of a State, or "".
	Registration string
	// ID is stateId or profileId.
	ID string
}

// Document is one stored document.
type Document struct {
	Key         DocumentKey
	ContentType string
	Content     []byte
	// ETag is the quoted hex SHA-1 of Content.
	ETag    string
	Updated time.Time
}

// ETagOf returns the quoted hex SHA-1 of content.
func ETagOf(content []byte) string {
	sum := sha1.Sum(content) //nolint:gosec // see import
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// Precondition holds a request's If-Match and If-None-Match headers.
type Precondition struct {
	// IfMatch lists the entity tags of If-Match ("*" means any); nil when absent.
	IfMatch []string
	// IfNoneMatch lists the entity tags of If-None-Match; nil when absent.
	IfNoneMatch []string
}

// ParsePrecondition parses If-Match and If-None-Match header values.
func ParsePrecondition(ifMatch, ifNoneMatch string) Precondition {
	split := func(h string) []string {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil
		}
		var out []string
		for _, p := range strings.Split(h, ",") {
			p = strings.TrimSpace(p)
			if p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	return Precondition{IfMatch: split(ifMatch), IfNoneMatch: split(ifNoneMatch)}
}

// Any reports whether either header was given.
func (p Precondition) Any() bool { return p.IfMatch != nil || p.IfNoneMatch != nil }

func etagIn(list []string, etag string) bool {
	for _, e := range list {
		if e == "*" || e == etag || strings.TrimPrefix(e, "W/") == etag {
			return true
		}
		// Accept an unquoted tag from lenient clients.
		if `"`+e+`"` == etag {
			return true
		}
	}
	return false
}

// Check evaluates the precondition against the current document (nil when
// none exists), as RFC 7232 says: a failing If-Match or If-None-Match is
// store.ErrPrecondition (412).
func (p Precondition) Check(current *Document) error {
	if p.IfMatch != nil {
		if current == nil || !etagIn(p.IfMatch, current.ETag) {
			return fmt.Errorf("if-match: %w", store.ErrPrecondition)
		}
	}
	if p.IfNoneMatch != nil && current != nil {
		if etagIn(p.IfNoneMatch, current.ETag) {
			return fmt.Errorf("if-none-match: %w", store.ErrPrecondition)
		}
	}
	return nil
}

// WriteMode says how a document write combines with what exists.
type WriteMode int

const (
	// ModePut replaces the document.
	ModePut WriteMode = iota
	// ModePost merges JSON objects, or stores when absent.
	ModePost
)

// Write is one document write request, evaluated by Apply inside the
// store's atomic read-modify-write.
type Write struct {
	Version      Version
	Mode         WriteMode
	Precondition Precondition
	Doc          Document
}

// errNeedPrecondition (wrapping store.ErrConflict) is returned when a PUT
// without If-Match or If-None-Match targets an existing document.
var errNeedPrecondition = fmt.Errorf("a PUT to an existing document needs If-Match or If-None-Match: %w", store.ErrConflict)

// Apply computes the document to store for w given the current document
// (nil when absent). It enforces the xAPI concurrency rules: preconditions
// (412), PUT over an existing document without a precondition (409: in 1.0.3
// for the profile resources, in 2.0 for every document resource), and the
// POST merge of JSON objects (400 when either side is not a JSON object).
func Apply(w Write, current *Document, now time.Time) (Document, error) {
	if err := w.Precondition.Check(current); err != nil {
		return Document{}, err
	}
	if w.Mode == ModePut && current != nil && !w.Precondition.Any() {
		if w.Version == V2 || w.Doc.Key.Kind != KindState {
			return Document{}, errNeedPrecondition
		}
	}
	d := w.Doc
	if w.Mode == ModePost && current != nil {
		merged, err := MergeJSON(current, d)
		if err != nil {
			return Document{}, err
		}
		d.Content, d.ContentType = merged, "application/json"
	} else if w.Mode == ModePost && IsJSONType(d.ContentType) {
		if _, ok := asObject(d.Content); !ok {
			return Document{}, invalid("body", "a JSON document sent with POST must be a JSON object")
		}
	}
	d.ETag = ETagOf(d.Content)
	d.Updated = now
	return d, nil
}

// IsJSONType reports whether a Content-Type is application/json.
func IsJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

func asObject(b []byte) (map[string]any, bool) {
	v, err := decodeJSON(bytes.TrimSpace(b))
	if err != nil {
		return nil, false
	}
	m, ok := v.(map[string]any)
	return m, ok
}

// MergeJSON merges the posted document into the current one: both must be
// JSON objects; the posted top-level properties replace the current ones.
func MergeJSON(current *Document, posted Document) ([]byte, error) {
	if !IsJSONType(posted.ContentType) || !IsJSONType(current.ContentType) {
		return nil, invalid("Content-Type", "POST merges only JSON documents (application/json) into JSON documents")
	}
	cm, ok := asObject(current.Content)
	if !ok {
		return nil, invalid("body", "the existing document is not a JSON object, so it cannot be merged")
	}
	pm, ok := asObject(posted.Content)
	if !ok {
		return nil, invalid("body", "a JSON document sent with POST must be a JSON object")
	}
	for k, v := range pm {
		cm[k] = v
	}
	return encodeJSON(cm)
}
