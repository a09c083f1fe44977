package ltihttp

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/internal/server"
)

var _ server.ErrorRenderer = (*Handler)(nil)

// ErrorPrefix says the handler renders the errors of /lti/ paths.
func (h *Handler) ErrorPrefix() string { return "/lti/" }

// RenderError writes the plain-words error page shown inside the LMS frame,
// and logs the error id beside the request id and the refusal code, so an
// administrator given the reference finds the technical reason.
func (h *Handler) RenderError(c *fiber.Ctx, e httperr.Resolved, errorID string) error {
	h.logger().InfoContext(c.UserContext(), "lti error page", "error_id", errorID, "status", e.Status, "code", e.Code)
	return h.html(c, e.Status, "error", map[string]any{
		"Title":   http.StatusText(e.Status),
		"Message": e.Message,
		"ID":      errorID,
		"Status":  e.Status,
	})
}
