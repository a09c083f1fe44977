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

// imsxStatus is a OneRoster status-info body: an object for 1.2, wrapped in
// statusInfoSet for 1.1 (the shape Moodle's 1.1 client reads).
func imsxStatus(r httperr.Resolved, path string) any {
	minor := r.Code
	if minor == "" {
		switch r.Status {
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			minor = "invaliddata"
		case http.StatusUnauthorized:
			minor = "unauthorisedrequest"
		case http.StatusForbidden:
			minor = "forbidden"
		case http.StatusNotFound:
			minor = "unknownobject"
		case http.StatusTooManyRequests:
			minor = "server_busy"
		default:
			minor = "internal_server_error"
		}
	}
	switch minor {
	case "unauthorized":
		minor = "unauthorisedrequest"
	}
	info := fiber.Map{
		"imsx_codeMajor":   "failure",
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
