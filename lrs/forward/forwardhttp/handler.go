package forwardhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs/forward"
)

// maxBody bounds an erasure request body.
const maxBody = 64 << 10

// eraseTimeout bounds one erasure.
const eraseTimeout = 5 * time.Minute

// Handler serves /admin/lrs/erasures for the caller's own tenant.
type Handler struct {
	// Auth checks credentials.
	Auth *auth.Authenticator
	// Store erases and keeps the audit records.
	Store forward.Eraser
	// Logger receives operational logs (counts only, never the learner).
	Logger *slog.Logger
	// Clock returns the current time.
	Clock func() time.Time
}

var _ server.Mounter = (*Handler)(nil)

// Mount adds the erasure routes behind the admin scope.
func (h *Handler) Mount(r fiber.Router) {
	g := r.Group("/admin/lrs/erasures", httpauth.Any(h.Auth), httpauth.Require(auth.ScopeAdmin))
	g.Post("/", h.erase)
	g.Get("/", h.list)
}

// eraseRequest is the body of POST /admin/lrs/erasures.
type eraseRequest struct {
	Agent  json.RawMessage `json:"agent"`
	DryRun bool            `json:"dry_run"`
}

// erasureView is an audit record as the API shows it.
type erasureView struct {
	ID          string    `json:"id,omitempty"`
	At          time.Time `json:"at"`
	DryRun      bool      `json:"dry_run"`
	RequestedBy string    `json:"requested_by"`
	SubjectHash string    `json:"subject_hash"`
	Salt        string    `json:"salt"`
	forward.ErasureCounts
}

func view(r forward.ErasureRecord, dry bool) erasureView {
	v := erasureView{At: r.At, DryRun: dry, RequestedBy: r.RequestedBy, SubjectHash: r.SubjectHash, Salt: r.Salt, ErasureCounts: r.ErasureCounts}
	if !dry {
		v.ID = r.ID.String()
	}
	return v
}

func (h *Handler) erase(c *fiber.Ctx) error {
	body, err := server.DecodedBody(c, maxBody)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req eraseRequest
	if err := dec.Decode(&req); err != nil {
		return httperr.Wrap(http.StatusBadRequest, `body must be JSON {"agent": {...}, "dry_run": false}`, err)
	}
	if len(req.Agent) == 0 {
		return httperr.New(http.StatusBadRequest, "agent is required")
	}
	p := httpauth.Principal(c)
	ctx, cancel := context.WithTimeout(c.UserContext(), eraseTimeout)
	defer cancel()
	rec, err := forward.Erase(ctx, h.Store, forward.ErasureRequest{
		Tenant: p.Tenant, Agent: bytes.Clone(req.Agent), RequestedBy: p.Key, DryRun: req.DryRun,
	}, h.Clock())
	if err != nil {
		return err
	}
	if !req.DryRun {
		h.Logger.InfoContext(ctx, "learner erased", "erasure_id", rec.ID.String(), "statements", rec.Statements,
			"documents", rec.Documents, "attachments", rec.Attachments)
	}
	return c.JSON(view(rec, req.DryRun))
}

func (h *Handler) list(c *fiber.Ctx) error {
	p := httpauth.Principal(c)
	recs, err := h.Store.ErasureRecords(c.UserContext(), p.Tenant)
	if err != nil {
		return err
	}
	out := make([]erasureView, 0, len(recs))
	for _, r := range recs {
		out = append(out, view(r, false))
	}
	return c.JSON(out)
}
