package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store"
)

// The Assessment Results Profile scopes.
const (
	ScopeAssessmentRead   = "assessment.readonly"
	ScopeAssessmentPut    = "assessment.createput"
	ScopeAssessmentDelete = "assessment.delete"
)

// maxParentDepth bounds the walk up an assessment line item's parents when
// a write checks that it makes no cycle.
const maxParentDepth = 64

// arpCollection describes one Assessment Results Profile collection.
type arpCollection struct {
	path, single string
	kind         oneroster.Kind
}

var arpCollections = [...]arpCollection{
	{"assessmentLineItems", "assessmentLineItem", oneroster.KindAssessmentLineItem},
	{"assessmentResults", "assessmentResult", oneroster.KindAssessmentResult},
}

// arpRoutes adds the OneRoster 1.2 Assessment Results Profile to the 1.2
// gradebook service: for assessmentLineItems and assessmentResults, GET of
// the collection and of one record (assessment.readonly), PUT of one record
// and POST to the collection (assessment.createput), DELETE of one record
// (assessment.delete).
func (h *Handler) arpRoutes(g fiber.Router, ver version) {
	read := httpauth.Require(anyForm(ScopeAssessmentRead)...)
	put := httpauth.Require(anyForm(ScopeAssessmentPut)...)
	del := httpauth.Require(anyForm(ScopeAssessmentDelete)...)
	wrap := h.wrapper(ver)
	for _, b := range arpCollections {
		g.Get("/"+b.path, read, wrap(func(q req) error { return h.collection(q, b.kind, b.path, b.path, nil) }))
		g.Get("/"+b.path+"/:id", read, wrap(func(q req) error { return h.single(q, b.kind, b.single, nil) }))
		if h.Writer == nil {
			continue
		}
		g.Put("/"+b.path+"/:id", put, wrap(func(q req) error { return h.arpPut(q, b) }))
		g.Post("/"+b.path, put, wrap(func(q req) error { return h.arpPost(q, b) }))
		g.Delete("/"+b.path+"/:id", del, wrap(func(q req) error { return h.remove(q, b.kind) }))
	}
}

// arpIn is the body of an assessment line item or result write; the fields
// of both, as the profile names them.
type arpIn struct {
	SourcedID   string         `json:"sourcedId"`
	Status      string         `json:"status"`
	Metadata    map[string]any `json:"metadata"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Class       *refIn         `json:"class"`
	Parent      *refIn         `json:"parentAssessmentLineItem"`
	ScoreScale  *refIn         `json:"scoreScale"`
	// ResultValueMin and the other numbers are pointers: absent is not 0.
	ResultValueMin     *float64        `json:"resultValueMin"`
	ResultValueMax     *float64        `json:"resultValueMax"`
	AssessmentLineItem *refIn          `json:"assessmentLineItem"`
	Student            *refIn          `json:"student"`
	Score              *float64        `json:"score"`
	TextScore          string          `json:"textScore"`
	ScoreDate          string          `json:"scoreDate"`
	ScorePercentile    *float64        `json:"scorePercentile"`
	ScoreStatus        string          `json:"scoreStatus"`
	Comment            string          `json:"comment"`
	LearningObjectives json.RawMessage `json:"learningObjectiveSet"`
	InProgress         any             `json:"inProgress"`
	Incomplete         any             `json:"incomplete"`
	Late               any             `json:"late"`
	Missing            any             `json:"missing"`
}

// decodeARP decodes one record of a write body, naming the field of a type
// error.
func decodeARP(raw json.RawMessage, key string) (arpIn, error) {
	var in arpIn
	if err := json.Unmarshal(raw, &in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return arpIn{}, invalid("%s: %s must be a JSON %s", key, te.Field, jsonKind(te.Type.Kind().String()))
		}
		return arpIn{}, invalid("malformed %s", key)
	}
	return in, nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "float64", "int", "int64":
		return "number"
	case "map", "struct", "ptr":
		return "object"
	case "slice":
		return "array"
	default:
		return goKind
	}
}

// arpPut creates or replaces an assessment line item or result: 201 on
// create, 200 on update, with the record as stored.
func (h *Handler) arpPut(q req, b arpCollection) error {
	c := q.c
	body, err := server.DecodedBody(c, maxGradebookBody)
	if err != nil {
		return err
	}
	var wrapper map[string]json.RawMessage
	if err := json.Unmarshal(body, &wrapper); err != nil {
		return invalid("the body must be a JSON object {%q: {...}}", b.single)
	}
	raw, ok := wrapper[b.single]
	if !ok {
		return invalid("the body must be a JSON object {%q: {...}}", b.single)
	}
	in, err := decodeARP(raw, b.single)
	if err != nil {
		return err
	}
	id := c.Params("id")
	if in.SourcedID == "" {
		in.SourcedID = id
	}
	if in.SourcedID != id {
		return invalid("sourcedId: the sourcedId in the body differs from the one in the path")
	}
	ctx := c.UserContext()
	ch, err := h.arpChange(ctx, q.tenant, b.kind, &in)
	if err != nil {
		return err
	}
	// A record that was deleted and is PUT again is created again (201),
	// though the store keeps its tombstone's place and counts it updated.
	prev, err := h.Writer.Record(ctx, q.tenant, b.kind, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	revived := err == nil && prev.Status == oneroster.StatusToBeDeleted
	a, err := h.Writer.Apply(ctx, oneroster.Batch{Tenant: q.tenant, Now: h.now(), Rows: yieldAll([]oneroster.Change{ch})})
	if err != nil {
		return err
	}
	rec, err := h.Writer.Record(ctx, q.tenant, b.kind, id)
	if err != nil {
		return err
	}
	out, err := oneroster.Decode(rec)
	if err != nil {
		return err
	}
	if a.Counts[b.kind].Created > 0 || revived && a.Counts[b.kind].Updated > 0 {
		c.Status(http.StatusCreated)
	}
	js, err := json.Marshal(map[string]any{b.single: q.ver.render(out, nil)})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(js)
}

// arpPost creates the records of a body {"<collection>":[...]} or
// {"<single>":{...}} in one atomic step; each keeps its supplied sourcedId
// unless it is blank or already taken, when a new one is allocated. It
// answers 201 with the sourcedIdPairs; one invalid record refuses them all.
func (h *Handler) arpPost(q req, b arpCollection) error {
	c := q.c
	body, err := server.DecodedBody(c, maxGradebookBody)
	if err != nil {
		return err
	}
	var wrapper map[string]json.RawMessage
	if err := json.Unmarshal(body, &wrapper); err != nil {
		return invalid("the body must be a JSON object {%q: {...}}", b.single)
	}
	var ins []arpIn
	if raw, ok := wrapper[b.path]; ok {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return invalid("%s must be an array", b.path)
		}
		for _, r := range list {
			in, err := decodeARP(r, b.single)
			if err != nil {
				return err
			}
			ins = append(ins, in)
		}
	} else if raw, ok := wrapper[b.single]; ok {
		in, err := decodeARP(raw, b.single)
		if err != nil {
			return err
		}
		ins = append(ins, in)
	} else {
		return invalid("the body must be a JSON object {%q: {...}}", b.single)
	}
	if len(ins) == 0 || len(ins) > maxPostItems {
		return invalid("a POST creates 1 to %d %s", maxPostItems, b.path)
	}
	ctx := c.UserContext()
	pairs := make([]sourcedIDPair, 0, len(ins))
	chs := make([]oneroster.Change, 0, len(ins))
	taken := map[string]bool{}
	for i := range ins {
		in := &ins[i]
		supplied := in.SourcedID
		id, err := h.allocateID(ctx, q.tenant, b.kind, supplied, taken)
		if err != nil {
			return err
		}
		in.SourcedID = id
		ch, err := h.arpChange(ctx, q.tenant, b.kind, in)
		if err != nil {
			return err
		}
		chs = append(chs, ch)
		pairs = append(pairs, sourcedIDPair{Supplied: supplied, Allocated: id})
	}
	return h.applyPost(c, q, chs, pairs)
}

// extToken is an extension value of an extensible 1.2 vocabulary.
var extToken = regexp.MustCompile(`^ext:[a-zA-Z0-9.\-_]+$`)

// arpScoreStatuses is the profile's scoreStatus vocabulary (extensible).
var arpScoreStatuses = map[string]bool{"exempt": true, "fully graded": true, "not submitted": true, "partially graded": true, "submitted": true}

// objectiveSource checks a learningObjectiveSet source: "case", "unknown"
// or an extension.
func objectiveSource(field, v string) error {
	if v == "case" || v == "unknown" || extToken.MatchString(v) {
		return nil
	}
	return invalid("%s %q is not in the vocabulary (case, unknown or ext:…)", field, v)
}

// trueFalse checks a "true"/"false" flag (a JSON boolean is taken too).
func trueFalse(field string, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case string:
		if x == "true" || x == "false" {
			return x, nil
		}
	}
	return "", invalid("%s must be \"true\" or \"false\"", field)
}

// arpChange checks an assessment line item or result body (in.SourcedID set)
// and returns the change that stores it. Every problem is a 400 invaliddata
// naming the field.
func (h *Handler) arpChange(ctx context.Context, tenant string, kind oneroster.Kind, in *arpIn) (oneroster.Change, error) {
	if in.Status != "" && in.Status != string(oneroster.StatusActive) {
		return oneroster.Change{}, invalid("status %q: a write stores an active record (DELETE removes one)", in.Status)
	}
	live := func(field string, k oneroster.Kind, ref string) (oneroster.Record, error) {
		r, err := h.Writer.Record(ctx, tenant, k, ref)
		if errors.Is(err, store.ErrNotFound) || err == nil && r.Status == oneroster.StatusToBeDeleted {
			return r, invalid("%s: unknown %s %q", field, field, ref)
		}
		if err != nil {
			return r, fmt.Errorf("check %s: %w", field, err)
		}
		return r, nil
	}
	ref := func(field string, k oneroster.Kind, r *refIn) (string, error) {
		if r == nil {
			return "", nil
		}
		if r.SourcedID == "" {
			return "", invalid("%s.sourcedId is required", field)
		}
		_, err := live(field, k, r.SourcedID)
		return r.SourcedID, err
	}
	base := oneroster.Base{SourcedID: in.SourcedID, Status: oneroster.StatusActive}
	var e oneroster.Entity
	var err error
	switch kind {
	case oneroster.KindAssessmentLineItem:
		li := &oneroster.AssessmentLineItem{
			Base: base, Title: in.Title, Description: in.Description,
			ResultValueMin: in.ResultValueMin, ResultValueMax: in.ResultValueMax, Meta: in.Metadata,
		}
		if li.Title == "" {
			return oneroster.Change{}, invalid("title is required")
		}
		if li.Class, err = ref("class", oneroster.KindClass, in.Class); err != nil {
			return oneroster.Change{}, err
		}
		if li.ScoreScale, err = ref("scoreScale", oneroster.KindScoreScale, in.ScoreScale); err != nil {
			return oneroster.Change{}, err
		}
		if li.Parent, err = h.arpParent(ctx, tenant, in.SourcedID, in.Parent, live); err != nil {
			return oneroster.Change{}, err
		}
		if li.ResultValueMin != nil && li.ResultValueMax != nil && *li.ResultValueMin > *li.ResultValueMax {
			return oneroster.Change{}, invalid("resultValueMin is greater than resultValueMax")
		}
		if len(in.LearningObjectives) > 0 && string(in.LearningObjectives) != "null" {
			if err := json.Unmarshal(in.LearningObjectives, &li.LearningObjectives); err != nil {
				return oneroster.Change{}, invalid("learningObjectiveSet must be an array of {source, learningObjectiveIds}")
			}
		}
		for i, s := range li.LearningObjectives {
			if err := objectiveSource(fmt.Sprintf("learningObjectiveSet[%d].source", i), s.Source); err != nil {
				return oneroster.Change{}, err
			}
			if len(s.IDs) == 0 {
				return oneroster.Change{}, invalid("learningObjectiveSet[%d].learningObjectiveIds must not be empty", i)
			}
			for _, id := range s.IDs {
				if id == "" {
					return oneroster.Change{}, invalid("learningObjectiveSet[%d].learningObjectiveIds has an empty id", i)
				}
			}
		}
		e = li
	case oneroster.KindAssessmentResult:
		r := &oneroster.AssessmentResult{
			Base: base, Score: in.Score, TextScore: in.TextScore, ScorePercentile: in.ScorePercentile,
			ScoreStatus: in.ScoreStatus, Comment: in.Comment, Meta: in.Metadata,
		}
		if in.AssessmentLineItem == nil {
			return oneroster.Change{}, invalid("assessmentLineItem is required")
		}
		if r.AssessmentLineItem, err = ref("assessmentLineItem", oneroster.KindAssessmentLineItem, in.AssessmentLineItem); err != nil {
			return oneroster.Change{}, err
		}
		if r.Student, err = h.arpStudent(in.Student, live); err != nil {
			return oneroster.Change{}, err
		}
		if r.ScoreStatus == "" {
			return oneroster.Change{}, invalid("scoreStatus is required")
		}
		if !arpScoreStatuses[r.ScoreStatus] && !extToken.MatchString(r.ScoreStatus) {
			return oneroster.Change{}, invalid("scoreStatus %q is not in the vocabulary", r.ScoreStatus)
		}
		if r.ScoreDate, err = day("scoreDate", in.ScoreDate, true); err != nil {
			return oneroster.Change{}, err
		}
		if r.ScoreScale, err = ref("scoreScale", oneroster.KindScoreScale, in.ScoreScale); err != nil {
			return oneroster.Change{}, err
		}
		if p := r.ScorePercentile; p != nil && (*p < 0 || *p > 100) {
			return oneroster.Change{}, invalid("scorePercentile must be between 0 and 100")
		}
		for _, f := range []struct {
			name string
			v    any
			dst  *string
		}{{"inProgress", in.InProgress, &r.InProgress}, {"incomplete", in.Incomplete, &r.Incomplete}, {"late", in.Late, &r.Late}, {"missing", in.Missing, &r.Missing}} {
			if *f.dst, err = trueFalse(f.name, f.v); err != nil {
				return oneroster.Change{}, err
			}
		}
		if len(in.LearningObjectives) > 0 && string(in.LearningObjectives) != "null" {
			if err := json.Unmarshal(in.LearningObjectives, &r.LearningObjectives); err != nil {
				return oneroster.Change{}, invalid("learningObjectiveSet must be an array of {source, learningObjectiveResults}")
			}
		}
		for i, s := range r.LearningObjectives {
			if err := objectiveSource(fmt.Sprintf("learningObjectiveSet[%d].source", i), s.Source); err != nil {
				return oneroster.Change{}, err
			}
			if len(s.Results) == 0 {
				return oneroster.Change{}, invalid("learningObjectiveSet[%d].learningObjectiveResults must not be empty", i)
			}
			for _, lr := range s.Results {
				if lr.ID == "" {
					return oneroster.Change{}, invalid("learningObjectiveSet[%d].learningObjectiveResults needs a learningObjectiveId in every entry", i)
				}
			}
		}
		e = r
	default:
		return oneroster.Change{}, fmt.Errorf("assessment write of %s", kind)
	}
	return oneroster.ChangeOf(e)
}

// arpStudent checks a result's student: required, an active user holding
// the student role.
func (h *Handler) arpStudent(r *refIn, live func(string, oneroster.Kind, string) (oneroster.Record, error)) (string, error) {
	if r == nil || r.SourcedID == "" {
		return "", invalid("student is required")
	}
	rec, err := live("student", oneroster.KindUser, r.SourcedID)
	if err != nil {
		return "", err
	}
	e, err := oneroster.Decode(rec)
	if err != nil {
		return "", err
	}
	if u, ok := e.(*oneroster.User); !ok || !userHasRole(u, "student") {
		return "", invalid("student: user %q is not a student", r.SourcedID)
	}
	return r.SourcedID, nil
}

// arpParent checks a line item's parentAssessmentLineItem: an active
// assessment line item, and not the item itself or one of its descendants.
func (h *Handler) arpParent(ctx context.Context, tenant, id string, r *refIn, live func(string, oneroster.Kind, string) (oneroster.Record, error)) (string, error) {
	if r == nil {
		return "", nil
	}
	if r.SourcedID == "" {
		return "", invalid("parentAssessmentLineItem.sourcedId is required")
	}
	if r.SourcedID == id {
		return "", invalid("parentAssessmentLineItem: an assessment line item cannot be its own parent")
	}
	rec, err := live("parentAssessmentLineItem", oneroster.KindAssessmentLineItem, r.SourcedID)
	if err != nil {
		return "", err
	}
	for range maxParentDepth {
		e, err := oneroster.Decode(rec)
		if err != nil {
			return "", err
		}
		up := e.(*oneroster.AssessmentLineItem).Parent
		if up == "" {
			return r.SourcedID, nil
		}
		if up == id {
			return "", invalid("parentAssessmentLineItem: %q is under %q, which would make a cycle", r.SourcedID, id)
		}
		rec, err = h.Writer.Record(ctx, tenant, oneroster.KindAssessmentLineItem, up)
		if errors.Is(err, store.ErrNotFound) {
			return r.SourcedID, nil
		}
		if err != nil {
			return "", fmt.Errorf("check parentAssessmentLineItem: %w", err)
		}
	}
	return "", invalid("parentAssessmentLineItem: the chain of parents is deeper than %d", maxParentDepth)
}

// arpLineItemFields and arpResultFields are the fields the profile's
// collections accept in filter, sort and fields.
var (
	arpLineItemFields = []string{
		"title", "description", "class", "class.sourcedId", "parentAssessmentLineItem", "parentAssessmentLineItem.sourcedId",
		"scoreScale", "scoreScale.sourcedId", "resultValueMin", "resultValueMax",
		"learningObjectiveSet", "learningObjectiveSet.source", "learningObjectiveSet.learningObjectiveIds",
	}
	arpResultFields = []string{
		"assessmentLineItem", "assessmentLineItem.sourcedId", "student", "student.sourcedId", "score", "textScore", "scoreDate",
		"scoreScale", "scoreScale.sourcedId", "scorePercentile", "scoreStatus", "comment",
		"learningObjectiveSet", "learningObjectiveSet.source", "learningObjectiveSet.learningObjectiveResults",
		"learningObjectiveSet.learningObjectiveResults.learningObjectiveId", "inProgress", "incomplete", "late", "missing",
	}
)

// gbRef is a reference to a record of the gradebook service.
func (v version) gbRef(coll, typ, id string) *guidRef {
	if id == "" {
		return nil
	}
	return &guidRef{Href: v.gbBase + "/" + coll + "/" + id, SourcedID: id, Type: typ}
}

// renderAssessment returns the JSON object an assessment line item or
// result is served as (an empty one for any other record).
func (v version) renderAssessment(e oneroster.Entity) obj {
	switch r := e.(type) {
	case *oneroster.AssessmentLineItem:
		o := base(r.Base)
		if len(r.Meta) > 0 {
			o["metadata"] = r.Meta
		}
		o["title"] = r.Title
		o.opt("description", r.Description)
		if p := v.ref("classes", "class", r.Class); p != nil {
			o["class"] = p
		}
		if p := v.gbRef("assessmentLineItems", "assessmentLineItem", r.Parent); p != nil {
			o["parentAssessmentLineItem"] = p
		}
		if p := v.gbRef("scoreScales", "scoreScale", r.ScoreScale); p != nil {
			o["scoreScale"] = p
		}
		if r.ResultValueMin != nil {
			o["resultValueMin"] = *r.ResultValueMin
		}
		if r.ResultValueMax != nil {
			o["resultValueMax"] = *r.ResultValueMax
		}
		if len(r.LearningObjectives) > 0 {
			o["learningObjectiveSet"] = r.LearningObjectives
		}
		return o
	case *oneroster.AssessmentResult:
		o := base(r.Base)
		if len(r.Meta) > 0 {
			o["metadata"] = r.Meta
		}
		o["assessmentLineItem"] = v.gbRef("assessmentLineItems", "assessmentLineItem", r.AssessmentLineItem)
		o["student"] = v.ref("users", "user", r.Student)
		if r.Score != nil {
			o["score"] = *r.Score
		}
		o.opt("textScore", r.TextScore)
		o["scoreDate"] = r.ScoreDate
		if p := v.gbRef("scoreScales", "scoreScale", r.ScoreScale); p != nil {
			o["scoreScale"] = p
		}
		if r.ScorePercentile != nil {
			o["scorePercentile"] = *r.ScorePercentile
		}
		o["scoreStatus"] = r.ScoreStatus
		o.opt("comment", r.Comment)
		if len(r.LearningObjectives) > 0 {
			o["learningObjectiveSet"] = r.LearningObjectives
		}
		o.opt("inProgress", r.InProgress)
		o.opt("incomplete", r.Incomplete)
		o.opt("late", r.Late)
		o.opt("missing", r.Missing)
		return o
	}
	return obj{}
}
