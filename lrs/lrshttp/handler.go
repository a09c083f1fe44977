package lrshttp

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs"
)

// Scopes of xAPI credentials (product.md), named once in internal/auth.
const (
	scopeStatementsWrite  = auth.ScopeStatementsWrite
	scopeStatementsRead   = auth.ScopeStatementsRead
	scopeStatementsMine   = auth.ScopeStatementsReadMine
	scopeState            = auth.ScopeState
	scopeDefine           = auth.ScopeDefine
	scopeProfile          = auth.ScopeProfile
	scopeAllRead          = auth.ScopeAllRead
	scopeAll              = auth.ScopeAll
	headerVersion         = "X-Experience-API-Version"
	headerConsistent      = "X-Experience-API-Consistent-Through"
	defaultRequestTimeout = 30 * time.Second
)

// Handler serves the xAPI resources under /xapi/.
type Handler struct {
	// Store keeps statements and documents.
	Store lrs.Store
	// Auth checks credentials.
	Auth *auth.Authenticator
	// Logger receives operational logs (never personal data).
	Logger *slog.Logger
	// Clock returns the current time.
	Clock func() time.Time
	// PublicURL is the server's external base URL; credentials' authority
	// accounts use it as their homePage.
	PublicURL string
	// BodyLimit bounds a request body after decompression.
	BodyLimit int64
}

var _ server.Mounter = (*Handler)(nil)

type versionKey struct{}

// version returns the request's xAPI version (set by the version middleware).
func version(c *fiber.Ctx) lrs.Version {
	v, _ := c.Locals(versionKey{}).(lrs.Version)
	if v == 0 {
		return lrs.V2
	}
	return v
}

// Mount adds the xAPI routes.
func (h *Handler) Mount(r fiber.Router) {
	g := r.Group("/xapi", h.cors, h.alternate, h.version)
	g.Get("/about", h.about)

	authn := httpauth.Any(h.Auth)
	read := func(extra ...string) fiber.Handler {
		return h.launchBound(httpauth.Require(append([]string{scopeAll, scopeAllRead}, extra...)...))
	}
	write := func(extra ...string) fiber.Handler {
		return h.launchBound(httpauth.Require(append([]string{scopeAll}, extra...)...))
	}
	g.Get("/statements", authn, read(scopeStatementsRead, scopeStatementsMine), h.getStatements)
	g.Put("/statements", authn, write(scopeStatementsWrite), h.putStatement)
	g.Post("/statements", authn, write(scopeStatementsWrite), h.postStatements)

	g.Get("/activities/state", authn, read(scopeState), h.getDocuments(lrs.KindState))
	g.Put("/activities/state", authn, write(scopeState), h.writeDocument(lrs.KindState, lrs.ModePut))
	g.Post("/activities/state", authn, write(scopeState), h.writeDocument(lrs.KindState, lrs.ModePost))
	g.Delete("/activities/state", authn, write(scopeState), h.deleteDocuments(lrs.KindState))

	g.Get("/activities/profile", authn, read(scopeProfile), h.getDocuments(lrs.KindActivityProfile))
	g.Put("/activities/profile", authn, write(scopeProfile), h.writeDocument(lrs.KindActivityProfile, lrs.ModePut))
	g.Post("/activities/profile", authn, write(scopeProfile), h.writeDocument(lrs.KindActivityProfile, lrs.ModePost))
	g.Delete("/activities/profile", authn, write(scopeProfile), h.deleteDocuments(lrs.KindActivityProfile))

	g.Get("/agents/profile", authn, read(scopeProfile), h.getDocuments(lrs.KindAgentProfile))
	g.Put("/agents/profile", authn, write(scopeProfile), h.writeDocument(lrs.KindAgentProfile, lrs.ModePut))
	g.Post("/agents/profile", authn, write(scopeProfile), h.writeDocument(lrs.KindAgentProfile, lrs.ModePost))
	g.Delete("/agents/profile", authn, write(scopeProfile), h.deleteDocuments(lrs.KindAgentProfile))

	g.Get("/activities", authn, read(scopeStatementsRead, scopeStatementsMine, scopeDefine, scopeProfile, scopeState), h.getActivity)
	g.Get("/agents", authn, read(scopeStatementsRead, scopeStatementsMine, scopeDefine, scopeProfile, scopeState), h.getAgent)
}

// cors lets browser-launched content (served from another origin) call
// the LRS: credentials travel in the Authorization header, never in cookies,
// so any origin may be allowed. Preflight requests are answered here,
// before version routing, as browsers send them without xAPI headers.
func (h *Handler) cors(c *fiber.Ctx) error {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return c.Next()
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderAccessControlExposeHeaders, "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through")
	if c.Method() != fiber.MethodOptions {
		return c.Next()
	}
	c.Set(fiber.HeaderAccessControlAllowMethods, "GET, HEAD, PUT, POST, DELETE, OPTIONS")
	c.Set(fiber.HeaderAccessControlAllowHeaders, "Authorization, Content-Type, Content-Encoding, X-Experience-API-Version, If-Match, If-None-Match, Accept-Language")
	c.Set(fiber.HeaderAccessControlMaxAge, "86400")
	return c.SendStatus(http.StatusNoContent)
}

// version routes each request by X-Experience-API-Version: 1.0.x and 2.0.x
// are served, anything else is a 400. The About resource answers without
// the header. Every response carries the version it was answered under.
func (h *Handler) version(c *fiber.Ctx) error {
	hv := strings.TrimSpace(c.Get(headerVersion))
	v, err := lrs.ParseVersion(hv)
	if err != nil {
		if c.Path() == "/xapi/about" && hv == "" {
			c.Set(headerVersion, lrs.V2.String())
			return c.Next()
		}
		c.Set(headerVersion, lrs.V2.String())
		return err
	}
	c.Locals(versionKey{}, v)
	c.Set(headerVersion, v.String())
	ctx, cancel := context.WithTimeout(c.UserContext(), defaultRequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

func (h *Handler) about(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	v, _ := c.Locals(versionKey{}).(lrs.Version) // 0 without a header
	return c.JSON(fiber.Map{"version": lrs.AboutVersions(v), "extensions": fiber.Map{}})
}

// authority returns the Agent that statements sent by p are attributed to,
// and its IFI key.
func (h *Handler) authority(p auth.Principal) (map[string]any, string) {
	a := map[string]any{
		"objectType": "Agent",
		"account":    map[string]any{"homePage": strings.TrimRight(h.PublicURL, "/") + "/xapi/credentials", "name": p.Key},
	}
	if p.Name != "" {
		a["name"] = p.Name
	}
	return a, lrs.AgentKey(a)
}

// queryValues returns the raw query parameters with every repetition.
func queryValues(c *fiber.Ctx) (url.Values, error) {
	v, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return nil, &lrs.ValidationError{Field: "query", Reason: "the query string is malformed"}
	}
	return v, nil
}

// body returns the request body decompressed through a bounded reader.
func (h *Handler) body(c *fiber.Ctx) ([]byte, error) {
	limit := h.BodyLimit
	if limit <= 0 {
		limit = 16 << 20
	}
	b, err := server.DecodedBody(c, limit)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// alternate implements the Alternate Request Syntax (xAPI 1.0.3
// Communication 1.3): a POST with a "method" query parameter and a
// form-encoded body carrying headers, parameters and content. xAPI 2.0
// removed it, so there it is refused.
func (h *Handler) alternate(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodPost {
		return c.Next()
	}
	qv, err := queryValues(c)
	if err != nil {
		return err
	}
	method, ok := qv["method"]
	if !ok {
		return c.Next()
	}
	raw, err := h.body(c)
	if err != nil {
		return err
	}
	form, ferr := url.ParseQuery(string(raw))
	// Comm 1.3: the form's X-Experience-API-Version stands for the header.
	// When the request also carries a valid real header, that one is kept:
	// the ADL 1.0.3 suite sends a bogus form value ("0.8") beside a real
	// 1.0.3 header and expects the statement to be stored.
	realHV := strings.TrimSpace(c.Get(headerVersion))
	_, realErr := lrs.ParseVersion(realHV)
	hv := realHV
	if realErr != nil {
		hv = form.Get(headerVersion)
	}
	if v, err := lrs.ParseVersion(hv); err == nil && v == lrs.V2 {
		return &lrs.ValidationError{Field: "method", Reason: "the Alternate Request Syntax is not part of xAPI 2.0"}
	}
	if len(qv) != 1 || len(method) != 1 {
		return &lrs.ValidationError{Field: "query", Reason: "an Alternate Request Syntax request takes no query parameter but method"}
	}
	m := strings.ToUpper(method[0])
	switch m {
	case fiber.MethodGet, fiber.MethodPut, fiber.MethodPost, fiber.MethodDelete, fiber.MethodHead:
	default:
		return &lrs.ValidationError{Field: "method", Reason: "must be GET, PUT, POST, DELETE or HEAD"}
	}
	// An empty body is an empty form whatever its label (the ADL 1.0.3
	// suite sends POST ?method=GET with no body and no Content-Type).
	if len(raw) > 0 && !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), "application/x-www-form-urlencoded") {
		return &lrs.ValidationError{Field: "Content-Type", Reason: "an Alternate Request Syntax request must be application/x-www-form-urlencoded"}
	}
	if ferr != nil {
		return &lrs.ValidationError{Field: "body", Reason: "the form body is malformed"}
	}
	req := c.Request()
	params := url.Values{}
	var content []byte
	req.Header.Del(fiber.HeaderContentEncoding)
	req.Header.Del(fiber.HeaderContentType)
	for k, vals := range form {
		val := vals[0]
		switch strings.ToLower(k) {
		case "content":
			content = []byte(val)
		case "authorization":
			req.Header.Set(fiber.HeaderAuthorization, val)
		case "x-experience-api-version":
			if realErr != nil {
				req.Header.Set(headerVersion, val)
			}
		case "content-type":
			req.Header.Set(fiber.HeaderContentType, val)
		case "if-match":
			req.Header.Set(fiber.HeaderIfMatch, val)
		case "if-none-match":
			req.Header.Set(fiber.HeaderIfNoneMatch, val)
		case "content-length", "accept-language", "accept":
			req.Header.Set(k, val)
		default:
			params[k] = vals
		}
	}
	if content != nil && len(req.Header.ContentType()) == 0 {
		req.Header.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	}
	req.SetBody(content)
	req.URI().SetQueryString(params.Encode())
	c.Method(m)
	return c.RestartRouting()
}

// httpDate renders t as an HTTP date (Last-Modified).
func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// errUnsupported is a 400 for a request shape the resource does not take.
func errUnsupported(field, reason string) error {
	return &lrs.ValidationError{Field: field, Reason: reason}
}
