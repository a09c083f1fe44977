package lti

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
)

// Claim names used in LTI 1.3 messages.
const (
	ClaimPrefix             = "https://purl.imsglobal.org/spec/lti/claim/"
	ClaimMessageType        = ClaimPrefix + "message_type"
	ClaimVersion            = ClaimPrefix + "version"
	ClaimDeploymentID       = ClaimPrefix + "deployment_id"
	ClaimTargetLinkURI      = ClaimPrefix + "target_link_uri"
	ClaimResourceLink       = ClaimPrefix + "resource_link"
	ClaimRoles              = ClaimPrefix + "roles"
	ClaimRoleScopeMentor    = ClaimPrefix + "role_scope_mentor"
	ClaimContext            = ClaimPrefix + "context"
	ClaimToolPlatform       = ClaimPrefix + "tool_platform"
	ClaimLaunchPresentation = ClaimPrefix + "launch_presentation"
	ClaimLIS                = ClaimPrefix + "lis"
	ClaimCustom             = ClaimPrefix + "custom"
	ClaimLTI11LegacyUserID  = ClaimPrefix + "lti11_legacy_user_id"
	ClaimLTI1p1             = ClaimPrefix + "lti1p1"
	ClaimAGSEndpoint        = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
	ClaimNRPS               = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
	ClaimDLSettings         = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
	ClaimDLContentItems     = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
	ClaimDLData             = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
	ClaimDLMsg              = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
	ClaimDLLog              = "https://purl.imsglobal.org/spec/lti-dl/claim/log"
	ClaimDLErrorMsg         = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg"
	ClaimDLErrorLog         = "https://purl.imsglobal.org/spec/lti-dl/claim/errorlog"
)

// Message types.
const (
	MessageResourceLink        = "LtiResourceLinkRequest"
	MessageDeepLinkingRequest  = "LtiDeepLinkingRequest"
	MessageDeepLinkingResponse = "LtiDeepLinkingResponse"
	// Version is the only LTI version the tool accepts.
	Version = "1.3.0"
)

// knownUnsupported are message types the tool recognises but does not serve.
var knownUnsupported = map[string]bool{
	"LtiSubmissionReviewRequest": true,
	"DataPrivacyLaunchRequest":   true,
	"LtiStartProctoring":         true,
	"LtiEndAssessment":           true,
	"LtiReportReviewRequest":     true,
	"LtiEULARequest":             true,
}

// Audience is the aud claim: one string or an array of strings.
type Audience []string

// UnmarshalJSON accepts a string or an array of strings.
func (a *Audience) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*a = Audience{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return errors.New("aud must be a string or an array of strings")
	}
	*a = ss
	return nil
}

// NumericDate is a JWT time claim in whole seconds since the epoch.
type NumericDate int64

// UnmarshalJSON accepts a JSON number (fractions are truncated).
func (d *NumericDate) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e12 {
		return errors.New("time claims must be numbers of seconds")
	}
	*d = NumericDate(int64(f))
	return nil
}

// StringList is a list of strings that also accepts a single string.
type StringList []string

// UnmarshalJSON accepts a string or an array of strings.
func (l *StringList) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*l = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = StringList{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return errors.New("expected a string or an array of strings")
	}
	*l = ss
	return nil
}

// FlexString is a string claim some platforms send as a number or boolean.
type FlexString string

// UnmarshalJSON accepts a string, a number or a boolean.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	s, err := scalarString(b)
	if err != nil {
		return err
	}
	*f = FlexString(s)
	return nil
}

func scalarString(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", errors.New("empty value")
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		return "", nil
	case 't', 'f':
		var v bool
		if err := json.Unmarshal(b, &v); err != nil {
			return "", err
		}
		return strconv.FormatBool(v), nil
	case '{', '[':
		return string(b), nil
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
}

// FlexBool is a boolean some platforms send as "true"/"false".
type FlexBool bool

// UnmarshalJSON accepts a boolean or the strings "true"/"false".
func (f *FlexBool) UnmarshalJSON(b []byte) error {
	s, err := scalarString(b)
	if err != nil {
		return err
	}
	switch strings.ToLower(s) {
	case "true", "1":
		*f = true
	case "false", "0", "":
		*f = false
	default:
		return errors.New("expected a boolean")
	}
	return nil
}

// ResourceLink is the resource_link claim.
type ResourceLink struct {
	ID          string `json:"id"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// Context is the context claim (the course or section).
type Context struct {
	ID    string     `json:"id"`
	Label string     `json:"label,omitempty"`
	Title string     `json:"title,omitempty"`
	Type  StringList `json:"type,omitempty"`
}

// ToolPlatform is the tool_platform claim.
type ToolPlatform struct {
	GUID              string `json:"guid"`
	Name              string `json:"name,omitempty"`
	Version           string `json:"version,omitempty"`
	ProductFamilyCode string `json:"product_family_code,omitempty"`
	URL               string `json:"url,omitempty"`
	ContactEmail      string `json:"contact_email,omitempty"`
	Description       string `json:"description,omitempty"`
}

// LaunchPresentation is the launch_presentation claim.
type LaunchPresentation struct {
	DocumentTarget string     `json:"document_target,omitempty"`
	Height         FlexString `json:"height,omitempty"`
	Width          FlexString `json:"width,omitempty"`
	ReturnURL      string     `json:"return_url,omitempty"`
	Locale         string     `json:"locale,omitempty"`
}

// LIS is the lis claim; any value may be an empty string (Moodle).
type LIS struct {
	PersonSourcedID         FlexString `json:"person_sourcedid,omitempty"`
	CourseOfferingSourcedID FlexString `json:"course_offering_sourcedid,omitempty"`
	CourseSectionSourcedID  FlexString `json:"course_section_sourcedid,omitempty"`
	ResultSourcedID         FlexString `json:"result_sourcedid,omitempty"`
	OutcomeServiceURL       FlexString `json:"outcome_service_url,omitempty"`
}

// LTI1p1 is the lti1p1 migration claim.
type LTI1p1 struct {
	UserID               FlexString `json:"user_id,omitempty"`
	OAuthConsumerKey     string     `json:"oauth_consumer_key,omitempty"`
	OAuthConsumerKeySign string     `json:"oauth_consumer_key_sign,omitempty"`
	ResourceLinkID       FlexString `json:"resource_link_id,omitempty"`
}

// AGSEndpoint is the Assignment and Grade Services claim.
type AGSEndpoint struct {
	Scope     StringList `json:"scope"`
	LineItems string     `json:"lineitems,omitempty"`
	LineItem  string     `json:"lineitem,omitempty"`
}

// NRPSClaim is the Names and Role Provisioning Services claim.
type NRPSClaim struct {
	ContextMembershipsURL string     `json:"context_memberships_url"`
	ServiceVersions       StringList `json:"service_versions"`
}

// DeepLinkingSettings is the deep_linking_settings claim.
type DeepLinkingSettings struct {
	ReturnURL                 string     `json:"deep_link_return_url"`
	AcceptTypes               StringList `json:"accept_types"`
	AcceptPresentationTargets StringList `json:"accept_presentation_document_targets"`
	AcceptMediaTypes          FlexString `json:"accept_media_types,omitempty"`
	AcceptMultiple            *FlexBool  `json:"accept_multiple,omitempty"`
	AcceptLineItem            *FlexBool  `json:"accept_lineitem,omitempty"`
	AutoCreate                *FlexBool  `json:"auto_create,omitempty"`
	AcceptCopyAdvice          *FlexBool  `json:"accept_copy_advice,omitempty"`
	Title                     string     `json:"title,omitempty"`
	Text                      string     `json:"text,omitempty"`
	// Data is the opaque data value, kept as raw JSON so it is echoed
	// byte-for-byte in the response.
	Data json.RawMessage `json:"data,omitempty"`
}

// Claims is the payload of an LTI 1.3 id_token. Absent optional claims are nil.
type Claims struct {
	Issuer    string       `json:"iss"`
	Subject   *string      `json:"sub"`
	Audience  Audience     `json:"aud"`
	AZP       *string      `json:"azp"`
	Expires   *NumericDate `json:"exp"`
	IssuedAt  *NumericDate `json:"iat"`
	NotBefore *NumericDate `json:"nbf"`
	Nonce     *string      `json:"nonce"`

	Name       string `json:"name,omitempty"`
	GivenName  string `json:"given_name,omitempty"`
	FamilyName string `json:"family_name,omitempty"`
	MiddleName string `json:"middle_name,omitempty"`
	Email      string `json:"email,omitempty"`
	Picture    string `json:"picture,omitempty"`
	Locale     string `json:"locale,omitempty"`

	MessageType        *string                    `json:"https://purl.imsglobal.org/spec/lti/claim/message_type"`
	Version            *string                    `json:"https://purl.imsglobal.org/spec/lti/claim/version"`
	DeploymentID       *string                    `json:"https://purl.imsglobal.org/spec/lti/claim/deployment_id"`
	TargetLinkURI      string                     `json:"https://purl.imsglobal.org/spec/lti/claim/target_link_uri"`
	ResourceLink       *ResourceLink              `json:"https://purl.imsglobal.org/spec/lti/claim/resource_link"`
	Roles              *StringList                `json:"https://purl.imsglobal.org/spec/lti/claim/roles"`
	RoleScopeMentor    StringList                 `json:"https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor"`
	Context            *Context                   `json:"https://purl.imsglobal.org/spec/lti/claim/context"`
	ToolPlatform       *ToolPlatform              `json:"https://purl.imsglobal.org/spec/lti/claim/tool_platform"`
	LaunchPresentation *LaunchPresentation        `json:"https://purl.imsglobal.org/spec/lti/claim/launch_presentation"`
	LIS                *LIS                       `json:"https://purl.imsglobal.org/spec/lti/claim/lis"`
	Custom             map[string]json.RawMessage `json:"https://purl.imsglobal.org/spec/lti/claim/custom"`
	LTI11LegacyUserID  FlexString                 `json:"https://purl.imsglobal.org/spec/lti/claim/lti11_legacy_user_id"`
	LTI1p1             *LTI1p1                    `json:"https://purl.imsglobal.org/spec/lti/claim/lti1p1"`
	AGS                *AGSEndpoint               `json:"https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"`
	NRPS               *NRPSClaim                 `json:"https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"`
	DeepLinking        *DeepLinkingSettings       `json:"https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"`

	// Raw is the whole verified payload, so vendor extension claims
	// (Blackboard, Brightspace, Canvas, ext) stay available.
	Raw json.RawMessage `json:"-"`
}

// ParseClaims decodes a (verified) id_token payload. It fails only when the
// payload is not a JSON object or a claim has the wrong JSON type.
func ParseClaims(payload []byte) (*Claims, error) {
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, refuseErr(400, ReasonInvalidClaim, err, "decode claims")
	}
	c.Raw = append(json.RawMessage(nil), payload...)
	return &c, nil
}

// CustomStrings returns the custom claim as a flat string map: numbers and
// booleans become their JSON text, null becomes "", unresolved $Variables
// stay as sent.
func (c *Claims) CustomStrings() map[string]string {
	if len(c.Custom) == 0 {
		return nil
	}
	out := make(map[string]string, len(c.Custom))
	for k, v := range c.Custom {
		s, err := scalarString(v)
		if err != nil {
			continue
		}
		out[k] = s
	}
	return out
}

// asciiMax reports whether s is printable ASCII of at most n bytes.
func asciiMax(s string, n int) bool {
	if len(s) > n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// ValidateMessage checks the LTI claims of a launch (Core 1.3 and Deep
// Linking 2.0) once the token itself has been verified. It returns a refusal
// *Error naming the first problem.
func (c *Claims) ValidateMessage() error {
	if c.MessageType == nil || *c.MessageType == "" {
		return refuse(400, ReasonMissingClaim, "message_type claim missing")
	}
	mt := *c.MessageType
	switch {
	case mt == MessageResourceLink, mt == MessageDeepLinkingRequest:
	case knownUnsupported[mt]:
		return refuse(400, ReasonUnsupportedMessage, "message type %q is not supported", mt)
	default:
		return refuse(400, ReasonUnsupportedMessage, "unknown message type %q", truncate(mt, 64))
	}
	if c.Version == nil || *c.Version == "" {
		return refuse(400, ReasonMissingClaim, "version claim missing")
	}
	if *c.Version != Version {
		return refuse(400, ReasonInvalidClaim, "lti version %q is not 1.3.0", truncate(*c.Version, 32))
	}
	if c.DeploymentID == nil || *c.DeploymentID == "" {
		return refuse(400, ReasonMissingClaim, "deployment_id claim missing")
	}
	if !asciiMax(*c.DeploymentID, 255) {
		return refuse(400, ReasonInvalidClaim, "deployment_id longer than 255 ASCII characters")
	}
	if c.Subject != nil {
		if *c.Subject == "" {
			return refuse(400, ReasonInvalidClaim, "sub is present but empty")
		}
		if !asciiMax(*c.Subject, 255) {
			return refuse(400, ReasonInvalidClaim, "sub longer than 255 ASCII characters")
		}
	}
	if c.Roles == nil {
		return refuse(400, ReasonMissingClaim, "roles claim missing")
	}
	if c.Context != nil && c.Context.ID == "" {
		return refuse(400, ReasonInvalidClaim, "context claim without id")
	}
	if c.Context != nil && !asciiMax(c.Context.ID, 255) {
		return refuse(400, ReasonInvalidClaim, "context id longer than 255 ASCII characters")
	}
	if c.ToolPlatform != nil && (c.ToolPlatform.GUID == "" || len(c.ToolPlatform.GUID) > 255) {
		return refuse(400, ReasonInvalidClaim, "tool_platform claim without a valid guid")
	}
	if c.NRPS != nil && c.NRPS.ContextMembershipsURL == "" {
		return refuse(400, ReasonInvalidClaim, "namesroleservice claim without context_memberships_url")
	}
	switch mt {
	case MessageResourceLink:
		if c.ResourceLink == nil || c.ResourceLink.ID == "" {
			return refuse(400, ReasonMissingClaim, "resource_link.id claim missing")
		}
		if !asciiMax(c.ResourceLink.ID, 255) {
			return refuse(400, ReasonInvalidClaim, "resource_link.id longer than 255 ASCII characters")
		}
		if c.TargetLinkURI == "" {
			return refuse(400, ReasonMissingClaim, "target_link_uri claim missing")
		}
	case MessageDeepLinkingRequest:
		if c.DeepLinking == nil {
			return refuse(400, ReasonMissingClaim, "deep_linking_settings claim missing")
		}
		if c.DeepLinking.ReturnURL == "" {
			return refuse(400, ReasonMissingClaim, "deep_link_return_url missing")
		}
		if err := checkAbsoluteURL(c.DeepLinking.ReturnURL); err != nil {
			return refuseErr(400, ReasonInvalidClaim, err, "deep_link_return_url")
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// String renders a missing-or-present pointer claim for logs.
func strOrEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
