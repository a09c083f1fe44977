package lrshttp

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/lrs"
)

// ScopeAdmin is the scope of the admin API.
const ScopeAdmin = "admin"

// mountAdmin adds the LRS admin routes: erasing a learner and listing the
// erasure audit records of the caller's tenant.
func (h *Handler) mountAdmin(r fiber.Router) {
	authn := httpauth.Any(h.Auth)
	r.Post("/admin/lrs/erasures", authn, httpauth.Require(ScopeAdmin), h.erase)
	r.Get("/admin/lrs/erasures", authn, httpauth.Require(ScopeAdmin), h.erasures)
}

// erase takes {"agent": <Agent>} and erases that learner's data.
func (h *Handler) erase(c *fiber.Ctx) error {
	raw, err := h.body(c)
	if err != nil {
		return err
	}
	var req struct {
		Agent json.RawMessage `json:"agent"`
	}
	if err := json.Unmarshal(raw, &req); err != nil || len(req.Agent) == 0 {
		return errUnsupported("agent", "the body must be {\"agent\": <Agent>}")
	}
	key, err := lrs.ParseAgentParam("agent", string(req.Agent), lrs.V2)
	if err != nil {
		return err
	}
	p := httpauth.Principal(c)
	e, err := h.Store.EraseAgent(c.UserContext(), p.Tenant, key, lrs.Erasure{ID: uuid.New(), At: h.Clock(), By: p.Key})
	if err != nil {
		return err
	}
	h.Logger.InfoContext(c.UserContext(), "learner erased", "erasure_id", e.ID.String(),
		"statements", e.Statements, "documents", e.Documents, "attachments", e.Attachments)
	return c.JSON(e)
}

func (h *Handler) erasures(c *fiber.Ctx) error {
	list, err := h.Store.Erasures(c.UserContext(), httpauth.Principal(c).Tenant)
	if err != nil {
		return err
	}
	if list == nil {
		list = []lrs.Erasure{}
	}
	return c.JSON(list)
}
