package platform

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/passportbridge/passport/lti"
)

// RegistrationToken issues a single-use Dynamic Registration token and
// returns the openid_configuration URL and the token, as the platform puts
// them on the registration-initiation URL.
func (p *Platform) RegistrationToken() (configURL, token string) {
	token = randomID(16)
	p.mu.Lock()
	p.regTokens[token] = false
	p.mu.Unlock()
	return p.URL("/.well-known/openid-configuration"), token
}

func (p *Platform) handleOpenIDConfig(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	_, known := p.regTokens[tok]
	p.mu.Unlock()
	if !known {
		http.Error(w, "registration token required", http.StatusUnauthorized)
		return
	}
	cfg := map[string]any{
		"issuer":                   p.Server.URL,
		"authorization_endpoint":   p.AuthURL(),
		"token_endpoint":           p.TokenURL(),
		"jwks_uri":                 p.JWKSURL(),
		"registration_endpoint":    p.URL("/register"),
		"scopes_supported":         []string{"openid", lti.ScopeLineItem, lti.ScopeScore, lti.ScopeMembership},
		"response_types_supported": []string{"id_token"},
		"https://purl.imsglobal.org/spec/lti-platform-configuration": map[string]any{
			"product_family_code": p.Profile.familyCode(),
			"version":             "4.3",
			"messages_supported":  []map[string]string{{"type": lti.MessageResourceLink}, {"type": lti.MessageDeepLinkingRequest}},
		},
	}
	if p.Profile == Brightspace {
		cfg["authorization_server"] = BrightspaceAudience
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(cfg)
}

// registerError answers like Moodle's registration endpoint.
func registerError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// handleRegister applies Moodle's registration_helper rules (and Canvas's).
func (p *Platform) handleRegister(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	used, known := p.regTokens[tok]
	if known && !used {
		p.regTokens[tok] = true
	}
	p.mu.Unlock()
	if !known {
		registerError(w, http.StatusUnauthorized, "invalid_token")
		return
	}
	if used {
		registerError(w, http.StatusUnauthorized, "token_already_used")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		registerError(w, http.StatusBadRequest, "invalid_client_metadata")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var req lti.ClientRegistration
	if err := json.Unmarshal(body, &req); err != nil {
		registerError(w, http.StatusBadRequest, "invalid_client_metadata")
		return
	}
	tc := req.ToolConfiguration
	switch {
	case !slices.Contains(req.ResponseTypes, "id_token"):
		registerError(w, 400, "invalid_response_types")
	case req.InitiateLoginURI == "" || len(req.RedirectURIs) == 0 || req.ClientName == "" || req.JWKSURI == "":
		registerError(w, 400, "missing_required_fields")
	case req.TokenEndpointAuthMethod != "private_key_jwt":
		registerError(w, 400, "invalid_token_endpoint_auth_method")
	case req.ApplicationType != "" && req.ApplicationType != "web":
		registerError(w, 400, "invalid_application_type")
	case tc.Domain == "":
		registerError(w, 400, "missing_domain")
	case !domainMatches(tc.TargetLinkURI, tc.Domain):
		registerError(w, 400, "domain_mismatch")
	default:
		for _, u := range append([]string{req.InitiateLoginURI, req.JWKSURI}, req.RedirectURIs...) {
			if !domainMatches(u, tc.Domain) {
				registerError(w, 400, "domain_mismatch")
				return
			}
		}
		p.mu.Lock()
		p.registered = append(p.registered, req)
		p.mu.Unlock()
		req.ClientID = p.ClientID
		req.ToolConfiguration.DeploymentID = p.DeploymentID
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(req)
	}
}

// domainMatches compares host[:port] the way Moodle does (www ignored).
func domainMatches(raw, domain string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	norm := func(h string) string { return strings.TrimPrefix(strings.ToLower(h), "www.") }
	return norm(u.Host) == norm(domain)
}

// Registered returns the client registrations the platform accepted.
func (p *Platform) Registered() []lti.ClientRegistration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.registered)
}
