package lti

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Registration is one platform (LMS) client registered with the tool in a
// tenant: the platform's issuer and the client id it gave the tool, its
// endpoints, and the deployments it may launch from.
type Registration struct {
	Tenant   string
	ID       string
	Issuer   string
	ClientID string
	// Deployments are the deployment ids known for this client.
	Deployments []string
	// AcceptNewDeployments records unknown deployment ids on first use
	// instead of refusing the launch.
	AcceptNewDeployments bool
	// AuthURL is the platform's OIDC authorization endpoint.
	AuthURL string
	// TokenURL is the platform's OAuth 2 token endpoint for services.
	TokenURL string
	// TokenAudience is the aud of our client assertion when it differs from
	// TokenURL (Brightspace: https://api.brightspace.com/auth/token). It may
	// also be a JSON array of strings (FormatTokenAudience): the assertion
	// then carries aud as an array, as some platforms want ("[]" means an
	// array holding TokenURL).
	TokenAudience string
	// JWKSURL is where the platform publishes its signing keys.
	JWKSURL string
	// PlatformKeyPEM is an optional fixed platform public key (PEM), used
	// instead of JWKSURL when set.
	PlatformKeyPEM string
	// TargetHosts are the hosts (host[:port]) that target_link_uri may point
	// to; empty means the tool's public host only.
	TargetHosts []string
	// ProductFamily is the platform's product_family_code, for quirk switches.
	ProductFamily string
	// Name is a label for admins.
	Name string
	// Source says how the registration was made: "cli", "dynamic" or "admin".
	Source   string
	Disabled bool
	Created  time.Time
}

// HasDeployment reports whether id is one of the registration's deployments.
func (r Registration) HasDeployment(id string) bool { return slices.Contains(r.Deployments, id) }

// TokenAud returns the aud for client assertions: TokenAudience when set,
// otherwise the token URL exactly as registered (never with a slash added).
// When TokenAudience is an array it returns the first audience.
func (r Registration) TokenAud() string {
	auds, _ := r.TokenAudiences()
	return auds[0]
}

// TokenAudiences returns the client assertion's audiences and whether aud
// is sent as an array. An empty array (or an unreadable one) falls back to
// the token URL.
func (r Registration) TokenAudiences() (auds []string, array bool) {
	a := strings.TrimSpace(r.TokenAudience)
	if !strings.HasPrefix(a, "[") {
		if a == "" {
			a = r.TokenURL
		}
		return []string{a}, false
	}
	var list []string
	if json.Unmarshal([]byte(a), &list) != nil {
		list = nil
	}
	list = slices.DeleteFunc(list, func(s string) bool { return s == "" })
	if len(list) == 0 {
		list = []string{r.TokenURL}
	}
	return list, true
}

// TokenAudClaim is the aud claim of a client assertion: a string, or an
// array of strings when the registration asks for one.
func (r Registration) TokenAudClaim() any {
	auds, array := r.TokenAudiences()
	if array {
		return auds
	}
	return auds[0]
}

// FormatTokenAudience renders a TokenAudience: "" when auds is empty and
// no array is wanted, the single audience, or a JSON array when array is
// set or there are several.
func FormatTokenAudience(auds []string, array bool) string {
	if !array && len(auds) <= 1 {
		if len(auds) == 0 {
			return ""
		}
		return auds[0]
	}
	if auds == nil {
		auds = []string{}
	}
	b, _ := json.Marshal(auds)
	return string(b)
}

// LoginState is what the tool keeps between login initiation and launch.
type LoginState struct {
	State          string
	Nonce          string
	Tenant         string
	RegistrationID string
	Issuer         string
	ClientID       string
	TargetLinkURI  string
	// StorageTarget is the lti_storage_target frame name when the platform
	// offered platform storage; empty otherwise.
	StorageTarget string
	// StorageOrigin is the origin platform storage messages go to (the
	// platform's authorization endpoint origin).
	StorageOrigin string
	// StorageSecret is the value kept in platform storage; the launch must
	// bring it back when the state cookie is missing.
	StorageSecret string
	Created       time.Time
	Expires       time.Time
}

// KeyStatus is where a tool key is in its rotation life.
type KeyStatus string

// Key statuses: next keys are published but do not sign yet, the current
// key signs, retired keys are still published for a grace period.
const (
	KeyNext    KeyStatus = "next"
	KeyCurrent KeyStatus = "current"
	KeyRetired KeyStatus = "retired"
)

// ToolKey is one of the tool's RSA signing keys.
type ToolKey struct {
	Scope string
	KID   string
	// PrivateDER is the PKCS #8 DER encoding of the RSA private key.
	PrivateDER []byte
	Status     KeyStatus
	Created    time.Time
	// Activated is when the key began signing (zero for next keys).
	Activated time.Time
	// Retired is when the key stopped signing (zero unless retired).
	Retired time.Time
}
