package forwardhttp

import (
	"encoding/json"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
)

// ScopeAdmin is the scope of the admin API.
const ScopeAdmin = "admin"

// Handler serves the LRS admin routes: erasing a learner and listing the
// erasure audit records of the caller's tenant.
type Handler struct {
	Store     forward.Eraser
	Auth      *auth.Authenticator
	Logger    *slog.Logger
	Clock     func() time.Time
	BodyLimit int64
}

var _ server.Mounter = (*Handler)(nil)

// Mount adds POST and GET /admin/lrs/erasures.
func (h *Handler) Mount(r fiber.Router) {
	authn := httpauth.Any(h.Auth)
	r.Post("/admin/lrs/erasures", authn, httpauth.Require(ScopeAdmin), h.erase)
	r.Get("/admin/lrs/erasures", authn, httpauth.Require(ScopeAdmin), h.erasures)
}

// erase takes {"agent": <Agent>} and erases that learner's data.
func (h *Handler) erase(c *fiber.Ctx) error {
	limit := h.BodyLimit
	if limit <= 0 {
		limit = 1 << 20
	}
	raw, err := server.DecodedBody(c, limit)
	if err != nil {
		return err
	}
	var req struct {
		Agent json.RawMessage `json:"agent"`
	}
	if err := json.Unmarshal(raw, &req); err != nil || len(req.Agent) == 0 {
		return &lrs.ValidationError{Field: "agent", Reason: "the body must be {\"agent\": <Agent>}"}
	}
	key, err := lrs.ParseAgentParam("agent", string(req.Agent), lrs.V2)
	if err != nil {
		return err
	}
	p := httpauth.Principal(c)
	e, err := h.Store.EraseAgent(c.UserContext(), p.Tenant, key, forward.Erasure{ID: uuid.New(), At: h.Clock(), By: p.Key})
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
		list = []forward.Erasure{}
	}
	return c.JSON(list)
}
