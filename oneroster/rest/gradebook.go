package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store"
)

// Gradebook scopes.
const (
	ScopeGradebookRead     = "gradebook.readonly"
	ScopeGradebookCoreRead = "gradebook-core.readonly"
	ScopeGradebookPut      = "gradebook.createput"
	ScopeGradebookDelete   = "gradebook.delete"
)

// Writer is the part of the roster store gradebook writes need.
type Writer interface {
	Apply(ctx context.Context, b oneroster.Batch) (oneroster.Applied, error)
	Record(ctx context.Context, tenant string, kind oneroster.Kind, sourcedID string) (oneroster.Record, error)
}

// maxGradebookBody bounds a gradebook PUT body.
const maxGradebookBody = 256 << 10

// gradebookRoutes adds the gradebook collections, singles, PUT and DELETE.
func (h *Handler) gradebookRoutes(g fiber.Router, ver version) {
	read := httpauth.Require(anyForm(ScopeGradebookRead, ScopeGradebookCoreRead)...)
	put := httpauth.Require(anyForm(ScopeGradebookPut)...)
	del := httpauth.Require(anyForm(ScopeGradebookDelete)...)
	wrap := func(fn func(q req) error) fiber.Handler {
		return func(c *fiber.Ctx) error {
			return fn(h.newReq(c, ver))
		}
	}
	for _, b := range []struct {
		path, single string
		kind         oneroster.Kind
	}{
		{"categories", "category", oneroster.KindCategory},
		{"lineItems", "lineItem", oneroster.KindLineItem},
		{"results", "result", oneroster.KindResult},
	} {
		g.Get("/"+b.path, read, wrap(func(q req) error { return h.collection(q, b.kind, b.path, b.path, nil) }))
		g.Get("/"+b.path+"/:id", read, wrap(func(q req) error { return h.single(q, b.kind, b.single, nil) }))
		if h.Writer != nil {
			g.Put("/"+b.path+"/:id", put, wrap(func(q req) error { return h.put(q, b.kind, b.single) }))
			g.Delete("/"+b.path+"/:id", del, wrap(func(q req) error { return h.remove(q, b.kind) }))
		}
	}
	if ver.name == v12.name {
		h.scoreScaleRoutes(g, ver, read, put, del)
		h.postRoutes(g, ver)
	}
	sub := func(path string, kind oneroster.Kind, key string, pred func(q req) func(oneroster.Entity) bool) {
		g.Get(path, read, wrap(func(q req) error { return h.collection(q, kind, key, "", pred(q)) }))
	}
	sub("/classes/:class/categories", oneroster.KindCategory, "categories", func(q req) func(oneroster.Entity) bool {
		offered := h.classCategories(q, q.c.Params("class"))
		return func(e oneroster.Entity) bool { return offered(e.(*oneroster.Category).SourcedID) }
	})
	sub("/classes/:class/lineItems", oneroster.KindLineItem, "lineItems", func(q req) func(oneroster.Entity) bool {
		id := q.c.Params("class")
		return func(e oneroster.Entity) bool { return e.(*oneroster.LineItem).Class == id }
	})
	sub("/classes/:class/results", oneroster.KindResult, "results", func(q req) func(oneroster.Entity) bool {
		items := h.classLineItems(q, q.c.Params("class"))
		return func(e oneroster.Entity) bool { return items[e.(*oneroster.Result).LineItem] }
	})
	sub("/classes/:class/lineItems/:li/results", oneroster.KindResult, "results", func(q req) func(oneroster.Entity) bool {
		items := h.classLineItems(q, q.c.Params("class"))
		li := q.c.Params("li")
		return func(e oneroster.Entity) bool { return items[li] && e.(*oneroster.Result).LineItem == li }
	})
	sub("/classes/:class/students/:student/results", oneroster.KindResult, "results", func(q req) func(oneroster.Entity) bool {
		items := h.classLineItems(q, q.c.Params("class"))
		s := q.c.Params("student")
		return func(e oneroster.Entity) bool {
			r := e.(*oneroster.Result)
			return items[r.LineItem] && r.Student == s
		}
	})
	sub("/lineItems/:li/results", oneroster.KindResult, "results", func(q req) func(oneroster.Entity) bool {
		li := q.c.Params("li")
		return func(e oneroster.Entity) bool { return e.(*oneroster.Result).LineItem == li }
	})
}

func (h *Handler) classLineItems(q req, class string) map[string]bool {
	out := map[string]bool{}
	v, err := h.view(q, oneroster.KindLineItem)
	if err != nil {
		return out
	}
	for _, e := range v.ents {
		if li := e.(*oneroster.LineItem); li.Class == class {
			out[li.SourcedID] = true
		}
	}
	return out
}

// classCategories reports which categories /classes/{id}/categories lists:
// those the class's active line items use, plus every category no active
// line item uses yet. A category carries no class in OneRoster, so a new
// class, with no line items, still offers the tenant's categories; Google's
// grade sync reads the first one to create its first line item (R44). The
// default category of another class is never offered.
func (h *Handler) classCategories(q req, class string) func(id string) bool {
	of, used := map[string]bool{}, map[string]bool{}
	v, err := h.view(q, oneroster.KindLineItem)
	if err != nil {
		return func(string) bool { return false }
	}
	for _, e := range v.ents {
		li := e.(*oneroster.LineItem)
		if li.Status == oneroster.StatusToBeDeleted || li.Category == "" {
			continue
		}
		used[li.Category] = true
		if li.Class == class {
			of[li.Category] = true
		}
	}
	// A class's default category (oneroster.DefaultCategoryID) belongs to
	// that class: it is not offered to the others even when unused.
	var classes map[string]int
	if cv, err := h.view(q, oneroster.KindClass); err == nil {
		classes = cv.byID
	}
	otherDefault := func(id string) bool {
		owner, ok := strings.CutSuffix(id, oneroster.DefaultCategoryID(""))
		if !ok || owner == class {
			return false
		}
		_, isClass := classes[owner]
		return isClass
	}
	return func(id string) bool { return of[id] || (!used[id] && !otherDefault(id)) }
}

// invalid is a 400 with codeMinor invaliddata.
func invalid(f string, a ...any) error {
	return httperr.New(http.StatusBadRequest, fmt.Sprintf(f, a...)).WithCode("invaliddata")
}

type refIn struct {
	SourcedID string `json:"sourcedId"`
}

func (r *refIn) id() string {
	if r == nil {
		return ""
	}
	return r.SourcedID
}

type gradebookIn struct {
	SourcedID       string   `json:"sourcedId"`
	Status          string   `json:"status"`
	Title           string   `json:"title"`
	Weight          *float64 `json:"weight"`
	Description     string   `json:"description"`
	AssignDate      string   `json:"assignDate"`
	DueDate         string   `json:"dueDate"`
	Class           *refIn   `json:"class"`
	Category        *refIn   `json:"category"`
	GradingPeriod   *refIn   `json:"gradingPeriod"`
	AcademicSession *refIn   `json:"academicSession"`
	School          *refIn   `json:"school"`
	ResultValueMin  *float64 `json:"resultValueMin"`
	ResultValueMax  *float64 `json:"resultValueMax"`
	LineItem        *refIn   `json:"lineItem"`
	Student         *refIn   `json:"student"`
	ScoreStatus     string   `json:"scoreStatus"`
	Score           *float64 `json:"score"`
	TextScore       string   `json:"textScore"`
	ScoreDate       string   `json:"scoreDate"`
	Comment         string   `json:"comment"`
	// 1.2 score scales.
	Type            string                      `json:"type"`
	Course          *refIn                      `json:"course"`
	Org             *refIn                      `json:"org"`
	ScoreScale      *refIn                      `json:"scoreScale"`
	ScoreScaleValue []oneroster.ScoreScaleValue `json:"scoreScaleValue"`
}

var dayRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)

// day accepts a date or a datetime and keeps its date.
func day(field, v string, required bool) (string, error) {
	if v == "" {
		if required {
			return "", invalid("%s is required", field)
		}
		return "", nil
	}
	if !dayRE.MatchString(v) {
		return "", invalid("%s must be a date or datetime", field)
	}
	if _, err := time.Parse(time.DateOnly, v[:10]); err != nil {
		return "", invalid("%s must be a date or datetime", field)
	}
	return v[:10], nil
}

var scoreStatuses = map[string]bool{"exempt": true, "fully graded": true, "not submitted": true, "partially graded": true, "submitted": true}

// put creates or replaces a gradebook record: 201 on create, 200 on update.
func (h *Handler) put(q req, kind oneroster.Kind, key string) error {
	c := q.c
	body, err := server.DecodedBody(c, maxGradebookBody)
	if err != nil {
		return err
	}
	var wrapper map[string]json.RawMessage
	if err := json.Unmarshal(body, &wrapper); err != nil {
		return invalid("the body must be a JSON object {%q: {...}}", key)
	}
	raw, ok := wrapper[key]
	if !ok {
		return invalid("the body must be a JSON object {%q: {...}}", key)
	}
	var in gradebookIn
	if err := json.Unmarshal(raw, &in); err != nil {
		return invalid("malformed %s", key)
	}
	id := c.Params("id")
	if in.SourcedID == "" {
		in.SourcedID = id
	}
	if in.SourcedID != id {
		return invalid("the sourcedId in the body differs from the one in the path")
	}
	ctx := c.UserContext()
	chs, err := h.gradebookChanges(ctx, q, kind, &in)
	if err != nil {
		return err
	}
	a, err := h.Writer.Apply(ctx, oneroster.Batch{Tenant: q.tenant, Now: h.now(), Rows: yieldAll(chs)})
	if err != nil {
		return err
	}
	rec, err := h.Writer.Record(ctx, q.tenant, kind, id)
	if err != nil {
		return err
	}
	out, err := oneroster.Decode(rec)
	if err != nil {
		return err
	}
	if a.Counts[kind].Created > 0 {
		c.Status(http.StatusCreated)
	}
	var links map[string][]string
	if ss := in.ScoreScale.id(); ss != "" && q.ver.name == v12.name {
		links = map[string][]string{id: {ss}}
	}
	b, err := json.Marshal(map[string]any{key: q.ver.render(out, links)})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(b)
}

// yieldAll streams changes as a batch's rows.
func yieldAll(chs []oneroster.Change) func(yield func(oneroster.Change) error) error {
	return func(yield func(oneroster.Change) error) error {
		for _, ch := range chs {
			if err := yield(ch); err != nil {
				return err
			}
		}
		return nil
	}
}

// scaleLinkID is the sourcedId of the link a REST write of a line item or
// result keeps to its score scale (1.2 scoreScale reference).
func scaleLinkID(id string) string { return id + "-scoreScale" }

// gradebookChanges checks a gradebook body (in.SourcedID set) and returns
// the changes that store it: the record, and in 1.2 the link to its score
// scale (or the link's removal when the body names none).
func (h *Handler) gradebookChanges(ctx context.Context, q req, kind oneroster.Kind, in *gradebookIn) ([]oneroster.Change, error) {
	var err error
	exists := func(k oneroster.Kind, ref string) error {
		r, err := h.Writer.Record(ctx, q.tenant, k, ref)
		if errors.Is(err, store.ErrNotFound) || err == nil && r.Status == oneroster.StatusToBeDeleted {
			return invalid("unknown %s %q", strings.TrimSuffix(string(k), "s"), ref)
		}
		return err
	}
	refs := func(m map[oneroster.Kind]string) error {
		for _, k := range oneroster.AllKinds() {
			if ref := m[k]; ref != "" {
				if err := exists(k, ref); err != nil {
					return err
				}
			}
		}
		return nil
	}
	id := in.SourcedID
	base := oneroster.Base{SourcedID: id, Status: oneroster.StatusActive}
	var e oneroster.Entity
	var link oneroster.Entity  // the score scale link, 1.2 line items and results
	var pre []oneroster.Change // changes the record needs first (a default category)
	switch kind {
	case oneroster.KindCategory:
		if in.Title == "" {
			return nil, invalid("title is required")
		}
		e = &oneroster.Category{Base: base, Title: in.Title, Weight: in.Weight}
	case oneroster.KindScoreScale:
		ss := &oneroster.ScoreScale{
			Base: base, Title: in.Title, Type: in.Type, Class: in.Class.id(), Course: in.Course.id(), Org: in.School.id(),
			Values: in.ScoreScaleValue,
		}
		if ss.Org == "" {
			ss.Org = in.Org.id()
		}
		if ss.Title == "" || ss.Type == "" || len(ss.Values) == 0 {
			return nil, invalid("title, type and scoreScaleValue are required")
		}
		for _, v := range ss.Values {
			if v.ItemValueLHS == "" {
				return nil, invalid("every scoreScaleValue needs an itemValueLHS")
			}
		}
		if err := refs(map[oneroster.Kind]string{oneroster.KindClass: ss.Class, oneroster.KindCourse: ss.Course, oneroster.KindOrg: ss.Org}); err != nil {
			return nil, err
		}
		e = ss
	case oneroster.KindLineItem:
		li := &oneroster.LineItem{
			Base: base, Title: in.Title, Description: in.Description, Class: in.Class.id(), Category: in.Category.id(),
			School: in.School.id(), ResultValueMin: in.ResultValueMin, ResultValueMax: in.ResultValueMax,
		}
		li.Session = in.AcademicSession.id()
		if li.Session == "" {
			li.Session = in.GradingPeriod.id()
		}
		// Leniency (1.1 only): Google Classroom's 1.1 grade sync sends line
		// items without a category; they go into the class's default
		// category, created in the same write if needed. 1.2 requires a
		// category, as its specification does (Google's 1.2 sync sends one).
		lenient := q.ver.name == v11.name && li.Category == "" && in.Category == nil && li.Title != "" && li.Class != ""
		if lenient {
			li.Category = oneroster.DefaultCategoryID(li.Class)
		}
		if li.Title == "" || li.Class == "" || li.Category == "" {
			return nil, invalid("title, class and category are required")
		}
		if li.AssignDate, err = day("assignDate", in.AssignDate, true); err != nil {
			return nil, err
		}
		if li.DueDate, err = day("dueDate", in.DueDate, true); err != nil {
			return nil, err
		}
		checked := map[oneroster.Kind]string{oneroster.KindClass: li.Class, oneroster.KindCategory: li.Category, oneroster.KindAcademicSession: li.Session, oneroster.KindOrg: li.School}
		if lenient {
			delete(checked, oneroster.KindCategory)
		}
		if err := refs(checked); err != nil {
			return nil, err
		}
		if lenient {
			cat, err := h.defaultCategory(ctx, q.tenant, li.Class)
			if err != nil {
				return nil, err
			}
			pre = cat
		}
		e = li
		link = &oneroster.LineItemScoreScale{Base: oneroster.Base{SourcedID: scaleLinkID(id)}, LineItem: id, ScoreScale: in.ScoreScale.id()}
	case oneroster.KindResult:
		r := &oneroster.Result{
			Base: base, LineItem: in.LineItem.id(), Student: in.Student.id(), Class: in.Class.id(), ScoreStatus: in.ScoreStatus,
			Score: in.Score, TextScore: in.TextScore, Comment: in.Comment,
		}
		if r.LineItem == "" || r.Student == "" {
			return nil, invalid("lineItem and student are required")
		}
		if !scoreStatuses[r.ScoreStatus] {
			return nil, invalid("scoreStatus %q is not in the vocabulary", r.ScoreStatus)
		}
		if r.ScoreDate, err = day("scoreDate", in.ScoreDate, true); err != nil {
			return nil, err
		}
		if err := refs(map[oneroster.Kind]string{oneroster.KindLineItem: r.LineItem, oneroster.KindUser: r.Student, oneroster.KindClass: r.Class}); err != nil {
			return nil, err
		}
		e = r
		link = &oneroster.ResultScoreScale{Base: oneroster.Base{SourcedID: scaleLinkID(id)}, Result: id, ScoreScale: in.ScoreScale.id()}
	default:
		return nil, fmt.Errorf("gradebook write of %s", kind)
	}
	ch, err := oneroster.ChangeOf(e)
	if err != nil {
		return nil, err
	}
	out := append(pre, ch)
	if link == nil || q.ver.name != v12.name {
		return out, nil
	}
	if ss := in.ScoreScale.id(); ss != "" {
		if err := exists(oneroster.KindScoreScale, ss); err != nil {
			return nil, err
		}
		lc, err := oneroster.ChangeOf(link)
		if err != nil {
			return nil, err
		}
		return append(out, lc), nil
	}
	return append(out, oneroster.Change{Kind: link.Kind(), SourcedID: scaleLinkID(id), Status: oneroster.StatusToBeDeleted}), nil
}

// defaultCategory returns the change that creates the class's default
// category, or none when it is already there (active).
func (h *Handler) defaultCategory(ctx context.Context, tenant, class string) ([]oneroster.Change, error) {
	id := oneroster.DefaultCategoryID(class)
	r, err := h.Writer.Record(ctx, tenant, oneroster.KindCategory, id)
	switch {
	case err == nil && r.Status != oneroster.StatusToBeDeleted:
		return nil, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	ch, err := oneroster.ChangeOf(oneroster.NewDefaultCategory(class))
	if err != nil {
		return nil, err
	}
	return []oneroster.Change{ch}, nil
}

// remove deletes a gradebook record (it becomes tobedeleted and leaves the
// collections): 204, or 404 when there is none.
func (h *Handler) remove(q req, kind oneroster.Kind) error {
	id := q.c.Params("id")
	ch := oneroster.Change{Kind: kind, SourcedID: id, Status: oneroster.StatusToBeDeleted}
	a, err := h.Writer.Apply(q.c.UserContext(), oneroster.Batch{Tenant: q.tenant, Now: h.now(), Rows: func(yield func(oneroster.Change) error) error { return yield(ch) }})
	if err != nil {
		return err
	}
	if a.Counts[kind].Deleted == 0 {
		return httperr.New(http.StatusNotFound, "no record with that sourcedId").WithCode("unknownobject")
	}
	return q.c.SendStatus(http.StatusNoContent)
}

func (h *Handler) now() time.Time {
	if h.Clock != nil {
		return h.Clock().UTC()
	}
	return time.Now().UTC()
}
