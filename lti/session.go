package lti

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
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

// IssueSession signs a session token (header typ passport-session+jwt,
// audience PUBLIC_URL/lti/session) valid for SessionTTL; the token is the
// session cookie's value. Only the tool reads it back, so it carries an
// HMAC-SHA256 (HS256) under a key derived from the tool's current signing
// key (kid in the header): a thousand times cheaper than an RSA signature,
// which was the largest cost of a launch.
func (t *Tool) IssueSession(ctx context.Context, s ToolSession) (string, time.Time, error) {
	if t.Keys == nil {
		return "", time.Time{}, errors.New("tool has no keys")
	}
	now := t.now()
	exp := now.Add(SessionTTL)
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(sessionClaims{ToolSession: s, Aud: t.URL(PathSession), Iat: now.Unix(), Exp: exp.Unix()}); err != nil {
		return "", time.Time{}, fmt.Errorf("encode session: %w", err)
	}
	kid, key, err := t.Keys.currentSessionKey(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, sessionType); err != nil {
		return "", time.Time{}, fmt.Errorf("session header: %w", err)
	}
	if err := hdr.Set(jws.KeyIDKey, kid); err != nil {
		return "", time.Time{}, fmt.Errorf("session header: %w", err)
	}
	out, err := jws.Sign(bytes.TrimSpace(buf.Bytes()), jws.WithKey(jwa.HS256, key, jws.WithProtectedHeaders(hdr)))
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
	if err != nil || hdr.Typ != sessionType || hdr.Alg != "HS256" {
		return ToolSession{}, ErrSession
	}
	key, ok, err := t.Keys.sessionKey(ctx, hdr.Kid)
	if err != nil {
		return ToolSession{}, fmt.Errorf("tool keys: %w", err)
	}
	if !ok {
		return ToolSession{}, ErrSession // a key retired past its grace, or none of ours
	}
	payload, err := jws.Verify([]byte(raw), jws.WithKey(jwa.HS256, key))
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

// deriveSessionKey is the session MAC key of a tool key:
// HMAC-SHA256(private key DER, label). It never leaves the process, and
// knowing it reveals nothing of the private key.
func deriveSessionKey(privateDER []byte) []byte {
	m := hmac.New(sha256.New, privateDER)
	m.Write([]byte("passport-lti-session-v1"))
	return m.Sum(nil)
}

// currentSessionKey returns the current signing key's kid and session key.
func (k *Keyring) currentSessionKey(ctx context.Context) (string, []byte, error) {
	if _, _, err := k.loadEnsured(ctx); err != nil {
		return "", nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.sessionKID, k.sessionKeys[k.sessionKID], nil
}

// sessionKey returns the session key of a loaded (current, next or
// still-published retired) key by kid.
func (k *Keyring) sessionKey(ctx context.Context, kid string) ([]byte, bool, error) {
	if _, _, err := k.loadEnsured(ctx); err != nil {
		return nil, false, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	key, ok := k.sessionKeys[kid]
	return key, ok, nil
}
