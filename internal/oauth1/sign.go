package oauth1

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// maxSignedBody bounds a form body read to sign it.
const maxSignedBody = 1 << 20

// Signer signs outgoing requests as a two-legged OAuth 1.0a consumer (no
// token), as OneRoster 1.1 clients do: the query parameters, an
// application/x-www-form-urlencoded body and the protocol parameters are
// signed, and the result goes in the Authorization header.
type Signer struct {
	ConsumerKey    string
	ConsumerSecret string
	// Method is HMACSHA256 (the default when empty) or HMACSHA1.
	Method string
	// Clock gives oauth_timestamp; nil means time.Now.
	Clock func() time.Time
	// Rand makes nonces; nil means crypto/rand.
	Rand io.Reader
}

// Sign sets req's Authorization header to a fresh signature (a new nonce
// and timestamp each call, so a retried request is signed anew).
func (s *Signer) Sign(req *http.Request) error {
	method := s.Method
	if method == "" {
		method = HMACSHA256
	}
	nonce, err := s.nonce()
	if err != nil {
		return err
	}
	now := time.Now
	if s.Clock != nil {
		now = s.Clock
	}
	oauth := []Param{
		{ParamConsumerKey, s.ConsumerKey},
		{ParamNonce, nonce},
		{ParamSignatureMethod, method},
		{ParamTimestamp, strconv.FormatInt(now().Unix(), 10)},
		{ParamVersion, "1.0"},
	}
	params, err := ParseForm(req.URL.RawQuery)
	if err != nil {
		return fmt.Errorf("sign: query: %w", err)
	}
	form, err := formBody(req)
	if err != nil {
		return err
	}
	params = append(params, form...)
	params = append(params, oauth...)
	base := BaseString(req.Method, BaseURI(req.URL.Scheme, req.URL.Host, req.URL.EscapedPath()), params)
	sig, err := Signature(method, s.ConsumerSecret, "", base)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	req.Header.Set("Authorization", FormatAuthorization(oauth, sig))
	return nil
}

func (s *Signer) nonce() (string, error) {
	r := s.Rand
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 18)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("sign: nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// formBody returns the parameters of an application/x-www-form-urlencoded
// body, read through GetBody so the request can still be sent.
func formBody(req *http.Request) ([]Param, error) {
	ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" || req.GetBody == nil {
		return nil, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("sign: body: %w", err)
	}
	defer body.Close()
	raw, err := io.ReadAll(io.LimitReader(body, maxSignedBody+1))
	if err != nil {
		return nil, fmt.Errorf("sign: body: %w", err)
	}
	if len(raw) > maxSignedBody {
		return nil, fmt.Errorf("sign: form body over %d bytes", maxSignedBody)
	}
	params, err := ParseForm(string(raw))
	if err != nil {
		return nil, fmt.Errorf("sign: body: %w", err)
	}
	return params, nil
}
