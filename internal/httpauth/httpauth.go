package httpauth

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/internal/logctx"
)

// Realm is the protection space named in WWW-Authenticate challenges.
const Realm = "passport"

type principalKey struct{}

// Principal returns the principal an auth middleware put on c; the zero
// Principal if none ran.
func Principal(c *fiber.Ctx) auth.Principal {
	p, _ := c.Locals(principalKey{}).(auth.Principal)
	return p
}

// Basic authenticates HTTP Basic credentials (a credential's key and secret).
func Basic(a *auth.Authenticator) fiber.Handler {
	return middleware(a, true, false)
}

// Bearer authenticates an OAuth 2.0 bearer token issued by /oauth/token.
func Bearer(a *auth.Authenticator) fiber.Handler {
	return middleware(a, false, true)
}

// Any authenticates either HTTP Basic credentials or a bearer token.
func Any(a *auth.Authenticator) fiber.Handler {
	return middleware(a, true, true)
}

// Require answers 403 unless the principal holds any of scopes.
func Require(scopes ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !Principal(c).Has(scopes...) {
			return httperr.New(http.StatusForbidden, "the credential lacks the scope this request needs").WithCode("forbidden")
		}
		return c.Next()
	}
}

func middleware(a *auth.Authenticator, basic, bearer bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		scheme, value, _ := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
		value = strings.TrimSpace(value)
		var (
			p   auth.Principal
			err = auth.ErrBadCredentials
		)
		switch {
		case basic && strings.EqualFold(scheme, "Basic"):
			if key, secret, ok := decodeBasic(value); ok {
				p, err = a.Basic(c.UserContext(), key, secret)
			}
		case bearer && strings.EqualFold(scheme, "Bearer"):
			p, err = a.Bearer(c.UserContext(), value)
		}
		if errors.Is(err, auth.ErrBadCredentials) {
			if basic {
				c.Response().Header.Add(fiber.HeaderWWWAuthenticate, `Basic realm="`+Realm+`", charset="UTF-8"`)
			}
			if bearer {
				c.Response().Header.Add(fiber.HeaderWWWAuthenticate, `Bearer realm="`+Realm+`"`)
			}
			return httperr.New(http.StatusUnauthorized, "missing or invalid credentials").WithCode("unauthorized")
		}
		if err != nil {
			return httperr.Wrap(http.StatusServiceUnavailable, "credentials cannot be checked right now", err)
		}
		c.Locals(principalKey{}, p)
		c.SetUserContext(logctx.With(c.UserContext(), "tenant", p.Tenant))
		return c.Next()
	}
}

// decodeBasic reads "base64(key:secret)".
func decodeBasic(v string) (key, secret string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(raw), ":")
}
