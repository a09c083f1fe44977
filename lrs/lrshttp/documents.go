package lrshttp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/lrs"
)

// docParams describes the parameters of one document resource.
type docParams struct {
	kind    lrs.DocKind
	idParam string
}

func paramsOf(kind lrs.DocKind) docParams {
	if kind == lrs.KindState {
		return docParams{kind: kind, idParam: "stateId"}
	}
	return docParams{kind: kind, idParam: "profileId"}
}

// documentKey validates a document request's parameters. single says
// whether the id parameter is required; since whether "since" may appear.
func documentKey(qv url.Values, kind lrs.DocKind, v lrs.Version, single, since bool) (lrs.DocumentKey, time.Time, error) {
	p := paramsOf(kind)
	allowed := map[string]bool{p.idParam: true}
	switch kind {
	case lrs.KindState:
		allowed["activityId"], allowed["agent"], allowed["registration"] = true, true, true
	case lrs.KindActivityProfile:
		allowed["activityId"] = true
	case lrs.KindAgentProfile:
		allowed["agent"] = true
	}
	if since {
		allowed["since"] = true
	}
	for k, vals := range qv {
		if !allowed[k] {
			return lrs.DocumentKey{}, time.Time{}, errUnsupported(k, "is not a parameter of this resource and method")
		}
		if len(vals) != 1 {
			return lrs.DocumentKey{}, time.Time{}, errUnsupported(k, "must be given once")
		}
	}
	k := lrs.DocumentKey{Kind: kind}
	if allowed["activityId"] {
		a, ok := qv["activityId"]
		if !ok {
			return k, time.Time{}, errUnsupported("activityId", "is required")
		}
		if !lrs.IsIRI(a[0]) {
			return k, time.Time{}, errUnsupported("activityId", "must be an IRI")
		}
		k.ActivityID = a[0]
	}
	if allowed["agent"] {
		a, ok := qv["agent"]
		if !ok {
			return k, time.Time{}, errUnsupported("agent", "is required")
		}
		key, err := lrs.ParseAgentParam("agent", a[0], v)
		if err != nil {
			return k, time.Time{}, err
		}
		k.Agent = key
	}
	if r, ok := qv["registration"]; ok {
		if !lrs.IsUUID(r[0]) {
			return k, time.Time{}, errUnsupported("registration", "must be a UUID")
		}
		k.Registration = uuid.MustParse(r[0]).String()
	}
	if id, ok := qv[p.idParam]; ok {
		k.ID = id[0]
	} else if single {
		return k, time.Time{}, errUnsupported(p.idParam, "is required")
	}
	var t time.Time
	if s, ok := qv["since"]; ok {
		ts, ok := lrs.ParseTimestamp(s[0])
		if !ok {
			return k, time.Time{}, errUnsupported("since", "must be an ISO 8601 timestamp")
		}
		t = ts
	}
	return k, t, nil
}

func (h *Handler) getDocuments(kind lrs.DocKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		qv, err := queryValues(c)
		if err != nil {
			return err
		}
		_, hasID := qv[paramsOf(kind).idParam]
		// since is a parameter of the resource's GET; beside an id it is
		// still checked but has no effect (the ADL 1.0.3 suite sends it with
		// a stateId/profileId and expects the document).
		k, since, err := documentKey(qv, kind, version(c), false, true)
		if err != nil {
			return err
		}
		tenant := httpauth.Principal(c).Tenant
		if hasID {
			d, err := h.Store.Document(c.UserContext(), tenant, k)
			if err != nil {
				return err
			}
			c.Set(fiber.HeaderETag, d.ETag)
			c.Set(fiber.HeaderLastModified, httpDate(d.Updated))
			ct := d.ContentType
			if ct == "" {
				ct = fiber.MIMEOctetStream
			}
			c.Set(fiber.HeaderContentType, ct)
			return c.Send(d.Content)
		}
		ids, err := h.Store.DocumentIDs(c.UserContext(), tenant, k, since)
		if err != nil {
			return err
		}
		return c.JSON(ids)
	}
}

func (h *Handler) writeDocument(kind lrs.DocKind, mode lrs.WriteMode) fiber.Handler {
	return func(c *fiber.Ctx) error {
		qv, err := queryValues(c)
		if err != nil {
			return err
		}
		v := version(c)
		k, _, err := documentKey(qv, kind, v, true, false)
		if err != nil {
			return err
		}
		body, err := h.body(c)
		if err != nil {
			return err
		}
		ct := strings.TrimSpace(c.Get(fiber.HeaderContentType))
		if ct == "" {
			ct = fiber.MIMEOctetStream
		}
		if lrs.IsJSONType(ct) && !json.Valid(body) {
			return errUnsupported("body", "a document sent as application/json must be valid JSON")
		}
		w := lrs.Write{
			Version:      v,
			Mode:         mode,
			Precondition: lrs.ParsePrecondition(c.Get(fiber.HeaderIfMatch), c.Get(fiber.HeaderIfNoneMatch)),
			Doc:          lrs.Document{Key: k, ContentType: ct, Content: body},
		}
		if _, err := h.Store.PutDocument(c.UserContext(), httpauth.Principal(c).Tenant, h.Clock(), w); err != nil {
			return err
		}
		return c.SendStatus(http.StatusNoContent)
	}
}

func (h *Handler) deleteDocuments(kind lrs.DocKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		qv, err := queryValues(c)
		if err != nil {
			return err
		}
		_, hasID := qv[paramsOf(kind).idParam]
		if !hasID && kind != lrs.KindState {
			return errUnsupported(paramsOf(kind).idParam, "is required")
		}
		k, _, err := documentKey(qv, kind, version(c), false, false)
		if err != nil {
			return err
		}
		tenant := httpauth.Principal(c).Tenant
		if hasID {
			p := lrs.ParsePrecondition(c.Get(fiber.HeaderIfMatch), c.Get(fiber.HeaderIfNoneMatch))
			if err := h.Store.DeleteDocument(c.UserContext(), tenant, k, p); err != nil {
				return err
			}
		} else if err := h.Store.DeleteDocuments(c.UserContext(), tenant, k); err != nil {
			return err
		}
		return c.SendStatus(http.StatusNoContent)
	}
}

func (h *Handler) getActivity(c *fiber.Ctx) error {
	qv, err := queryValues(c)
	if err != nil {
		return err
	}
	for k := range qv {
		if k != "activityId" {
			return errUnsupported(k, "is not a parameter of the activities resource")
		}
	}
	id := qv.Get("activityId")
	if id == "" {
		return errUnsupported("activityId", "is required")
	}
	if !lrs.IsIRI(id) {
		return errUnsupported("activityId", "must be an IRI")
	}
	out := map[string]any{"objectType": "Activity", "id": id}
	def, err := h.Store.ActivityDefinition(c.UserContext(), httpauth.Principal(c).Tenant, id)
	if err == nil {
		out["definition"] = json.RawMessage(def)
	}
	return c.JSON(out)
}

func (h *Handler) getAgent(c *fiber.Ctx) error {
	qv, err := queryValues(c)
	if err != nil {
		return err
	}
	for k := range qv {
		if k != "agent" {
			return errUnsupported(k, "is not a parameter of the agents resource")
		}
	}
	a, ok := qv["agent"]
	if !ok {
		return errUnsupported("agent", "is required")
	}
	if _, err := lrs.ParseAgentParam("agent", a[0], version(c)); err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(a[0]), &m); err != nil {
		return errUnsupported("agent", "must be an Agent as JSON")
	}
	person := map[string]any{"objectType": "Person"}
	if n, ok := m["name"].(string); ok {
		person["name"] = []string{n}
	}
	for _, k := range []string{"mbox", "mbox_sha1sum", "openid", "account"} {
		if v, ok := m[k]; ok {
			person[k] = []any{v}
		}
	}
	return c.JSON(person)
}
