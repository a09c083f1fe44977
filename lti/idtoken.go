package lti

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// allowedAlgs are the only algorithms an allow-list may contain.
var allowedAlgs = map[string]jwa.SignatureAlgorithm{
	"RS256": jwa.RS256, "RS384": jwa.RS384, "RS512": jwa.RS512, "ES256": jwa.ES256,
}

// JOSEHeader is the part of a JWS protected header the tool looks at.
type JOSEHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
	B64  json.RawMessage `json:"b64"`
}

// SplitJWT checks that raw is a compact JWS with exactly three non-empty
// parts and decodes its protected header.
func SplitJWT(raw string) (JOSEHeader, error) {
	var h JOSEHeader
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return h, refuse(401, ReasonMalformedToken, "id_token is not a compact JWT with three parts")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return h, refuseErr(401, ReasonMalformedToken, err, "id_token header is not base64url")
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return h, refuseErr(401, ReasonMalformedToken, err, "id_token header is not a JSON object")
	}
	if len(h.Crit) > 0 || len(h.B64) > 0 {
		return h, refuse(401, ReasonMalformedToken, "id_token header uses crit or b64")
	}
	return h, nil
}

// verifyIDToken checks the signature and the OIDC claims of an id_token for
// reg (Security Framework §5.1.3) and returns its claims; the nonce must
// equal wantNonce.
func (t *Tool) verifyIDToken(ctx context.Context, reg Registration, raw, wantNonce string) (*Claims, error) {
	h, err := SplitJWT(raw)
	if err != nil {
		return nil, err
	}
	algs := t.Algorithms
	if len(algs) == 0 {
		algs = []string{"RS256"}
	}
	alg, ok := allowedAlgs[h.Alg]
	if !ok || !slices.Contains(algs, h.Alg) {
		return nil, refuse(401, ReasonAlgorithm, "alg %q not allowed", truncate(h.Alg, 16))
	}
	if h.Kid == "" {
		return nil, refuse(401, ReasonKeyID, "id_token header has no kid")
	}
	key, err := t.platformKey(ctx, reg, h.Kid)
	if err != nil {
		return nil, err
	}
	if ka := key.Algorithm().String(); ka != "" && ka != h.Alg {
		return nil, refuse(401, ReasonAlgorithm, "key %q is for %s, token uses %s", truncate(h.Kid, 64), ka, h.Alg)
	}
	payload, err := jws.Verify([]byte(raw), jws.WithKey(alg, key))
	if err != nil {
		return nil, refuseErr(401, ReasonSignature, err, "id_token signature")
	}
	c, err := ParseClaims(payload)
	if err != nil {
		return nil, err
	}
	if err := t.checkOIDC(c, reg, wantNonce); err != nil {
		return nil, err
	}
	return c, nil
}

func (t *Tool) platformKey(ctx context.Context, reg Registration, kid string) (jwk.Key, error) {
	if reg.PlatformKeyPEM != "" {
		k, err := t.PlatformKeys.PEMKey(reg.PlatformKeyPEM)
		if err != nil {
			return nil, refuseErr(401, ReasonKeyID, err, "registration key")
		}
		return k, nil
	}
	if reg.JWKSURL == "" {
		return nil, refuse(401, ReasonKeyFetch, "registration has neither jwks url nor key")
	}
	k, err := t.PlatformKeys.Key(ctx, reg.JWKSURL, kid)
	if errors.Is(err, errUnknownKID) {
		return nil, refuseErr(401, ReasonKeyID, err, "kid %q", truncate(kid, 64))
	}
	if err != nil {
		return nil, refuseErr(400, ReasonKeyFetch, err, "platform keys")
	}
	return k, nil
}

// checkOIDC validates iss, aud, azp, exp, iat, nbf and nonce.
func (t *Tool) checkOIDC(c *Claims, reg Registration, wantNonce string) error {
	if c.Issuer != reg.Issuer {
		return refuse(401, ReasonIssuer, "iss %q is not the registered issuer", truncate(c.Issuer, 200))
	}
	if len(c.Audience) == 0 || !slices.Contains([]string(c.Audience), reg.ClientID) {
		return refuse(401, ReasonAudience, "aud does not contain our client id")
	}
	for _, a := range c.Audience {
		if a != reg.ClientID {
			return refuse(401, ReasonAudience, "aud contains an untrusted audience %q", truncate(a, 100))
		}
	}
	if len(c.Audience) > 1 && c.AZP == nil {
		return refuse(401, ReasonAudience, "several audiences and no azp")
	}
	if c.AZP != nil && *c.AZP != reg.ClientID {
		return refuse(401, ReasonAudience, "azp is not our client id")
	}
	now, skew := t.now(), t.skew()
	if c.Expires == nil {
		return refuse(401, ReasonMissingClaim, "exp missing")
	}
	if c.IssuedAt == nil {
		return refuse(401, ReasonMissingClaim, "iat missing")
	}
	exp, iat := time.Unix(int64(*c.Expires), 0), time.Unix(int64(*c.IssuedAt), 0)
	if !now.Before(exp.Add(skew)) {
		return refuse(401, ReasonExpired, "token expired at %s", exp.UTC().Format(time.RFC3339))
	}
	if iat.After(now.Add(skew)) {
		return refuse(401, ReasonNotYetValid, "iat %s is in the future", iat.UTC().Format(time.RFC3339))
	}
	if now.Sub(iat) > t.maxAge()+skew {
		return refuse(401, ReasonExpired, "iat %s is too old", iat.UTC().Format(time.RFC3339))
	}
	if c.NotBefore != nil {
		if nbf := time.Unix(int64(*c.NotBefore), 0); nbf.After(now.Add(skew)) {
			return refuse(401, ReasonNotYetValid, "nbf %s is in the future", nbf.UTC().Format(time.RFC3339))
		}
	}
	if c.Nonce == nil || *c.Nonce == "" {
		return refuse(401, ReasonNonce, "nonce missing")
	}
	if *c.Nonce != wantNonce {
		return refuse(401, ReasonNonce, "nonce does not match the login")
	}
	return nil
}
