package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/oneroster/query"
)

// The OneRoster scopes the provider checks (auth normalises the purl
// prefixed forms to these).
const (
	ScopeRosterCore   = "roster-core.readonly"
	ScopeRoster       = "roster.readonly"
	ScopeDemographics = "roster-demographics.readonly"
)

const (
	purl11 = "https://purl.imsglobal.org/spec/or/v1p1/scope/"
	purl12 = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
)

// anyForm lists a scope in its short and both purl forms.
func anyForm(scopes ...string) []string {
	var out []string
	for _, s := range scopes {
		out = append(out, s, purl11+s, purl12+s)
	}
	return out
}

// Handler serves the OneRoster 1.1 and 1.2 rostering REST API, read only.
type Handler struct {
	Store Reader
	// Writer, when set, enables gradebook PUT and DELETE (usually the same
	// store as Store).
	Writer Writer
	// Clock stamps gradebook writes; nil means time.Now.
	Clock func() time.Time
	// MaxConcurrent bounds the OneRoster requests served at once; more get
	// 429 with Retry-After (0 means DefaultMaxConcurrent).
	MaxConcurrent int
	Auth          *auth.Authenticator
	Logger        *slog.Logger
	// StatusInfoCompat adds imsx_statusInfo (success) to 1.2 bodies, which
	// the alpha 1.2 client of Moodle's enrol_oneroster requires.
	StatusInfoCompat bool
	// LegacyUserFields adds the 1.1 role and orgs to 1.2 user objects, for
	// clients that read them there (R27).
	LegacyUserFields bool
	// PinTTL is how long a client's paging snapshot is kept (R9): the pages
	// after the first (offset > 0) of the same query by the same credential
	// are served from the roster as it was at the first page, so an import
	// between pages causes no duplicates or gaps. 0 means DefaultPinTTL; a
	// negative value turns pinning off.
	PinTTL time.Duration

	views *views
	pins  *pins
	slots chan struct{}
}

// DefaultMaxConcurrent is the default bound on concurrent requests.
const DefaultMaxConcurrent = 64

// limit answers 429 with Retry-After when MaxConcurrent requests are in
// flight, so a client backs off instead of timing out mid-pagination.
func (h *Handler) limit(c *fiber.Ctx) error {
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
		return c.Next()
	default:
		c.Set(fiber.HeaderRetryAfter, "1")
		return httperr.New(http.StatusTooManyRequests, "too many concurrent requests; retry shortly").WithCode("server_busy")
	}
}

// Mount adds every rostering route of both versions, behind bearer-token
// authentication (and, on 1.1, OAuth 1.0a signatures). Errors are rendered
// as imsx status info by the server's error handler (statusInfoSet for 1.1).
func (h *Handler) Mount(r fiber.Router) {
	if h.views == nil {
		h.views = newViews(256)
	}
	if h.pins == nil {
		ttl := h.PinTTL
		if ttl == 0 {
			ttl = DefaultPinTTL
		}
		h.pins = newPins(ttl, maxPins, h.now)
	}
	n := h.MaxConcurrent
	if n <= 0 {
		n = DefaultMaxConcurrent
	}
	h.slots = make(chan struct{}, n)
	w12 := v12
	w12.legacyUser = h.LegacyUserFields
	for _, ver := range []version{v11, w12} {
		authn := httpauth.Bearer(h.Auth)
		if ver.name == v11.name {
			authn = httpauth.BearerOrOAuth1(h.Auth) // 1.1 clients (Moodle) sign with OAuth 1.0a
		}
		g := r.Group(ver.base, h.limit, authn)
		h.routes(g, ver)
		if ver.gbBase != ver.base {
			g = r.Group(ver.gbBase, h.limit, httpauth.Bearer(h.Auth))
		}
		h.gradebookRoutes(g, ver)
		if ver.name == v12.name {
			h.arpRoutes(g, ver) // the Assessment Results Profile
		}
		if ver.resBase != ver.base {
			g = r.Group(ver.resBase, h.limit, httpauth.Bearer(h.Auth))
		} else {
			g = r.Group(ver.base)
		}
		h.resourceRoutes(g, ver)
	}
}

type req struct {
	c      *fiber.Ctx
	ver    version
	tenant string
	// pin, when set, is the paging snapshot the request reads (R9).
	pin *pin
}

func (h *Handler) routes(g fiber.Router, ver version) {
	core := httpauth.Require(anyForm(ScopeRosterCore, ScopeRoster)...)
	full := httpauth.Require(anyForm(ScopeRoster)...)
	demo := httpauth.Require(anyForm(ScopeDemographics)...)
	wrap := func(fn func(q req) error) fiber.Handler {
		return func(c *fiber.Ctx) error {
			return fn(h.newReq(c, ver))
		}
	}
	isType := func(types ...string) func(oneroster.Entity) bool {
		return func(e oneroster.Entity) bool {
			switch x := e.(type) {
			case *oneroster.Org:
				return slices.Contains(types, x.Type)
			case *oneroster.AcademicSession:
				return slices.Contains(types, x.Type)
			}
			return false
		}
	}
	hasRole := func(role string) func(oneroster.Entity) bool {
		return func(e oneroster.Entity) bool { return userHasRole(e.(*oneroster.User), role) }
	}
	var all func(oneroster.Entity) bool // nil: every record
	type base struct {
		path, key, single string
		kind              oneroster.Kind
		pred              func(oneroster.Entity) bool
		mw                fiber.Handler
	}
	for _, b := range []base{
		{"academicSessions", "academicSessions", "academicSession", oneroster.KindAcademicSession, all, core},
		{"gradingPeriods", "academicSessions", "academicSession", oneroster.KindAcademicSession, isType("gradingPeriod"), core},
		{"terms", "academicSessions", "academicSession", oneroster.KindAcademicSession, isType("term"), core},
		{"classes", "classes", "class", oneroster.KindClass, all, core},
		{"courses", "courses", "course", oneroster.KindCourse, all, core},
		{"demographics", "demographics", "demographics", oneroster.KindDemographics, all, demo},
		{"enrollments", "enrollments", "enrollment", oneroster.KindEnrollment, all, core},
		{"orgs", "orgs", "org", oneroster.KindOrg, all, core},
		{"schools", "orgs", "org", oneroster.KindOrg, isType("school"), core},
		{"students", "users", "user", oneroster.KindUser, hasRole("student"), core},
		{"teachers", "users", "user", oneroster.KindUser, hasRole("teacher"), core},
		{"users", "users", "user", oneroster.KindUser, all, core},
	} {
		g.Get("/"+b.path, b.mw, wrap(func(q req) error { return h.collection(q, b.kind, b.key, b.path, b.pred) }))
		g.Get("/"+b.path+"/:id", b.mw, wrap(func(q req) error { return h.single(q, b.kind, b.single, b.pred) }))
	}

	// Sub-collections (roster.readonly).
	sub := func(path string, kind oneroster.Kind, key string, sel func(q req) (func(oneroster.Entity) bool, error)) {
		g.Get(path, full, wrap(func(q req) error {
			pred, err := sel(q)
			if err != nil {
				return err
			}
			return h.collection(q, kind, key, "", pred)
		}))
	}
	param := func(q req, name string) string { return q.c.Params(name) }
	// Users of a class through active enrollments with a role.
	classUsers := func(role string, school bool) func(q req) (func(oneroster.Entity) bool, error) {
		return func(q req) (func(oneroster.Entity) bool, error) {
			ids, err := h.enrolled(q, func(e *oneroster.Enrollment) bool {
				return e.Class == param(q, "class") && e.Role == role && (!school || e.School == param(q, "school"))
			}, func(e *oneroster.Enrollment) string { return e.User })
			if err != nil {
				return nil, err
			}
			return inSet(ids), nil
		}
	}
	sub("/classes/:class/students", oneroster.KindUser, "users", classUsers("student", false))
	sub("/classes/:class/teachers", oneroster.KindUser, "users", classUsers("teacher", false))
	sub("/courses/:course/classes", oneroster.KindClass, "classes", func(q req) (func(oneroster.Entity) bool, error) {
		id := param(q, "course")
		return func(e oneroster.Entity) bool { return e.(*oneroster.Class).Course == id }, nil
	})
	schoolOnly := func(q req) bool { return h.isSchool(q, param(q, "school")) }
	none := func(oneroster.Entity) bool { return false }
	sub("/schools/:school/classes", oneroster.KindClass, "classes", func(q req) (func(oneroster.Entity) bool, error) {
		id := param(q, "school")
		if !schoolOnly(q) {
			return none, nil
		}
		return func(e oneroster.Entity) bool { return e.(*oneroster.Class).School == id }, nil
	})
	sub("/schools/:school/courses", oneroster.KindCourse, "courses", func(q req) (func(oneroster.Entity) bool, error) {
		id := param(q, "school")
		if !schoolOnly(q) {
			return none, nil
		}
		return func(e oneroster.Entity) bool { return e.(*oneroster.Course).Org == id }, nil
	})
	sub("/schools/:school/enrollments", oneroster.KindEnrollment, "enrollments", func(q req) (func(oneroster.Entity) bool, error) {
		id := param(q, "school")
		if !schoolOnly(q) {
			return none, nil
		}
		return func(e oneroster.Entity) bool { return e.(*oneroster.Enrollment).School == id }, nil
	})
	schoolUsers := func(role string) func(q req) (func(oneroster.Entity) bool, error) {
		return func(q req) (func(oneroster.Entity) bool, error) {
			id := param(q, "school")
			if !schoolOnly(q) {
				return none, nil
			}
			return func(e oneroster.Entity) bool {
				u := e.(*oneroster.User)
				return userHasRole(u, role) && (slices.Contains(u.Orgs, id) || u.PrimaryOrg == id)
			}, nil
		}
	}
	sub("/schools/:school/students", oneroster.KindUser, "users", schoolUsers("student"))
	sub("/schools/:school/teachers", oneroster.KindUser, "users", schoolUsers("teacher"))
	sub("/schools/:school/terms", oneroster.KindAcademicSession, "academicSessions", func(q req) (func(oneroster.Entity) bool, error) {
		id := param(q, "school")
		if !schoolOnly(q) {
			return none, nil
		}
		cv, err := h.view(q, oneroster.KindClass)
		if err != nil {
			return nil, err
		}
		terms := map[string]bool{}
		for _, e := range cv.ents {
			if c := e.(*oneroster.Class); c.School == id && c.Status != oneroster.StatusToBeDeleted {
				for _, t := range c.Terms {
					terms[t] = true
				}
			}
		}
		return func(e oneroster.Entity) bool {
			s := e.(*oneroster.AcademicSession)
			return s.Type == "term" && terms[s.SourcedID]
		}, nil
	})
	sub("/schools/:school/classes/:class/enrollments", oneroster.KindEnrollment, "enrollments", func(q req) (func(oneroster.Entity) bool, error) {
		s, c := param(q, "school"), param(q, "class")
		return func(e oneroster.Entity) bool {
			en := e.(*oneroster.Enrollment)
			return en.School == s && en.Class == c
		}, nil
	})
	sub("/schools/:school/classes/:class/students", oneroster.KindUser, "users", classUsers("student", true))
	sub("/schools/:school/classes/:class/teachers", oneroster.KindUser, "users", classUsers("teacher", true))
	userClasses := func(role string) func(q req) (func(oneroster.Entity) bool, error) {
		return func(q req) (func(oneroster.Entity) bool, error) {
			if err := h.knownUser(q, param(q, "user"), role); err != nil {
				return nil, err
			}
			ids, err := h.enrolled(q, func(e *oneroster.Enrollment) bool {
				return e.User == param(q, "user") && (role == "" || e.Role == role)
			}, func(e *oneroster.Enrollment) string { return e.Class })
			if err != nil {
				return nil, err
			}
			return inSet(ids), nil
		}
	}
	sub("/students/:user/classes", oneroster.KindClass, "classes", userClasses("student"))
	sub("/teachers/:user/classes", oneroster.KindClass, "classes", userClasses("teacher"))
	sub("/users/:user/classes", oneroster.KindClass, "classes", userClasses(""))
	sub("/terms/:term/classes", oneroster.KindClass, "classes", func(q req) (func(oneroster.Entity) bool, error) {
		id := param(q, "term")
		return func(e oneroster.Entity) bool { return slices.Contains(e.(*oneroster.Class).Terms, id) }, nil
	})
	sub("/terms/:term/gradingPeriods", oneroster.KindAcademicSession, "academicSessions", func(q req) (func(oneroster.Entity) bool, error) {
		id := param(q, "term")
		return func(e oneroster.Entity) bool {
			s := e.(*oneroster.AcademicSession)
			return s.Type == "gradingPeriod" && s.Parent == id
		}, nil
	})
}

func inSet(ids map[string]bool) func(oneroster.Entity) bool {
	return func(e oneroster.Entity) bool { return ids[oneroster.BaseOf(e).SourcedID] }
}

// userHasRole reports whether a user holds a role: the 1.1 role or any
// 1.2 role.
func userHasRole(u *oneroster.User, role string) bool {
	if u.Role == role {
		return true
	}
	for _, r := range u.Roles {
		if r.Role == role {
			return true
		}
	}
	return false
}

// enrolled collects pick(e) over the active enrollments that match.
func (h *Handler) enrolled(q req, match func(*oneroster.Enrollment) bool, pick func(*oneroster.Enrollment) string) (map[string]bool, error) {
	ev, err := h.view(q, oneroster.KindEnrollment)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, e := range ev.ents {
		en := e.(*oneroster.Enrollment)
		if en.Status != oneroster.StatusToBeDeleted && match(en) {
			ids[pick(en)] = true
		}
	}
	return ids, nil
}

// knownUser answers 404 unknownobject unless the user exists and, when role
// is set, holds it: /users/{id}/classes, /students/{id}/classes and
// /teachers/{id}/classes name a user the way /users/{id} does, so an unknown
// one is reported rather than answered with an empty list (the 1.1 REST
// test collection of vossenv/oneroster-api-mock checks this, R43). The
// school sub-collections keep answering 200 with an empty list (R21, SDS).
func (h *Handler) knownUser(q req, id, role string) error {
	uv, err := h.view(q, oneroster.KindUser)
	if err != nil {
		return err
	}
	i, ok := uv.byID[id]
	if !ok || (role != "" && !userHasRole(uv.ents[i].(*oneroster.User), role)) {
		return httperr.New(http.StatusNotFound, "no user with that sourcedId").WithCode("unknownobject")
	}
	return nil
}

func (h *Handler) isSchool(q req, id string) bool {
	ov, err := h.view(q, oneroster.KindOrg)
	if err != nil {
		return false
	}
	i, ok := ov.byID[id]
	return ok && ov.ents[i].(*oneroster.Org).Type == "school"
}

// needsFull reports whether a filter names a field beyond the base ones,
// so it needs every record's full object.
func needsFull(f *query.Filter) bool {
	if f == nil {
		return false
	}
	for _, name := range f.Fields() {
		if !baseFields[name] {
			return true
		}
	}
	return false
}

// includesDeleted reports whether a filter asks about status or change
// time: delta pollers then also see tobedeleted records.
func includesDeleted(f *query.Filter) bool {
	if f == nil {
		return false
	}
	for _, name := range f.Fields() {
		if name == "status" || name == "dateLastModified" {
			return true
		}
	}
	return false
}

func badQuery(err error) error {
	if qe, ok := err.(*query.Error); ok { //nolint:errorlint // query returns *Error unwrapped
		return httperr.New(http.StatusBadRequest, qe.Reason).WithCode(qe.Code)
	}
	return err
}

// collection serves one page of the records of kind that pred selects (all
// when nil); a base collection names itself in cacheKey so its selection is
// computed once per roster version.
func (h *Handler) collection(q req, kind oneroster.Kind, key, cacheKey string, pred func(oneroster.Entity) bool) error {
	c := q.c
	p, err := query.Parse(func(k string) string { return c.Query(k) }, knownField(kind))
	if err != nil {
		return badQuery(err)
	}
	v, err := h.view(q, kind)
	if err != nil {
		return err
	}
	withDeleted := includesDeleted(p.Filter)
	full := needsFull(p.Filter)
	items := p.Match(v.subset(cacheKey, withDeleted, full, pred))
	keyOf := v.sortKey(p.Sort)
	if full {
		keyOf = func(it query.Item) string {
			if vs := query.Lookup(it.Obj, p.Sort); len(vs) > 0 {
				return vs[0]
			}
			return ""
		}
	}
	if p.Sorted() && p.Filter == nil && cacheKey != "" {
		// Moodle sorts every page of /users by familyName: sort once per
		// roster version, not once per page.
		ck := fmt.Sprintf("%s\x00%t\x00sort\x00%s\x00%t", cacheKey, withDeleted, p.Sort, p.Desc)
		items = v.cached(ck, func() []query.Item { return p.OrderBy(items, keyOf) })
	} else {
		items = p.OrderBy(items, keyOf)
	}
	page, total := p.Page(items)

	var body bytes.Buffer
	body.WriteString(`{"`)
	body.WriteString(key)
	body.WriteString(`":[`)
	for i, it := range page {
		if i > 0 {
			body.WriteByte(',')
		}
		if len(p.Fields) > 0 {
			b, err := json.Marshal(p.Project(v.obj(it.Pos)))
			if err != nil {
				return err
			}
			body.Write(b)
			continue
		}
		body.Write(v.raw[it.Pos])
	}
	body.WriteByte(']')
	h.statusInfo(&body, q.ver)
	body.WriteByte('}')

	c.Set("X-Total-Count", strconv.Itoa(total))
	if link := links(c, p, total); link != "" {
		c.Set(fiber.HeaderLink, link)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(body.Bytes())
}

func (h *Handler) statusInfo(body *bytes.Buffer, ver version) {
	if !h.StatusInfoCompat || ver.name != v12.name {
		return
	}
	body.WriteString(`,"imsx_statusInfo":{"imsx_codeMajor":"success","imsx_severity":"status","imsx_CodeMinor":{"imsx_codeMinorField":[{"imsx_codeMinorFieldName":"TargetEndSystem","imsx_codeMinorFieldValue":"fullsuccess"}]}}`)
}

// single serves one record wrapped in its singular key.
func (h *Handler) single(q req, kind oneroster.Kind, key string, pred func(oneroster.Entity) bool) error {
	c := q.c
	p, err := query.Parse(func(k string) string {
		if k == "fields" {
			return c.Query(k)
		}
		return ""
	}, knownField(kind))
	if err != nil {
		return badQuery(err)
	}
	v, err := h.view(q, kind)
	if err != nil {
		return err
	}
	i, ok := v.byID[c.Params("id")]
	// Gradebook and resources records leave when deleted (R35); roster
	// tombstones stay readable for delta pollers.
	gone := ok && !oneroster.IsRoster(kind) && v.deleted[i] // ok first: an empty collection has no v.deleted[0]
	if !ok || (pred != nil && !pred(v.ents[i])) || gone {
		return httperr.New(http.StatusNotFound, "no "+key+" with that sourcedId").WithCode("unknownobject")
	}
	var body bytes.Buffer
	body.WriteString(`{"`)
	body.WriteString(key)
	body.WriteString(`":`)
	if len(p.Fields) > 0 {
		b, err := json.Marshal(p.Project(v.obj(i)))
		if err != nil {
			return err
		}
		body.Write(b)
	} else {
		body.Write(v.raw[i])
	}
	h.statusInfo(&body, q.ver)
	body.WriteByte('}')
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(body.Bytes())
}

// links builds the Link header of a collection response.
func links(c *fiber.Ctx, p query.Params, total int) string {
	vals := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) { vals.Add(string(k), string(v)) })
	return linkHeader(c.Path(), vals, p, total)
}

// linkHeader builds the RFC 5988 Link header: first and last always, prev
// and next where they exist; the other query parameters are kept.
func linkHeader(path string, vals url.Values, p query.Params, total int) string {
	if vals == nil {
		vals = url.Values{}
	}
	at := func(off int) string {
		vals.Set("offset", strconv.Itoa(off))
		vals.Set("limit", strconv.Itoa(p.Limit))
		return "<" + path + "?" + vals.Encode() + ">"
	}
	last := 0
	if total > 0 {
		last = (total - 1) / p.Limit * p.Limit
	}
	parts := []string{at(0) + `; rel="first"`}
	if p.Offset > 0 {
		parts = append(parts, at(max(0, p.Offset-p.Limit))+`; rel="prev"`)
	}
	if p.Offset+p.Limit < total {
		parts = append(parts, at(p.Offset+p.Limit)+`; rel="next"`)
	}
	parts = append(parts, at(last)+`; rel="last"`)
	return strings.Join(parts, ", ")
}
