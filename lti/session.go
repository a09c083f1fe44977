package lti

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// SessionCookieName is the tool's own session cookie, set after a valid
// launch (a "_p" twin carries the Partitioned attribute).
const SessionCookieName = "passport_lti_session"

// SessionTTL is the lifetime of the tool's session after a launch.
const SessionTTL = 30 * time.Minute

// sessionType is the JOSE typ of session tokens; no other token the tool
// signs carries it, so none of them is accepted as a session.
const sessionType = "passport-session+jwt"

// PathSession is the audience of session tokens (never a route).
const PathSession = "/lti/session"

// ToolSession is what the tool's own session after a launch identifies:
// the tenant, platform registration, learner and the launched content. It
// holds no id_token and no personal data.
type ToolSession struct {
	Tenant         string    `json:"tenant"`
	RegistrationID string    `json:"reg"`
	DeploymentID   string    `json:"dep,omitempty"`
	LearnerID      string    `json:"sub"`
	ContentID      string    `json:"cid"`
	Attempt        string    `json:"att,omitempty"`
	Expires        time.Time `json:"-"`
}

type sessionClaims struct {
	ToolSession
	Aud string `json:"aud"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
}

// ErrSession is returned for a missing, forged, foreign or expired session.
var ErrSession = errors.New("no valid tool session")

// IssueSession signs a session token with the tool's current key (header
// typ passport-session+jwt, audience PUBLIC_URL/lti/session) valid for
// SessionTTL; the token is the session cookie's value.
func (t *Tool) IssueSession(ctx context.Context, s ToolSession) (string, time.Time, error) {
	if t.Keys == nil {
		return "", time.Time{}, errors.New("tool has no keys")
	}
	key, err := t.Keys.Signer(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	now := t.now()
	exp := now.Add(SessionTTL)
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(sessionClaims{ToolSession: s, Aud: t.URL(PathSession), Iat: now.Unix(), Exp: exp.Unix()}); err != nil {
		return "", time.Time{}, fmt.Errorf("encode session: %w", err)
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, sessionType); err != nil {
		return "", time.Time{}, fmt.Errorf("session header: %w", err)
	}
	if err := hdr.Set(jws.KeyIDKey, key.KeyID()); err != nil {
		return "", time.Time{}, fmt.Errorf("session header: %w", err)
	}
	out, err := jws.Sign(bytes.TrimSpace(buf.Bytes()), jws.WithKey(jwa.RS256, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign session: %w", err)
	}
	return string(out), time.Unix(exp.Unix(), 0).UTC(), nil
}

// VerifySession checks a session token: signed by one of the tool's
// published keys, typ passport-session+jwt, audience this tool's session,
// not expired. Any failure is ErrSession.
func (t *Tool) VerifySession(ctx context.Context, raw string) (ToolSession, error) {
	if raw == "" || len(raw) > 4096 || t.Keys == nil {
		return ToolSession{}, ErrSession
	}
	hdr, err := SplitJWT(raw)
	if err != nil || hdr.Typ != sessionType || hdr.Alg != "RS256" {
		return ToolSession{}, ErrSession
	}
	set, err := t.Keys.PublicSet(ctx)
	if err != nil {
		return ToolSession{}, fmt.Errorf("tool keys: %w", err)
	}
	payload, err := jws.Verify([]byte(raw), jws.WithKeySet(set, jws.WithRequireKid(true), jws.WithInferAlgorithmFromKey(true)))
	if err != nil {
		return ToolSession{}, ErrSession
	}
	var c sessionClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return ToolSession{}, ErrSession
	}
	now := t.now().Unix()
	if c.Aud != t.URL(PathSession) || c.Exp <= now || c.Iat > now+60 || c.Tenant == "" || c.ContentID == "" {
		return ToolSession{}, ErrSession
	}
	s := c.ToolSession
	s.Expires = time.Unix(c.Exp, 0).UTC()
	return s, nil
}
