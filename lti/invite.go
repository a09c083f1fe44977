package lti

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
)

const inviteType = "passport-dr-invite"

type invite struct {
	Type     string `json:"typ"`
	Issuer   string `json:"iss"`
	Audience string `json:"aud"`
	Tenant   string `json:"tenant"`
	IssuedAt int64  `json:"iat"`
	Expires  int64  `json:"exp"`
}

// RegistrationInvite returns the Dynamic Registration URL an administrator
// gives a platform: /lti/register with an invite, signed by the tool's key,
// that names the tenant and expires after ttl. Without a valid invite the
// registration endpoint refuses, so strangers cannot register platforms.
func (t *Tool) RegistrationInvite(ctx context.Context, tenant string, ttl time.Duration) (string, error) {
	now := t.now()
	b, err := json.Marshal(invite{Type: inviteType, Issuer: t.URL(""), Audience: t.URL(PathRegister), Tenant: tenant,
		IssuedAt: now.Unix(), Expires: now.Add(ttl).Unix()})
	if err != nil {
		return "", fmt.Errorf("encode invite: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("encode invite: %w", err)
	}
	tok, err := t.Keys.signClaims(ctx, m)
	if err != nil {
		return "", err
	}
	return t.URL(PathRegister) + "?" + url.Values{"invite": {tok}}.Encode(), nil
}

// CheckInvite verifies a registration invite and returns its tenant.
func (t *Tool) CheckInvite(ctx context.Context, token string) (string, error) {
	bad := func(err error, d string) (string, error) {
		return "", refuseErr(403, ReasonDynamicRegistration, err, "invite: %s", d)
	}
	if token == "" {
		return bad(nil, "missing")
	}
	if _, err := SplitJWT(token); err != nil {
		return bad(err, "malformed")
	}
	set, err := t.Keys.PublicSet(ctx)
	if err != nil {
		return "", err
	}
	payload, err := jws.Verify([]byte(token), jws.WithKeySet(set))
	if err != nil {
		return bad(err, "signature")
	}
	var inv invite
	if err := json.Unmarshal(payload, &inv); err != nil {
		return bad(err, "decode")
	}
	if inv.Type != inviteType || inv.Issuer != t.URL("") || inv.Audience != t.URL(PathRegister) || inv.Tenant == "" {
		return bad(nil, "not an invite of this tool")
	}
	if t.now().Unix() >= inv.Expires {
		return bad(nil, "expired")
	}
	return inv.Tenant, nil
}
