package ltihttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/store"
)

func (h *Handler) listContent(c *fiber.Ctx) error {
	ctx, cancel := h.ctx(c)
	defer cancel()
	items, err := h.Store.Contents(ctx, httpauth.Principal(c).Tenant)
	if err != nil {
		return fmt.Errorf("list catalogue: %w", err)
	}
	if q := c.Query("q"); q != "" {
		items = lti.SearchContents(items, q)
	}
	if items == nil {
		items = []lti.Content{}
	}
	return c.JSON(fiber.Map{"items": items})
}

func (h *Handler) getContent(c *fiber.Ctx) error {
	ctx, cancel := h.ctx(c)
	defer cancel()
	item, err := h.Store.Content(ctx, httpauth.Principal(c).Tenant, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(item)
}

func (h *Handler) putContent(c *fiber.Ctx) error {
	ctx, cancel := h.ctx(c)
	defer cancel()
	tenant := httpauth.Principal(c).Tenant
	body, err := server.DecodedBody(c, 64<<10)
	if err != nil {
		return err
	}
	var item lti.Content
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&item); err != nil {
		return httperr.Wrap(http.StatusBadRequest, "the body must be one catalogue item as JSON", err)
	}
	id := c.Params("id")
	if item.ID != "" && item.ID != id {
		return httperr.New(http.StatusBadRequest, "the item id in the body differs from the one in the path")
	}
	item.ID, item.Tenant = id, tenant
	if err := item.Validate(); err != nil {
		return err
	}
	now := h.Tool.Now()
	status := http.StatusCreated
	old, err := h.Store.Content(ctx, tenant, id)
	switch {
	case err == nil:
		item.Created, status = old.Created, http.StatusOK
	case errors.Is(err, store.ErrNotFound):
		item.Created = now
	default:
		return fmt.Errorf("load catalogue item: %w", err)
	}
	item.Updated = now
	if err := h.Store.PutContent(ctx, item); err != nil {
		return fmt.Errorf("save catalogue item: %w", err)
	}
	return c.Status(status).JSON(item)
}

func (h *Handler) deleteContent(c *fiber.Ctx) error {
	ctx, cancel := h.ctx(c)
	defer cancel()
	if err := h.Store.DeleteContent(ctx, httpauth.Principal(c).Tenant, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

// registrationView is a registration as the admin API shows it (no keys).
type registrationView struct {
	ID                   string    `json:"id"`
	Issuer               string    `json:"issuer"`
	ClientID             string    `json:"clientId"`
	Deployments          []string  `json:"deployments"`
	AcceptNewDeployments bool      `json:"acceptNewDeployments"`
	ProductFamily        string    `json:"productFamily,omitempty"`
	Source               string    `json:"source,omitempty"`
	Disabled             bool      `json:"disabled"`
	Created              time.Time `json:"created"`
}

func (h *Handler) listRegistrations(c *fiber.Ctx) error {
	ctx, cancel := h.ctx(c)
	defer cancel()
	regs, err := h.Store.Registrations(ctx, httpauth.Principal(c).Tenant)
	if err != nil {
		return fmt.Errorf("list registrations: %w", err)
	}
	out := []registrationView{}
	for _, r := range regs {
		out = append(out, registrationView{r.ID, r.Issuer, r.ClientID, r.Deployments, r.AcceptNewDeployments, r.ProductFamily, r.Source, r.Disabled, r.Created})
	}
	return c.JSON(fiber.Map{"registrations": out})
}
