package lti

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// Content-item and presentation names (Deep Linking 2.0).
const (
	ContentTypeResourceLink = "ltiResourceLink"
	TargetIframe            = "iframe"
	TargetWindow            = "window"
	TargetEmbed             = "embed"
)

// Image is an icon or thumbnail of a content item.
type Image struct {
	URL    string `json:"url"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

// Window asks the platform to open the item in a new window.
type Window struct {
	TargetName     string `json:"targetName,omitempty"`
	Width          int    `json:"width,omitempty"`
	Height         int    `json:"height,omitempty"`
	WindowFeatures string `json:"windowFeatures,omitempty"`
}

// Iframe asks the platform to embed the item in an iframe.
type Iframe struct {
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	Src    string `json:"src,omitempty"`
}

// TimeSpan is an availability or submission window, ISO 8601 strings.
type TimeSpan struct {
	StartDateTime string `json:"startDateTime,omitempty"`
	EndDateTime   string `json:"endDateTime,omitempty"`
}

// DLLineItem is the line item a platform should create for a scored item.
type DLLineItem struct {
	Label          string  `json:"label,omitempty"`
	ScoreMaximum   float64 `json:"scoreMaximum"`
	ResourceID     string  `json:"resourceId,omitempty"`
	Tag            string  `json:"tag,omitempty"`
	GradesReleased *bool   `json:"gradesReleased,omitempty"`
}

// ContentItem is one ltiResourceLink content item of a deep-linking response.
type ContentItem struct {
	Type       string            `json:"type"`
	Title      string            `json:"title,omitempty"`
	Text       string            `json:"text,omitempty"`
	URL        string            `json:"url,omitempty"`
	Icon       *Image            `json:"icon,omitempty"`
	Thumbnail  *Image            `json:"thumbnail,omitempty"`
	Window     *Window           `json:"window,omitempty"`
	Iframe     *Iframe           `json:"iframe,omitempty"`
	Custom     map[string]string `json:"custom,omitempty"`
	LineItem   *DLLineItem       `json:"lineItem,omitempty"`
	Available  *TimeSpan         `json:"available,omitempty"`
	Submission *TimeSpan         `json:"submission,omitempty"`
}

// DeepLinkReply is what the user chose (possibly nothing) plus messages for
// the platform.
type DeepLinkReply struct {
	Items    []ContentItem
	Msg      string
	Log      string
	ErrorMsg string
	ErrorLog string
}

// DeepLinkResponse is a signed LtiDeepLinkingResponse to POST (form field
// JWT) to ReturnURL.
type DeepLinkResponse struct {
	ReturnURL string
	JWT       string
	Claims    map[string]any
}

// CanOffer reports whether the deep-linking request accepts ltiResourceLink
// items in at least one presentation the tool supports.
func CanOffer(s *DeepLinkingSettings) bool {
	if s == nil || !slices.Contains([]string(s.AcceptTypes), ContentTypeResourceLink) {
		return false
	}
	if len(s.AcceptPresentationTargets) == 0 {
		return true
	}
	for _, t := range s.AcceptPresentationTargets {
		if t == TargetIframe || t == TargetWindow {
			return true
		}
	}
	return false
}

// DeepLink builds and signs the deep-linking response for a validated
// LtiDeepLinkingRequest (Deep Linking 2.0 §4). It refuses items the request
// does not accept (type, presentation target, multiplicity, foreign URL).
func (t *Tool) DeepLink(ctx context.Context, l *Launch, reply DeepLinkReply) (*DeepLinkResponse, error) {
	if l.MessageType != MessageDeepLinkingRequest || l.Claims.DeepLinking == nil {
		return nil, refuse(400, ReasonUnsupportedMessage, "deep link response for a %s", l.MessageType)
	}
	s := l.Claims.DeepLinking
	if len(reply.Items) > 1 && (s.AcceptMultiple == nil || !bool(*s.AcceptMultiple)) {
		return nil, refuse(400, ReasonBadRequest, "the platform accepts one item only")
	}
	items := make([]ContentItem, 0, len(reply.Items))
	for _, it := range reply.Items {
		if it.Type == "" {
			it.Type = ContentTypeResourceLink
		}
		if !slices.Contains([]string(s.AcceptTypes), it.Type) {
			return nil, refuse(400, ReasonBadRequest, "the platform does not accept %q items", it.Type)
		}
		if it.Type == ContentTypeResourceLink && it.URL != "" && !t.targetAllowed(l.Registration, it.URL) {
			return nil, refuse(400, ReasonTargetNotAllowed, "content item url is not a tool url")
		}
		if len(s.AcceptPresentationTargets) > 0 {
			if it.Iframe != nil && !slices.Contains([]string(s.AcceptPresentationTargets), TargetIframe) {
				it.Iframe = nil
			}
			if it.Window != nil && !slices.Contains([]string(s.AcceptPresentationTargets), TargetWindow) {
				it.Window = nil
			}
		}
		if it.LineItem != nil && it.LineItem.ScoreMaximum <= 0 {
			return nil, refuse(400, ReasonBadRequest, "line item scoreMaximum must be positive")
		}
		if it.LineItem != nil && s.AcceptLineItem != nil && !bool(*s.AcceptLineItem) {
			it.LineItem = nil
		}
		items = append(items, it)
	}
	nonce, err := t.randomToken(24)
	if err != nil {
		return nil, err
	}
	now := t.now()
	claims := map[string]any{
		"iss":               l.Registration.ClientID,
		"aud":               l.Registration.Issuer,
		"azp":               l.Registration.ClientID,
		"iat":               now.Unix(),
		"exp":               now.Add(5 * time.Minute).Unix(),
		"nonce":             nonce,
		ClaimMessageType:    MessageDeepLinkingResponse,
		ClaimVersion:        Version,
		ClaimDeploymentID:   l.DeploymentID,
		ClaimDLContentItems: items,
	}
	if len(s.Data) > 0 && string(s.Data) != "null" {
		claims[ClaimDLData] = json.RawMessage(s.Data)
	}
	for k, v := range map[string]string{ClaimDLMsg: reply.Msg, ClaimDLLog: reply.Log, ClaimDLErrorMsg: reply.ErrorMsg, ClaimDLErrorLog: reply.ErrorLog} {
		if v != "" {
			claims[k] = v
		}
	}
	tok, err := t.Keys.signClaims(ctx, claims)
	if err != nil {
		return nil, err
	}
	return &DeepLinkResponse{ReturnURL: s.ReturnURL, JWT: tok, Claims: claims}, nil
}
