package lti

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// signClaims signs a JSON claims object with the tool's current key: header
// alg=RS256, typ=JWT and the key's kid (which is in the tool's JWKS).
func (k *Keyring) signClaims(ctx context.Context, claims map[string]any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // echo data values as sent, & and < included
	if err := enc.Encode(claims); err != nil {
		return "", fmt.Errorf("encode claims: %w", err)
	}
	return k.sign(ctx, "JWT", bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// sign signs payload with the tool's current key: header alg=RS256, the
// given typ and the key's kid.
func (k *Keyring) sign(ctx context.Context, typ string, payload []byte) (string, error) {
	kid, key, err := k.signingKey(ctx)
	if err != nil {
		return "", err
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, typ); err != nil {
		return "", fmt.Errorf("jwt header: %w", err)
	}
	if err := hdr.Set(jws.KeyIDKey, kid); err != nil {
		return "", fmt.Errorf("jwt header: %w", err)
	}
	out, err := jws.Sign(payload, jws.WithKey(jwa.RS256, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("sign jwt: %w", err)
	}
	return string(out), nil
}

// signingKey returns the current key's kid and its RSA private key with the
// CRT values precomputed once: signing with the JWK itself would convert
// and precompute the key again on every signature (a third of each one).
func (k *Keyring) signingKey(ctx context.Context) (string, *rsa.PrivateKey, error) {
	s, err := k.Signer(ctx)
	if err != nil {
		return "", nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.raw == nil || k.rawKID != s.KeyID() {
		var raw rsa.PrivateKey
		if err := s.Raw(&raw); err != nil {
			return "", nil, fmt.Errorf("tool key %s: %w", s.KeyID(), err)
		}
		raw.Precompute()
		k.raw, k.rawKID = &raw, s.KeyID()
	}
	return k.rawKID, k.raw, nil
}
