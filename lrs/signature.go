package lrs

import (
	"crypto/rsa"
	"strings"

	"github.com/lestrrat-go/jwx/v2/cert"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// VerifySignature checks a signed statement (xAPI Data 2.6). m is the
// validated statement as received (before the LRS set any property) and
// sig the content of its signature attachment part. The signature must be
// a JWS compact serialisation with RS256, RS384 or RS512; when its header
// carries an x5c chain the signature is verified with the first
// certificate's key; its payload must be the statement itself, compared by
// the statement comparison rules with the signature attachment left out.
func VerifySignature(m map[string]any, sig []byte, v Version) error {
	const field = "attachments(signature)"
	msg, err := jws.Parse([]byte(strings.TrimSpace(string(sig))))
	if err != nil || len(msg.Signatures()) != 1 {
		return invalid(field, "the signature must be one JWS in compact serialization")
	}
	hdr := msg.Signatures()[0].ProtectedHeaders()
	alg := hdr.Algorithm()
	switch alg {
	case jwa.RS256, jwa.RS384, jwa.RS512:
	default:
		return invalid(field, "the JWS algorithm must be RS256, RS384 or RS512")
	}
	if chain := hdr.X509CertChain(); chain != nil && chain.Len() > 0 {
		der, _ := chain.Get(0)
		c, err := cert.Parse(der)
		if err != nil {
			return invalid(field, "the x5c certificate cannot be parsed")
		}
		pub, ok := c.PublicKey.(*rsa.PublicKey)
		if !ok {
			return invalid(field, "the x5c certificate must hold an RSA key")
		}
		if _, err := jws.Verify([]byte(strings.TrimSpace(string(sig))), jws.WithKey(alg, pub)); err != nil {
			return invalid(field, "the JWS signature does not verify with the x5c certificate")
		}
	}
	payload, err := ValidateStatement(msg.Payload(), v)
	if err != nil {
		return invalid(field, "the JWS payload must be a valid statement")
	}
	if pid, ok := payload["id"]; ok && pid != m["id"] {
		return invalid(field, "the JWS payload's id differs from the statement's id")
	}
	orig := withoutSignature(m)
	h1, err := comparisonHash(orig)
	if err != nil {
		return err
	}
	h2, err := comparisonHash(withoutSignature(payload))
	if err != nil {
		return err
	}
	if h1 != h2 {
		return invalid(field, "the JWS payload does not match the statement")
	}
	return nil
}

// withoutSignature returns a shallow copy of m whose attachments leave out
// signature attachments (and which has no attachments key when none remain).
func withoutSignature(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	atts, ok := m["attachments"].([]any)
	if !ok {
		return out
	}
	var keep []any
	for _, a := range atts {
		if am, ok := a.(map[string]any); ok && am["usageType"] == UsageSignature {
			continue
		}
		keep = append(keep, a)
	}
	if len(keep) == 0 {
		delete(out, "attachments")
	} else {
		out["attachments"] = keep
	}
	return out
}

// SignatureParts returns, for a statement's attachments, the hashes of its
// signature attachments; it fails when one is not application/octet-stream.
func SignatureParts(s *Statement) ([]string, error) {
	var out []string
	for _, a := range s.Attachments {
		if a.UsageType != UsageSignature {
			continue
		}
		mt := strings.TrimSpace(strings.SplitN(a.ContentType, ";", 2)[0])
		if mt != "application/octet-stream" {
			return nil, invalid("attachments.contentType", "a signature attachment must be application/octet-stream")
		}
		out = append(out, strings.ToLower(a.SHA2))
	}
	return out, nil
}
