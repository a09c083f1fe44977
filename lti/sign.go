package lti

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// signClaims signs a JSON claims object with the tool's current key: header
// alg=RS256, typ=JWT and the key's kid (which is in the tool's JWKS).
func (k *Keyring) signClaims(ctx context.Context, claims map[string]any) (string, error) {
	key, err := k.Signer(ctx)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // echo data values as sent, & and < included
	if err := enc.Encode(claims); err != nil {
		return "", fmt.Errorf("encode claims: %w", err)
	}
	payload := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, "JWT"); err != nil {
		return "", fmt.Errorf("jwt header: %w", err)
	}
	if err := hdr.Set(jws.KeyIDKey, key.KeyID()); err != nil {
		return "", fmt.Errorf("jwt header: %w", err)
	}
	out, err := jws.Sign(payload, jws.WithKey(jwa.RS256, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("sign jwt: %w", err)
	}
	return string(out), nil
}
