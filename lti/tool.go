package lti

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// Tool is the LTI 1.3 tool: it answers login initiation, validates launches
// and signs deep-linking responses. Its fields are its dependencies; set
// them once before use.
type Tool struct {
	Store        Store
	Keys         *Keyring
	PlatformKeys *PlatformKeys
	// PublicURL is the tool's base URL (scheme, host, optional port and
	// path prefix), e.g. https://passport.example.org.
	PublicURL *url.URL
	Logger    *slog.Logger
	Clock     func() time.Time
	Random    io.Reader

	// StateTTL is how long a login may take; default 10 min.
	StateTTL time.Duration
	// Skew is the clock tolerance on exp, iat and nbf; default 60 s.
	Skew time.Duration
	// MaxAge is the oldest iat accepted; default 1 h.
	MaxAge time.Duration
	// Algorithms is the id_token alg allow-list; default RS256 only. Only
	// RS256, RS384, RS512 and ES256 may be listed.
	Algorithms []string
	// RegistrationCacheTTL keeps registrations read at login and launch in
	// memory this long (0, the default, reads the store every time).
	RegistrationCacheTTL time.Duration
	// ProbeStorage, when a login carries no lti_storage_target, still
	// prepares a platform-storage secret: the login bridge page asks the
	// platform (postMessage lti.capabilities) whether it offers
	// lti.put_data/lti.get_data and in which frame, and keeps the state
	// there, so a browser that blocks the tool's cookies can still launch.
	// Off by default (login is then a plain redirect).
	ProbeStorage bool
	// Roster, when set, links learners to the tenant's OneRoster users by
	// lis.person_sourcedid (following admin merges).
	Roster RosterLinker

	regs regCache
}

// Paths under PublicURL that the tool serves.
const (
	PathLogin    = "/lti/login"
	PathLaunch   = "/lti/launch"
	PathJWKS     = "/lti/jwks"
	PathDeepLink = "/lti/deep-link"
	PathRegister = "/lti/register"
)

// URL returns the absolute URL of a tool path.
func (t *Tool) URL(path string) string {
	u := *t.PublicURL
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// Host returns the tool's public host[:port], as Moodle compares it.
func (t *Tool) Host() string {
	h := strings.ToLower(t.PublicURL.Host)
	switch {
	case t.PublicURL.Scheme == "https" && strings.HasSuffix(h, ":443"):
		return strings.TrimSuffix(h, ":443")
	case t.PublicURL.Scheme == "http" && strings.HasSuffix(h, ":80"):
		return strings.TrimSuffix(h, ":80")
	}
	return h
}

// Now is the tool's clock (UTC).
func (t *Tool) Now() time.Time { return t.now() }

func (t *Tool) now() time.Time {
	if t.Clock != nil {
		return t.Clock().UTC()
	}
	return time.Now().UTC()
}

func (t *Tool) logger() *slog.Logger {
	if t.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return t.Logger
}

func (t *Tool) stateTTL() time.Duration {
	if t.StateTTL <= 0 {
		return 10 * time.Minute
	}
	return t.StateTTL
}

func (t *Tool) skew() time.Duration {
	if t.Skew <= 0 {
		return 60 * time.Second
	}
	return t.Skew
}

func (t *Tool) maxAge() time.Duration {
	if t.MaxAge <= 0 {
		return time.Hour
	}
	return t.MaxAge
}

// RandomString returns n random bytes from the tool's source, base64url-encoded.
func (t *Tool) RandomString(n int) (string, error) { return t.randomToken(n) }

// randomToken returns n random bytes, base64url-encoded.
func (t *Tool) randomToken(n int) (string, error) {
	r := t.Random
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// targetAllowed reports whether a target_link_uri points at the tool's own
// host or one of the registration's extra target hosts.
func (t *Tool) targetAllowed(reg Registration, target string) bool {
	h := hostOf(target)
	if h == "" {
		return false
	}
	if u, err := url.Parse(target); err != nil || (u.Scheme == "http" && !IsLoopbackHost(u.Hostname())) {
		return false
	}
	if h == t.Host() {
		return true
	}
	for _, a := range reg.TargetHosts {
		if strings.EqualFold(a, h) {
			return true
		}
	}
	return false
}
