package ltihttp

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/store"
)

// sessionCookies sets (maxAge > 0) or clears (maxAge < 0) the tool's
// session cookie: HttpOnly, Secure, SameSite=None, and a Partitioned twin
// for browsers that keep third-party cookies only per top-level site.
func sessionCookies(c *fiber.Ctx, value string, maxAge int) {
	base := "=" + value + "; Path=/lti/; Max-Age=" + strconv.Itoa(maxAge) + "; HttpOnly; Secure; SameSite=None"
	c.Response().Header.Add(fiber.HeaderSetCookie, lti.SessionCookieName+base)
	c.Response().Header.Add(fiber.HeaderSetCookie, lti.SessionCookieName+"_p"+base+"; Partitioned")
}

// startSession gives the browser the tool's own session after a valid
// content launch. The page renders whether or not the browser keeps the
// cookie; a failure to sign is logged, never shown.
func (h *Handler) startSession(c *fiber.Ctx, ctx context.Context, l *lti.Launch, p *contentLaunch) {
	s := lti.ToolSession{
		Tenant: l.Registration.Tenant, RegistrationID: l.Registration.ID, DeploymentID: l.DeploymentID,
		ContentID: p.content.ID,
	}
	if p.learner {
		s.LearnerID, s.Attempt = p.li.Learner.LearnerID, p.li.Attempt
	}
	raw, _, err := h.Tool.IssueSession(ctx, s)
	if err != nil {
		h.logger().WarnContext(ctx, "lti session not started", "tenant", s.Tenant, "err", err)
		return
	}
	sessionCookies(c, raw, int(lti.SessionTTL.Seconds()))
}

// sessionContent serves a content page under the tool's own path from the
// tool's session (no id_token): only the content the session launched.
func (h *Handler) sessionContent(c *fiber.Ctx) error {
	ctx, cancel := h.ctx(c)
	defer cancel()
	raw := c.Cookies(lti.SessionCookieName)
	if raw == "" {
		raw = c.Cookies(lti.SessionCookieName + "_p")
	}
	noSession := httperr.New(http.StatusBadRequest, "Open this activity from your learning platform's course page.")
	if raw == "" {
		return noSession
	}
	s, err := h.Tool.VerifySession(ctx, raw)
	if errors.Is(err, lti.ErrSession) {
		return noSession
	}
	if err != nil {
		return err
	}
	if s.ContentID != c.Params("id") {
		return noSession
	}
	content, err := h.Store.Content(ctx, s.Tenant, s.ContentID)
	if errors.Is(err, store.ErrNotFound) {
		return httperr.Wrap(http.StatusNotFound, "This activity is no longer in the Passport catalogue. Ask your teacher to choose it again.", err)
	}
	if err != nil {
		return err
	}
	return h.html(c, http.StatusOK, "content", map[string]any{
		"Title": content.Title, "Content": content, "Anonymous": s.LearnerID == "", "LaunchURL": content.LaunchURL,
	})
}
