package lti

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
)

const dlSessionType = "passport-dl-session"

// dlSession is what the deep-linking picker form carries between the
// request and the user's choice, signed by the tool's key.
type dlSession struct {
	Type           string               `json:"typ"`
	Issuer         string               `json:"iss"`
	Audience       string               `json:"aud"`
	IssuedAt       int64                `json:"iat"`
	Expires        int64                `json:"exp"`
	Tenant         string               `json:"tenant"`
	RegistrationID string               `json:"registration_id"`
	DeploymentID   string               `json:"deployment_id"`
	Settings       *DeepLinkingSettings `json:"settings"`
	Roles          []Role               `json:"roles,omitempty"`
}

// DeepLinkSession signs the state of a validated deep-linking request so
// the picker page can hand it back when the user has chosen (valid 1 h).
func (t *Tool) DeepLinkSession(ctx context.Context, l *Launch) (string, error) {
	if l.MessageType != MessageDeepLinkingRequest || l.Claims == nil || l.Claims.DeepLinking == nil {
		return "", errors.New("not a deep-linking request")
	}
	now := t.now()
	s := dlSession{
		Type: dlSessionType, Issuer: t.URL(""), Audience: t.URL(PathDeepLink),
		IssuedAt: now.Unix(), Expires: now.Add(time.Hour).Unix(),
		Tenant: l.Registration.Tenant, RegistrationID: l.Registration.ID, DeploymentID: l.DeploymentID,
		Settings: l.Claims.DeepLinking, Roles: l.Roles,
	}
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encode deep link session: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("encode deep link session: %w", err)
	}
	return t.Keys.signClaims(ctx, m)
}

// ResumeDeepLink verifies a picker session and rebuilds the deep-linking
// launch it came from.
func (t *Tool) ResumeDeepLink(ctx context.Context, token string) (*Launch, error) {
	bad := func(err error, d string) (*Launch, error) {
		return nil, refuseErr(400, ReasonBadRequest, err, "deep link session: %s", d)
	}
	if _, err := SplitJWT(token); err != nil {
		return bad(err, "malformed")
	}
	set, err := t.Keys.PublicSet(ctx)
	if err != nil {
		return nil, err
	}
	payload, err := jws.Verify([]byte(token), jws.WithKeySet(set))
	if err != nil {
		return bad(err, "signature")
	}
	var s dlSession
	if err := json.Unmarshal(payload, &s); err != nil {
		return bad(err, "decode")
	}
	if s.Type != dlSessionType || s.Issuer != t.URL("") || s.Audience != t.URL(PathDeepLink) || s.Settings == nil {
		return bad(nil, "not a session of this tool")
	}
	if t.now().Unix() >= s.Expires {
		return nil, refuse(400, ReasonExpired, "deep link session expired")
	}
	reg, err := t.Store.Registration(ctx, s.Tenant, s.RegistrationID)
	if err != nil {
		return bad(err, "registration")
	}
	if reg.Disabled {
		return nil, refuse(403, ReasonRegistrationOff, "registration %s is disabled", reg.ID)
	}
	mt := MessageDeepLinkingRequest
	return &Launch{
		Registration: reg,
		Claims:       &Claims{MessageType: &mt, DeepLinking: s.Settings, DeploymentID: &s.DeploymentID},
		MessageType:  mt,
		DeploymentID: s.DeploymentID,
		Roles:        s.Roles,
	}, nil
}
