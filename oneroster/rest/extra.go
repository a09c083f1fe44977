package rest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store"
)

// The 1.2 gradebook POST scope and the resources service scopes.
const (
	ScopeGradebookPost = "gradebook.createpost"
	ScopeResourceCore  = "resource-core.readonly"
	ScopeResource      = "resource.readonly"
)

// maxPostItems bounds the records one gradebook POST may create.
const maxPostItems = 1000

// scoreScaleRoutes adds the 1.2 score scale collections, single, PUT and
// DELETE.
func (h *Handler) scoreScaleRoutes(g fiber.Router, ver version, read, put, del fiber.Handler) {
	wrap := h.wrapper(ver)
	g.Get("/scoreScales", read, wrap(func(q req) error {
		return h.collection(q, oneroster.KindScoreScale, "scoreScales", "scoreScales", nil)
	}))
	g.Get("/scoreScales/:id", read, wrap(func(q req) error { return h.single(q, oneroster.KindScoreScale, "scoreScale", nil) }))
	if h.Writer != nil {
		g.Put("/scoreScales/:id", put, wrap(func(q req) error { return h.put(q, oneroster.KindScoreScale, "scoreScale") }))
		g.Delete("/scoreScales/:id", del, wrap(func(q req) error { return h.remove(q, oneroster.KindScoreScale) }))
	}
	g.Get("/classes/:class/scoreScales", read, wrap(func(q req) error {
		id := q.c.Params("class")
		return h.collection(q, oneroster.KindScoreScale, "scoreScales", "", func(e oneroster.Entity) bool {
			return e.(*oneroster.ScoreScale).Class == id
		})
	}))
	g.Get("/schools/:school/scoreScales", read, wrap(func(q req) error {
		id := q.c.Params("school")
		return h.collection(q, oneroster.KindScoreScale, "scoreScales", "", func(e oneroster.Entity) bool {
			return e.(*oneroster.ScoreScale).Org == id
		})
	}))
}

func (h *Handler) wrapper(ver version) func(fn func(q req) error) fiber.Handler {
	return func(fn func(q req) error) fiber.Handler {
		return func(c *fiber.Ctx) error {
			return fn(h.newReq(c, ver))
		}
	}
}

// postRoutes adds the 1.2 gradebook POST routes, which create a set of line
// items or results in one atomic step.
func (h *Handler) postRoutes(g fiber.Router, ver version) {
	if h.Writer == nil {
		return
	}
	post := httpauth.Require(anyForm(ScopeGradebookPost)...)
	wrap := h.wrapper(ver)
	g.Post("/classes/:class/lineItems", post, wrap(func(q req) error {
		class := q.c.Params("class")
		return h.post(q, oneroster.KindLineItem, "lineItems", "lineItem", func(in *gradebookIn) error {
			return pinRef(&in.Class, class, "class")
		})
	}))
	g.Post("/schools/:school/lineItems", post, wrap(func(q req) error {
		school := q.c.Params("school")
		return h.post(q, oneroster.KindLineItem, "lineItems", "lineItem", func(in *gradebookIn) error {
			return pinRef(&in.School, school, "school")
		})
	}))
	g.Post("/lineItems/:li/results", post, wrap(func(q req) error {
		li := q.c.Params("li")
		return h.post(q, oneroster.KindResult, "results", "result", func(in *gradebookIn) error {
			return pinRef(&in.LineItem, li, "lineItem")
		})
	}))
	g.Post("/classes/:class/academicSessions/:session/results", post, wrap(func(q req) error {
		class, session := q.c.Params("class"), q.c.Params("session")
		return h.post(q, oneroster.KindResult, "results", "result", func(in *gradebookIn) error {
			if err := pinRef(&in.Class, class, "class"); err != nil {
				return err
			}
			rec, err := h.Writer.Record(q.c.UserContext(), q.tenant, oneroster.KindLineItem, in.LineItem.id())
			if errors.Is(err, store.ErrNotFound) || err == nil && rec.Status == oneroster.StatusToBeDeleted {
				return invalid("unknown lineItem %q", in.LineItem.id())
			}
			if err != nil {
				return err
			}
			e, err := oneroster.Decode(rec)
			if err != nil {
				return err
			}
			if li := e.(*oneroster.LineItem); li.Class != class || li.Session != session {
				return invalid("lineItem %q is not a line item of class %q in academicSession %q", li.SourcedID, class, session)
			}
			return nil
		})
	}))
}

// pinRef sets a reference from the path, refusing a body that names another.
func pinRef(ref **refIn, id, name string) error {
	if got := (*ref).id(); got != "" && got != id {
		return invalid("the %s in the body differs from the one in the path", name)
	}
	*ref = &refIn{SourcedID: id}
	return nil
}

// sourcedIDPair tells a client the sourcedId the provider gave a record it
// supplied.
type sourcedIDPair struct {
	Supplied  string `json:"suppliedSourcedId"`
	Allocated string `json:"allocatedSourcedId"`
}

// post creates the records of a body {"<plural>":[...]} (or one record
// {"<single>":{...}}) in one atomic step: each keeps its supplied sourcedId
// unless it is blank or already taken, when a new one is allocated. It
// answers 201 with the sourcedIdPairs; one invalid record refuses them all.
func (h *Handler) post(q req, kind oneroster.Kind, plural, single string, fix func(*gradebookIn) error) error {
	c := q.c
	body, err := server.DecodedBody(c, maxGradebookBody)
	if err != nil {
		return err
	}
	var wrapper map[string]json.RawMessage
	if err := json.Unmarshal(body, &wrapper); err != nil {
		return invalid("the body must be a JSON object {%q: [...]}", plural)
	}
	var ins []gradebookIn
	if raw, ok := wrapper[plural]; ok {
		if err := json.Unmarshal(raw, &ins); err != nil {
			return invalid("malformed %s", plural)
		}
	} else if raw, ok := wrapper[single]; ok {
		var in gradebookIn
		if err := json.Unmarshal(raw, &in); err != nil {
			return invalid("malformed %s", single)
		}
		ins = append(ins, in)
	} else {
		return invalid("the body must be a JSON object {%q: [...]}", plural)
	}
	if len(ins) == 0 || len(ins) > maxPostItems {
		return invalid("a POST creates 1 to %d %s", maxPostItems, plural)
	}
	ctx := c.UserContext()
	pairs := make([]sourcedIDPair, 0, len(ins))
	var chs []oneroster.Change
	taken := map[string]bool{}
	for i := range ins {
		in := &ins[i]
		if err := fix(in); err != nil {
			return err
		}
		supplied := in.SourcedID
		id, err := h.allocateID(ctx, q.tenant, kind, supplied, taken)
		if err != nil {
			return err
		}
		in.SourcedID = id
		cs, err := h.gradebookChanges(ctx, q, kind, in)
		if err != nil {
			return err
		}
		chs = append(chs, cs...)
		pairs = append(pairs, sourcedIDPair{Supplied: supplied, Allocated: id})
	}
	return h.applyPost(c, q, chs, pairs)
}

// applyPost applies a POST's changes in one write and answers 201 with the
// sourcedIdPairs (supplied and allocated ids).
func (h *Handler) applyPost(c *fiber.Ctx, q req, chs []oneroster.Change, pairs []sourcedIDPair) error {
	if _, err := h.Writer.Apply(c.UserContext(), oneroster.Batch{Tenant: q.tenant, Now: h.now(), Rows: yieldAll(chs)}); err != nil {
		return err
	}
	b, err := json.Marshal(map[string]any{"sourcedIdPairs": pairs})
	if err != nil {
		return err
	}
	c.Status(http.StatusCreated)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(b)
}

// resourceRoutes adds the resources service: the resources collection and
// single (resource-core.readonly or resource.readonly) and the resources of
// a class, course or user (resource.readonly).
func (h *Handler) resourceRoutes(g fiber.Router, ver version) {
	core := httpauth.Require(anyForm(ScopeResourceCore, ScopeResource)...)
	full := httpauth.Require(anyForm(ScopeResource)...)
	wrap := h.wrapper(ver)
	g.Get("/resources", core, wrap(func(q req) error {
		return h.collection(q, oneroster.KindResource, "resources", "resources", nil)
	}))
	g.Get("/resources/:id", core, wrap(func(q req) error { return h.single(q, oneroster.KindResource, "resource", nil) }))
	linked := func(kind oneroster.Kind, match func(oneroster.Entity, string) (string, bool)) func(q req, id string) (map[string]bool, error) {
		return func(q req, id string) (map[string]bool, error) {
			v, err := h.view(q, kind)
			if err != nil {
				return nil, err
			}
			out := map[string]bool{}
			for i, e := range v.ents {
				if v.deleted[i] {
					continue
				}
				if res, ok := match(e, id); ok {
					out[res] = true
				}
			}
			return out, nil
		}
	}
	ofClass := linked(oneroster.KindClassResource, func(e oneroster.Entity, id string) (string, bool) {
		x := e.(*oneroster.ClassResource)
		return x.Resource, x.Class == id
	})
	ofCourse := linked(oneroster.KindCourseResource, func(e oneroster.Entity, id string) (string, bool) {
		x := e.(*oneroster.CourseResource)
		return x.Resource, x.Course == id
	})
	ofUser := linked(oneroster.KindUserResource, func(e oneroster.Entity, id string) (string, bool) {
		x := e.(*oneroster.UserResource)
		return x.Resource, x.User == id
	})
	sub := func(path, param string, sel func(q req, id string) (map[string]bool, error)) {
		g.Get(path, full, wrap(func(q req) error {
			ids, err := sel(q, q.c.Params(param))
			if err != nil {
				return err
			}
			return h.collection(q, oneroster.KindResource, "resources", "", inSet(ids))
		}))
	}
	sub("/classes/:class/resources", "class", ofClass)
	sub("/courses/:course/resources", "course", ofCourse)
	// A user's resources: those assigned to them (userResources), and those
	// of the classes they are actively enrolled in.
	sub("/users/:user/resources", "user", func(q req, id string) (map[string]bool, error) {
		out, err := ofUser(q, id)
		if err != nil {
			return nil, err
		}
		classes, err := h.enrolled(q, func(e *oneroster.Enrollment) bool { return e.User == id }, func(e *oneroster.Enrollment) string { return e.Class })
		if err != nil {
			return nil, err
		}
		for class := range classes {
			ids, err := ofClass(q, class)
			if err != nil {
				return nil, err
			}
			for r := range ids {
				out[r] = true
			}
		}
		return out, nil
	})
}

// allocateID is the sourcedId a POST gives a new record: the one supplied
// when it is free (unknown, or a tombstone) and not taken earlier in the
// same POST, else a new UUID. It marks the id taken.
func (h *Handler) allocateID(ctx context.Context, tenant string, kind oneroster.Kind, supplied string, taken map[string]bool) (string, error) {
	id := supplied
	if id != "" && !taken[id] {
		switch rec, err := h.Writer.Record(ctx, tenant, kind, id); {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return "", err
		case rec.Status != oneroster.StatusToBeDeleted:
			id = ""
		}
	} else {
		id = ""
	}
	if id == "" {
		id = uuid.NewString()
	}
	taken[id] = true
	return id, nil
}
