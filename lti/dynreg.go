package lti

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/store"
)

// PlatformConfiguration is a platform's OpenID configuration as LTI Dynamic
// Registration 1.0 reads it.
type PlatformConfiguration struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	RegistrationEndpoint  string   `json:"registration_endpoint"`
	AuthorizationServer   string   `json:"authorization_server,omitempty"`
	ScopesSupported       []string `json:"scopes_supported,omitempty"`
	LTI                   *struct {
		ProductFamilyCode string            `json:"product_family_code"`
		Version           string            `json:"version"`
		MessagesSupported []json.RawMessage `json:"messages_supported"`
		Variables         []string          `json:"variables,omitempty"`
	} `json:"https://purl.imsglobal.org/spec/lti-platform-configuration"`
}

// ToolMessage is one message the tool offers in Dynamic Registration.
type ToolMessage struct {
	Type          string            `json:"type"`
	TargetLinkURI string            `json:"target_link_uri,omitempty"`
	Label         string            `json:"label,omitempty"`
	Placements    []string          `json:"placements,omitempty"`
	Custom        map[string]string `json:"custom_parameters,omitempty"`
}

// ToolConfiguration is the lti-tool-configuration object of a client
// registration request.
type ToolConfiguration struct {
	Domain           string            `json:"domain"`
	TargetLinkURI    string            `json:"target_link_uri"`
	CustomParameters map[string]string `json:"custom_parameters,omitempty"`
	Claims           []string          `json:"claims"`
	Messages         []ToolMessage     `json:"messages"`
	Description      string            `json:"description,omitempty"`
	DeploymentID     string            `json:"deployment_id,omitempty"`
	// CanvasPrivacyLevel is Canvas's optional privacy extension.
	CanvasPrivacyLevel string `json:"https://canvas.instructure.com/lti/privacy_level,omitempty"`
}

// ClientRegistration is the OpenID Connect client registration body the
// tool POSTs (and the platform answers with, plus client_id).
type ClientRegistration struct {
	ClientID                string            `json:"client_id,omitempty"`
	ApplicationType         string            `json:"application_type"`
	ResponseTypes           []string          `json:"response_types"`
	GrantTypes              []string          `json:"grant_types"`
	InitiateLoginURI        string            `json:"initiate_login_uri"`
	RedirectURIs            []string          `json:"redirect_uris"`
	ClientName              string            `json:"client_name"`
	JWKSURI                 string            `json:"jwks_uri"`
	LogoURI                 string            `json:"logo_uri,omitempty"`
	TokenEndpointAuthMethod string            `json:"token_endpoint_auth_method"`
	Scope                   string            `json:"scope"`
	ToolConfiguration       ToolConfiguration `json:"https://purl.imsglobal.org/spec/lti-tool-configuration"`
}

// ClientRegistrationFor builds the tool's registration request for a
// platform, in a shape Moodle's and Canvas's checks accept.
func (t *Tool) ClientRegistrationFor(family string) ClientRegistration {
	launch, deepLink := t.URL(PathLaunch), t.URL(PathDeepLink)
	resource := ToolMessage{Type: MessageResourceLink, TargetLinkURI: launch, Label: "Passport"}
	dl := ToolMessage{Type: MessageDeepLinkingRequest, TargetLinkURI: deepLink, Label: "Passport activities"}
	cfg := ToolConfiguration{
		Domain:        t.Host(),
		TargetLinkURI: launch,
		Claims:        []string{"iss", "sub", "name", "given_name", "family_name", "email"},
		Messages:      []ToolMessage{resource, dl},
		Description:   "Passport Bridge: learning activities that report to the learner's passport record.",
	}
	if strings.EqualFold(family, "canvas") {
		cfg.CanvasPrivacyLevel = "public"
		cfg.Messages[0].Placements = []string{"link_selection"}
		cfg.Messages[1].Placements = []string{"assignment_selection", "link_selection"}
	}
	return ClientRegistration{
		ApplicationType:         "web",
		ResponseTypes:           []string{"id_token"},
		GrantTypes:              []string{"implicit", "client_credentials"},
		InitiateLoginURI:        t.URL(PathLogin),
		RedirectURIs:            []string{launch},
		ClientName:              "Passport Bridge",
		JWKSURI:                 t.URL(PathJWKS),
		LogoURI:                 t.URL("/lti/logo.svg"),
		TokenEndpointAuthMethod: "private_key_jwt",
		Scope:                   strings.Join([]string{ScopeLineItem, ScopeLineItemReadOnly, ScopeResultReadOnly, ScopeScore, ScopeMembership}, " "),
		ToolConfiguration:       cfg,
	}
}

// Validate checks a platform configuration fetched from configURL (LTI
// Dynamic Registration 1.0 §3.4).
func (pc *PlatformConfiguration) Validate(configURL string) error {
	if err := checkAbsoluteURL(pc.Issuer); err != nil {
		return fmt.Errorf("issuer: %w", err)
	}
	iss, _ := url.Parse(pc.Issuer)
	cfg, err := url.Parse(configURL)
	if err != nil {
		return fmt.Errorf("configuration url: %w", err)
	}
	if !sameSite(iss.Hostname(), cfg.Hostname()) {
		return fmt.Errorf("issuer host %q does not match configuration host %q", iss.Hostname(), cfg.Hostname())
	}
	for name, v := range map[string]string{
		"authorization_endpoint": pc.AuthorizationEndpoint, "token_endpoint": pc.TokenEndpoint,
		"jwks_uri": pc.JWKSURI, "registration_endpoint": pc.RegistrationEndpoint,
	} {
		if v == "" {
			return fmt.Errorf("%s missing", name)
		}
		if err := checkAbsoluteURL(v); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if pc.LTI == nil {
		return errors.New("lti-platform-configuration missing")
	}
	if pc.LTI.ProductFamilyCode == "" || pc.LTI.Version == "" || pc.LTI.MessagesSupported == nil {
		return errors.New("lti-platform-configuration needs product_family_code, version and messages_supported")
	}
	return nil
}

// sameSite reports whether two hosts are equal or share their last two
// labels (canvas.instructure.com and school.instructure.com).
func sameSite(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a == b {
		return true
	}
	if IsLoopbackHost(a) || IsLoopbackHost(b) {
		return false
	}
	la, lb := strings.Split(a, "."), strings.Split(b, ".")
	if len(la) < 2 || len(lb) < 2 {
		return false
	}
	return strings.Join(la[len(la)-2:], ".") == strings.Join(lb[len(lb)-2:], ".")
}

// DynamicRegistration runs LTI Dynamic Registration for tenant: it fetches
// and validates the platform's configuration, registers the tool with the
// platform and stores the resulting registration.
func (t *Tool) DynamicRegistration(ctx context.Context, client Doer, tenant, configURL, regToken string) (Registration, error) {
	fail := func(err error, detail string) (Registration, error) {
		return Registration{}, refuseErr(400, ReasonDynamicRegistration, err, "%s", detail)
	}
	if err := checkAbsoluteURL(configURL); err != nil {
		return fail(err, "openid_configuration")
	}
	var pc PlatformConfiguration
	if err := getJSON(ctx, client, configURL, regToken, &pc); err != nil {
		return fail(err, "fetch platform configuration")
	}
	if err := pc.Validate(configURL); err != nil {
		return fail(err, "platform configuration")
	}
	body, err := json.Marshal(t.ClientRegistrationFor(pc.LTI.ProductFamilyCode))
	if err != nil {
		return Registration{}, fmt.Errorf("encode client registration: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, pc.RegistrationEndpoint, bytes.NewReader(body))
	if err != nil {
		return fail(err, "registration endpoint")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if regToken != "" {
		req.Header.Set("Authorization", "Bearer "+regToken)
	}
	var out ClientRegistration
	if err := doJSON(client, req, &out); err != nil {
		return fail(err, "register with platform")
	}
	if out.ClientID == "" {
		return fail(errors.New("no client_id"), "platform registration response")
	}
	reg := Registration{
		Tenant:        tenant,
		ID:            uuid.NewString(),
		Issuer:        pc.Issuer,
		ClientID:      out.ClientID,
		AuthURL:       pc.AuthorizationEndpoint,
		TokenURL:      pc.TokenEndpoint,
		TokenAudience: pc.AuthorizationServer,
		JWKSURL:       pc.JWKSURI,
		ProductFamily: pc.LTI.ProductFamilyCode,
		Name:          pc.LTI.ProductFamilyCode + " " + pc.Issuer,
		Source:        "dynamic",
		Created:       t.now(),
	}
	if d := out.ToolConfiguration.DeploymentID; d != "" {
		reg.Deployments = []string{d}
	} else {
		reg.AcceptNewDeployments = true
	}
	if err := t.Store.CreateRegistration(ctx, reg); errors.Is(err, store.ErrConflict) {
		return Registration{}, refuseErr(409, ReasonDynamicRegistration, err, "platform client already registered")
	} else if err != nil {
		return Registration{}, fmt.Errorf("save registration: %w", err)
	}
	return reg, nil
}

func getJSON(ctx context.Context, client Doer, target, bearer string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return doJSON(client, req, v)
}

func doJSON(client Doer, req *http.Request, v any) error {
	if client == nil {
		return errors.New("no http client")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s answered %d: %s", redactURL(req.URL.String()), resp.StatusCode, truncate(string(body), 200))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode %s: %w", redactURL(req.URL.String()), err)
	}
	return nil
}
