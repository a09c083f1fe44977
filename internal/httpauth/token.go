package httpauth

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httperr"
)

// TokenPath is the OAuth 2.0 token endpoint.
const TokenPath = "/oauth/token"

// TokenHandler is the OAuth 2.0 client-credentials token endpoint (RFC 6749
// §4.4). Clients authenticate with HTTP Basic (client_secret_basic) or with
// client_id and client_secret in the form (client_secret_post). Tokens are
// opaque, stored only as their SHA-256, and live auth.TokenTTL.
type TokenHandler struct {
	Auth *auth.Authenticator
	Now  func() time.Time
}

// Mount adds the token endpoint.
func (h *TokenHandler) Mount(r fiber.Router) {
	r.Post(TokenPath, h.token)
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

func oauthError(status int, code, msg string) *httperr.Error {
	return httperr.New(status, msg).WithCode(code)
}

func (h *TokenHandler) token(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Pragma", "no-cache")
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationForm) {
		return oauthError(http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
	}
	key, secret, viaBasic := "", "", false
	if scheme, value, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " "); ok && strings.EqualFold(scheme, "Basic") {
		var ok bool
		if key, secret, ok = decodeBasic(strings.TrimSpace(value)); !ok {
			c.Set(fiber.HeaderWWWAuthenticate, `Basic realm="`+Realm+`"`)
			return oauthError(http.StatusUnauthorized, "invalid_client", "malformed client authentication")
		}
		viaBasic = true
	} else {
		key, secret = c.FormValue("client_id"), c.FormValue("client_secret")
	}
	if gt := c.FormValue("grant_type"); gt != "client_credentials" {
		if gt == "" {
			return oauthError(http.StatusBadRequest, "invalid_request", "grant_type is required")
		}
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "only the client_credentials grant is supported")
	}
	requested := c.FormValue("scope")
	scopes, err := auth.ParseScopes(requested)
	if err != nil {
		return oauthError(http.StatusBadRequest, "invalid_scope", err.Error())
	}
	raw, t, err := h.Auth.IssueToken(c.UserContext(), key, secret, scopes)
	switch {
	case errors.Is(err, auth.ErrBadCredentials):
		if viaBasic {
			c.Set(fiber.HeaderWWWAuthenticate, `Basic realm="`+Realm+`"`)
		}
		return oauthError(http.StatusUnauthorized, "invalid_client", "client authentication failed")
	case errors.Is(err, auth.ErrScope):
		return oauthError(http.StatusBadRequest, "invalid_scope", "the client may not have the requested scope")
	case err != nil:
		return httperr.Wrap(http.StatusServiceUnavailable, "tokens cannot be issued right now", err).WithCode("temporarily_unavailable")
	}
	scope := strings.Join(t.Scopes, " ")
	if requested != "" {
		scope = strings.Join(strings.Fields(strings.ReplaceAll(requested, ",", " ")), " ")
	}
	return c.JSON(tokenResponse{
		AccessToken: raw,
		TokenType:   "Bearer",
		ExpiresIn:   int(t.Expires.Sub(h.Now()).Seconds()),
		Scope:       scope,
	})
}
