package adminhttp

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/store"
)

// CredentialStore is what the credentials admin API reads and changes.
type CredentialStore interface {
	Credentials(ctx context.Context, tenant string) ([]auth.Credential, error)
	SetCredentialDisabled(ctx context.Context, tenant, key string, disabled bool) error
}

// Handler serves /admin/credentials for the caller's own tenant; it never
// names or touches another tenant's credentials.
type Handler struct {
	Auth  *auth.Authenticator
	Store CredentialStore
}

// Mount adds the admin credential routes, behind the admin scope.
func (h *Handler) Mount(r fiber.Router) {
	g := r.Group("/admin/credentials", httpauth.Any(h.Auth), httpauth.Require(auth.ScopeAdmin))
	g.Get("/", h.list)
	g.Post("/", h.create)
	g.Post("/:key/disable", h.setDisabled(true))
	g.Post("/:key/enable", h.setDisabled(false))
}

type credentialView struct {
	Key      string    `json:"key"`
	Name     string    `json:"name"`
	Scopes   []string  `json:"scopes"`
	Created  time.Time `json:"created"`
	Disabled bool      `json:"disabled"`
	// OAuth1 lists the OAuth 1.0a signature methods; absent when off.
	OAuth1 []string `json:"oauth1,omitempty"`
}

func (h *Handler) list(c *fiber.Ctx) error {
	p := httpauth.Principal(c)
	list, err := h.Store.Credentials(c.UserContext(), p.Tenant)
	if err != nil {
		return err
	}
	out := make([]credentialView, 0, len(list))
	for _, cr := range list {
		out = append(out, credentialView{Key: cr.Key, Name: cr.Name, Scopes: cr.Scopes, Created: cr.Created, Disabled: cr.Disabled, OAuth1: cr.OAuth1Methods})
	}
	return c.JSON(out)
}

type createRequest struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
	// OAuth1, when set, enables OAuth 1.0a: "hmac-sha256" or "hmac-sha1"
	// (which allows HMAC-SHA256 too), as credentials create --oauth1.
	OAuth1 string `json:"oauth1"`
}

func (h *Handler) create(c *fiber.Ctx) error {
	var req createRequest
	if err := c.BodyParser(&req); err != nil {
		return httperr.Wrap(http.StatusBadRequest, "body must be JSON {name, scopes}", err)
	}
	if req.Name == "" || len(req.Scopes) == 0 {
		return httperr.New(http.StatusBadRequest, "name and scopes are required")
	}
	scopes := make([]string, 0, len(req.Scopes))
	for _, s := range req.Scopes {
		parsed, err := auth.ParseScopes(s)
		if err != nil || len(parsed) != 1 {
			return httperr.New(http.StatusBadRequest, "unknown scope "+s)
		}
		scopes = append(scopes, parsed[0])
	}
	var opts []auth.CredentialOption
	if req.OAuth1 != "" {
		methods, err := auth.ParseOAuth1Option(req.OAuth1)
		if err != nil {
			return httperr.New(http.StatusBadRequest, "oauth1 must be hmac-sha256 or hmac-sha1")
		}
		opts = append(opts, auth.WithOAuth1(methods))
	}
	nc, err := h.Auth.CreateCredential(c.UserContext(), httpauth.Principal(c).Tenant, req.Name, scopes, opts...)
	if errors.Is(err, auth.ErrOAuth1Off) {
		return httperr.New(http.StatusBadRequest, "OAuth 1.0a is off on this server: it has no OAuth 1.0a master key")
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(http.StatusCreated).JSON(fiber.Map{"key": nc.Key, "secret": nc.Secret, "tenant": nc.Tenant, "scopes": nc.Scopes})
}

func (h *Handler) setDisabled(disabled bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := httpauth.Principal(c)
		key := c.Params("key")
		if key == p.Key && disabled {
			return httperr.New(http.StatusBadRequest, "a credential cannot disable itself")
		}
		err := h.Store.SetCredentialDisabled(c.UserContext(), p.Tenant, key, disabled)
		if errors.Is(err, store.ErrNotFound) {
			return httperr.New(http.StatusNotFound, "no such credential")
		}
		if err != nil {
			return err
		}
		return c.SendStatus(http.StatusNoContent)
	}
}
