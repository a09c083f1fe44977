package server

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/httperr"
)

// ErrorRenderer is an optional capability of a Mounter: it writes the error
// body of its own protocol for requests under Prefix.
type ErrorRenderer interface {
	ErrorPrefix() string
	RenderError(c *fiber.Ctx, e httperr.Resolved, errorID string) error
}

// handleError is the one place where errors become status codes and bodies
// (design.md §3.5). The body is in the shape of the protocol the path
// belongs to; internal causes are logged with the error id, never sent.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	r := httperr.Resolve(err)
	id := newID()
	level := slog.LevelDebug
	if r.Status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	s.logger.LogAttrs(c.UserContext(), level, "request failed",
		slog.String("error_id", id), slog.Int("status", r.Status), slog.String("err", err.Error()))

	c.Status(r.Status)
	path := c.Path()
	for _, m := range s.opts.Mounts {
		if er, ok := m.(ErrorRenderer); ok && strings.HasPrefix(path, er.ErrorPrefix()) {
			return er.RenderError(c, r, id)
		}
	}
	switch {
	case strings.HasPrefix(path, "/oauth/"):
		return c.JSON(fiber.Map{"error": oauthCode(r), "error_description": r.Message})
	case strings.HasPrefix(path, "/ims/oneroster/"):
		return c.JSON(imsxStatus(r, path))
	case strings.HasPrefix(path, "/lti/"):
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return errorPage.Execute(c.Response().BodyWriter(), pageData{Status: r.Status, Title: http.StatusText(r.Status), Message: r.Message, ID: id})
	default: // xAPI and everything else: a JSON error that names the problem
		body := fiber.Map{"errorId": id, "status": r.Status, "message": r.Message}
		if r.Code != "" {
			body["code"] = r.Code
		}
		return c.JSON(body)
	}
}

func oauthCode(r httperr.Resolved) string {
	if r.Code != "" {
		return r.Code
	}
	if r.Status >= 500 {
		return "server_error"
	}
	return "invalid_request"
}

// imsxMinors is the OneRoster imsx codeMinor vocabulary (1.1 and 1.2 REST
// bindings, plus 1.2's invalid_sort_field): a handler's Code is used as the
// codeMinor only when it is one of these.
var imsxMinors = map[string]bool{
	"fullsuccess": true, "invalid_filter_field": true, "invalid_selection_field": true,
	"invalid_sort_field": true, "invaliddata": true, "unauthorisedrequest": true,
	"forbidden": true, "server_busy": true, "unknownobject": true, "internal_server_error": true,
}

// imsxCodes returns the imsx codeMajor and default codeMinor of an HTTP
// status (oneroster.md §1.4): every 4xx is the client's failure, never an
// internal_server_error; a 405 is an operation the endpoint does not
// support (codeMajor unsupported); 429 and 503 say the server is busy.
func imsxCodes(status int) (major, minor string) {
	switch status {
	case http.StatusBadRequest, http.StatusConflict, http.StatusPreconditionFailed,
		http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return "failure", "invaliddata"
	case http.StatusUnauthorized:
		return "failure", "unauthorisedrequest"
	case http.StatusForbidden:
		return "failure", "forbidden"
	case http.StatusNotFound:
		return "failure", "unknownobject"
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return "unsupported", "invaliddata"
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return "failure", "server_busy"
	}
	if status >= 400 && status < 500 {
		return "failure", "invaliddata"
	}
	return "failure", "internal_server_error"
}

// imsxStatus is a OneRoster status-info body: an object for 1.2, wrapped in
// statusInfoSet for 1.1 (the shape Moodle's 1.1 client reads).
func imsxStatus(r httperr.Resolved, path string) any {
	major, minor := imsxCodes(r.Status)
	code := r.Code
	if code == "unauthorized" {
		code = "unauthorisedrequest"
	}
	if imsxMinors[code] {
		minor = code
	}
	info := fiber.Map{
		"imsx_codeMajor":   major,
		"imsx_severity":    "error",
		"imsx_description": r.Message,
		"imsx_CodeMinor": fiber.Map{"imsx_codeMinorField": []fiber.Map{{
			"imsx_codeMinorFieldName":  "TargetEndSystem",
			"imsx_codeMinorFieldValue": minor,
		}}},
	}
	if strings.HasPrefix(path, "/ims/oneroster/v1p1/") {
		return fiber.Map{"statusInfoSet": []fiber.Map{info}}
	}
	return info
}

type pageData struct {
	Status         int
	Title, Message string
	ID             string
}

// errorPage is what a person sees when an LTI launch is refused: plain words
// and an id to quote to the administrator, who finds the reason in the log.
var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Passport Bridge</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}code{background:#f3f3f3;padding:.1rem .3rem}</style></head>
<body><h1>This activity could not be opened</h1>
<p>{{.Message}}</p>
<p>If this keeps happening, give your administrator this reference: <code>{{.ID}}</code> ({{.Status}} {{.Title}}).</p>
</body></html>
`))
