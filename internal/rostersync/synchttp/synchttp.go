package synchttp

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/httperr"
)

// RunReader reads a tenant's connector runs.
type RunReader interface {
	Run(ctx context.Context, tenant, id string) (connectors.Run, error)
	Runs(ctx context.Context, tenant, connector string, limit int) ([]connectors.Run, error)
}

// Handler serves /admin/connectors/runs for the caller's own tenant.
type Handler struct {
	Auth  *auth.Authenticator
	Store RunReader
}

// Mount adds the run report routes, behind the admin scope.
func (h *Handler) Mount(r fiber.Router) {
	g := r.Group("/admin/connectors/runs", httpauth.Any(h.Auth), httpauth.Require(auth.ScopeAdmin))
	g.Get("/", h.list)
	g.Get("/:id", h.get)
}

// list answers GET /admin/connectors/runs?connector=ID&limit=N, newest first.
func (h *Handler) list(c *fiber.Ctx) error {
	p := httpauth.Principal(c)
	limit := 50
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return httperr.New(http.StatusBadRequest, "limit must be 1 to 1000")
		}
		limit = n
	}
	runs, err := h.Store.Runs(c.UserContext(), p.Tenant, c.Query("connector"), limit)
	if err != nil {
		return err
	}
	if runs == nil {
		runs = []connectors.Run{}
	}
	return c.JSON(runs)
}

// get answers GET /admin/connectors/runs/:id.
func (h *Handler) get(c *fiber.Ctx) error {
	p := httpauth.Principal(c)
	run, err := h.Store.Run(c.UserContext(), p.Tenant, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(run)
}
