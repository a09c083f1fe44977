package httpauth

import (
	"bytes"
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
	return middleware(a, schemes{basic: true})
}

// Bearer authenticates an OAuth 2.0 bearer token issued by /oauth/token.
func Bearer(a *auth.Authenticator) fiber.Handler {
	return middleware(a, schemes{bearer: true})
}

// Any authenticates either HTTP Basic credentials or a bearer token.
func Any(a *auth.Authenticator) fiber.Handler {
	return middleware(a, schemes{basic: true, bearer: true})
}

// BearerOrOAuth1 authenticates a bearer token or, when the Authenticator
// has OAuth 1.0a enabled, a request signed with OAuth 1.0a
// ("Authorization: OAuth ...", RFC 5849), as OneRoster 1.1 clients send.
func BearerOrOAuth1(a *auth.Authenticator) fiber.Handler {
	return middleware(a, schemes{bearer: true, oauth1: true})
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

// schemes are the authentication schemes a middleware accepts.
type schemes struct {
	basic, bearer, oauth1 bool
}

func middleware(a *auth.Authenticator, s schemes) fiber.Handler {
	basic, bearer := s.basic, s.bearer
	return func(c *fiber.Ctx) error {
		oauth1 := s.oauth1 && a.OAuth1Enabled()
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
		case oauth1 && strings.EqualFold(scheme, "OAuth"):
			p, err = a.OAuth1(c.UserContext(), oauth1Request(c))
		}
		if errors.Is(err, auth.ErrBadCredentials) {
			if basic {
				c.Response().Header.Add(fiber.HeaderWWWAuthenticate, `Basic realm="`+Realm+`", charset="UTF-8"`)
			}
			if bearer {
				c.Response().Header.Add(fiber.HeaderWWWAuthenticate, `Bearer realm="`+Realm+`"`)
			}
			if oauth1 {
				c.Response().Header.Add(fiber.HeaderWWWAuthenticate, `OAuth realm="`+Realm+`"`)
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

// oauth1Request copies what OAuth 1.0a signs out of the request: the path
// and query exactly as sent, and a form body.
func oauth1Request(c *fiber.Ctx) auth.OAuth1Request {
	uri := c.Request().URI()
	r := auth.OAuth1Request{
		Method:        c.Method(),
		Scheme:        c.Protocol(),
		Host:          c.Hostname(),
		Path:          string(uri.PathOriginal()),
		RawQuery:      string(uri.QueryString()),
		Authorization: c.Get(fiber.HeaderAuthorization),
	}
	if ct, _, _ := strings.Cut(c.Get(fiber.HeaderContentType), ";"); strings.EqualFold(strings.TrimSpace(ct), fiber.MIMEApplicationForm) {
		r.Form = bytes.Clone(c.BodyRaw())
	}
	return r
}

// decodeBasic reads "base64(key:secret)".
func decodeBasic(v string) (key, secret string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(raw), ":")
}
