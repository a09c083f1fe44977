package oauth1

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // HMAC-SHA1 is an OAuth 1.0a method some OneRoster 1.1 clients still use; opt-in per credential
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"slices"
	"strings"
)

// The signature methods this package implements (RFC 5849 §3.4.2 and the
// HMAC-SHA256 variant OneRoster 1.1 mandates).
const (
	HMACSHA256 = "HMAC-SHA256"
	HMACSHA1   = "HMAC-SHA1"
)

// ErrMalformed is a request whose OAuth parameters cannot be read.
var ErrMalformed = errors.New("malformed oauth request")

// Param is one request parameter, decoded.
type Param struct {
	Key, Value string
}

// Encode percent-encodes s as RFC 5849 §3.6 requires: every byte except the
// RFC 3986 unreserved characters (ALPHA, DIGIT, '-', '.', '_', '~') becomes
// %XX with upper-case hex, so a space is %20, never '+'.
func Encode(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// NormalizeParams is the normalized request parameters of RFC 5849
// §3.4.1.3.2: each name and value encoded, sorted by name and then by value,
// joined as name=value pairs with '&'.
func NormalizeParams(params []Param) string {
	enc := make([]Param, len(params))
	for i, p := range params {
		enc[i] = Param{Encode(p.Key), Encode(p.Value)}
	}
	slices.SortFunc(enc, func(a, b Param) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	var b strings.Builder
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.Key)
		b.WriteByte('=')
		b.WriteString(p.Value)
	}
	return b.String()
}

// BaseURI is the base string URI of RFC 5849 §3.4.1.2: scheme and host in
// lower case, the port only when it is not the scheme's default, and the
// request path as sent (no query, no fragment; "/" when empty).
func BaseURI(scheme, host, path string) string {
	scheme = strings.ToLower(scheme)
	host = strings.ToLower(host)
	switch {
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	}
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

// BaseString is the signature base string of RFC 5849 §3.4.1.1: the
// upper-case method, the encoded base string URI and the encoded normalized
// parameters, joined by '&'. params must already exclude realm and
// oauth_signature.
func BaseString(method, baseURI string, params []Param) string {
	return strings.ToUpper(method) + "&" + Encode(baseURI) + "&" + Encode(NormalizeParams(params))
}

// ParseForm reads an application/x-www-form-urlencoded string (a query
// string or a form body) as RFC 5849 §3.4.1.3.1 says: '+' is a space and
// %XX escapes are decoded. Empty segments are skipped; a name without '='
// has an empty value; a bad escape is ErrMalformed.
func ParseForm(s string) ([]Param, error) {
	var out []Param
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("%w: bad escape in a parameter name", ErrMalformed)
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("%w: bad escape in a parameter value", ErrMalformed)
		}
		out = append(out, Param{dk, dv})
	}
	return out, nil
}

// newHash returns the HMAC hash of a signature method; nil if unknown.
func newHash(method string) func() hash.Hash {
	switch method {
	case HMACSHA256:
		return sha256.New
	case HMACSHA1:
		return sha1.New
	}
	return nil
}

// SigningKey is the HMAC key of RFC 5849 §3.4.2: the encoded consumer
// secret and the encoded token secret joined by '&' (the token secret is
// empty for two-legged requests such as OneRoster's).
func SigningKey(consumerSecret, tokenSecret string) string {
	return Encode(consumerSecret) + "&" + Encode(tokenSecret)
}

// Signature computes the base64 signature of base with method; an unknown
// method is an error.
func Signature(method, consumerSecret, tokenSecret, base string) (string, error) {
	mac, err := rawSignature(method, consumerSecret, tokenSecret, base)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(mac), nil
}

func rawSignature(method, consumerSecret, tokenSecret, base string) ([]byte, error) {
	h := newHash(method)
	if h == nil {
		return nil, fmt.Errorf("unsupported signature method %q", method)
	}
	m := hmac.New(h, []byte(SigningKey(consumerSecret, tokenSecret)))
	m.Write([]byte(base))
	return m.Sum(nil), nil
}

// Verify reports whether signature (base64, as sent in oauth_signature) is
// method's signature of base, comparing in constant time.
func Verify(method, consumerSecret, tokenSecret, base, signature string) bool {
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	want, err := rawSignature(method, consumerSecret, tokenSecret, base)
	if err != nil {
		return false
	}
	return hmac.Equal(got, want)
}
