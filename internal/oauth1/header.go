package oauth1

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Protocol parameter names (RFC 5849 §3.1).
const (
	ParamConsumerKey     = "oauth_consumer_key"
	ParamToken           = "oauth_token"
	ParamSignatureMethod = "oauth_signature_method"
	ParamSignature       = "oauth_signature"
	ParamTimestamp       = "oauth_timestamp"
	ParamNonce           = "oauth_nonce"
	ParamVersion         = "oauth_version"
)

// Limits on an Authorization header, so a hostile one costs little.
const (
	maxHeaderLen = 8 << 10
	maxParams    = 32
	// MaxNonceLen bounds oauth_nonce, which the server stores.
	MaxNonceLen = 255
)

// Header is a parsed "Authorization: OAuth ..." header (RFC 5849 §3.5.1).
type Header struct {
	ConsumerKey     string
	Token           string // "" for two-legged requests
	SignatureMethod string
	Signature       string // base64, as sent
	Timestamp       int64  // seconds since the Unix epoch
	Nonce           string
	// Params is every protocol parameter but oauth_signature (and realm,
	// which is not one), decoded, in header order: what the signature
	// base string includes from the header.
	Params []Param
}

// ParseAuthorization reads the value of an Authorization header with the
// OAuth scheme. It is strict: every parameter is name="value" with
// percent-encoded name and value, separated by commas; only realm and
// oauth_* names are allowed, none twice; oauth_consumer_key,
// oauth_signature_method, oauth_signature, oauth_timestamp (decimal
// seconds) and oauth_nonce (printable ASCII, at most MaxNonceLen bytes) are
// required, and oauth_version, when present, is "1.0". Anything else is
// ErrMalformed; it never panics.
func ParseAuthorization(v string) (Header, error) {
	var h Header
	if len(v) > maxHeaderLen {
		return h, fmt.Errorf("%w: header too long", ErrMalformed)
	}
	scheme, rest, _ := strings.Cut(strings.TrimLeft(v, " \t"), " ")
	if !strings.EqualFold(scheme, "OAuth") {
		return h, fmt.Errorf("%w: not the OAuth scheme", ErrMalformed)
	}
	seen := map[string]bool{}
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			break
		}
		if len(seen) >= maxParams {
			return h, fmt.Errorf("%w: too many parameters", ErrMalformed)
		}
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return h, fmt.Errorf("%w: parameter without a value", ErrMalformed)
		}
		rawName := strings.TrimRight(rest[:eq], " \t")
		rest = strings.TrimLeft(rest[eq+1:], " \t")
		if !strings.HasPrefix(rest, `"`) {
			return h, fmt.Errorf("%w: unquoted value", ErrMalformed)
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return h, fmt.Errorf("%w: unterminated value", ErrMalformed)
		}
		rawValue := rest[1 : 1+end]
		rest = strings.TrimLeft(rest[2+end:], " \t")
		switch {
		case rest == "":
		case rest[0] == ',':
			rest = rest[1:]
		default:
			return h, fmt.Errorf("%w: parameters must be separated by commas", ErrMalformed)
		}
		name, err := url.PathUnescape(rawName)
		if err != nil {
			return h, fmt.Errorf("%w: bad escape in a parameter name", ErrMalformed)
		}
		if seen[name] {
			return h, fmt.Errorf("%w: repeated parameter %s", ErrMalformed, printable(name))
		}
		seen[name] = true
		if name == "realm" {
			continue // not a protocol parameter; never signed
		}
		if !strings.HasPrefix(name, "oauth_") {
			return h, fmt.Errorf("%w: unexpected parameter %s", ErrMalformed, printable(name))
		}
		value, err := url.PathUnescape(rawValue)
		if err != nil {
			return h, fmt.Errorf("%w: bad escape in %s", ErrMalformed, name)
		}
		switch name {
		case ParamSignature:
			h.Signature = value
			continue
		case ParamConsumerKey:
			h.ConsumerKey = value
		case ParamToken:
			h.Token = value
		case ParamSignatureMethod:
			h.SignatureMethod = value
		case ParamNonce:
			h.Nonce = value
		case ParamTimestamp:
			ts, err := strconv.ParseInt(value, 10, 64)
			if err != nil || ts < 0 || value[0] == '+' {
				return h, fmt.Errorf("%w: oauth_timestamp is not a number of seconds", ErrMalformed)
			}
			h.Timestamp = ts
		case ParamVersion:
			if value != "1.0" {
				return h, fmt.Errorf("%w: oauth_version must be 1.0", ErrMalformed)
			}
		}
		h.Params = append(h.Params, Param{name, value})
	}
	for _, req := range []string{ParamConsumerKey, ParamSignatureMethod, ParamSignature, ParamTimestamp, ParamNonce} {
		if !seen[req] {
			return h, fmt.Errorf("%w: %s is missing", ErrMalformed, req)
		}
	}
	switch {
	case h.ConsumerKey == "":
		return h, fmt.Errorf("%w: oauth_consumer_key is empty", ErrMalformed)
	case h.Signature == "":
		return h, fmt.Errorf("%w: oauth_signature is empty", ErrMalformed)
	case h.Nonce == "" || len(h.Nonce) > MaxNonceLen || !visibleASCII(h.Nonce):
		return h, fmt.Errorf("%w: oauth_nonce must be 1-%d printable ASCII characters", ErrMalformed, MaxNonceLen)
	}
	return h, nil
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// printable quotes a client-chosen name for an error message, truncated.
func printable(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return strconv.Quote(s)
}

// FormatAuthorization renders an Authorization header value from protocol
// parameters and a signature, each name and value encoded and quoted.
func FormatAuthorization(params []Param, signature string) string {
	var b strings.Builder
	b.WriteString("OAuth ")
	for _, p := range params {
		b.WriteString(Encode(p.Key))
		b.WriteString(`="`)
		b.WriteString(Encode(p.Value))
		b.WriteString(`", `)
	}
	b.WriteString(ParamSignature + `="` + Encode(signature) + `"`)
	return b.String()
}
