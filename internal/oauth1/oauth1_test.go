package oauth1

import (
	"bufio"
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestEncode(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"unreserved kept", "AZaz09-._~", "AZaz09-._~"},
		{"space is %20", "Colin Robert", "Colin%20Robert"},
		{"plus is encoded", "a+b", "a%2Bb"},
		{"quotes and equals", "givenName='x'", "givenName%3D%27x%27"},
		{"reserved", "!*'()/?#[]@&=$,;:%", "%21%2A%27%28%29%2F%3F%23%5B%5D%40%26%3D%24%2C%3B%3A%25"},
		{"utf-8 upper hex", "é中", "%C3%A9%E4%B8%AD"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, Encode(tc.in))
		})
	}
}

func TestBaseURI(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, scheme, host, path, want string }{
		{"rfc example", "HTTP", "EXAMPLE.COM:80", "/r%20v/X", "http://example.com/r%20v/X"},
		{"https default port", "https", "www.example.net:443", "/", "https://www.example.net/"},
		{"other port kept", "https", "www.example.net:8080", "/users", "https://www.example.net:8080/users"},
		{"empty path", "http", "example.com", "", "http://example.com/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, BaseURI(tc.scheme, tc.host, tc.path))
		})
	}
}

// readRFCRequest reads the RFC 5849 §3.4.1 example request: head and form body.
func readRFCRequest(t *testing.T) (*http.Request, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "rfc5849_request.txt"))
	require.NoError(t, err)
	head, body, ok := strings.Cut(string(raw), "\n\n")
	require.True(t, ok)
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head + "\n\n")))
	require.NoError(t, err)
	return req, strings.TrimSpace(body)
}

// TestBaseStringRFC5849 is the golden test of RFC 5849 §3.4.1.1: the example
// request's base string, and its (errata-corrected) HMAC-SHA1 signature.
func TestBaseStringRFC5849(t *testing.T) {
	t.Parallel()
	req, body := readRFCRequest(t)
	h, err := ParseAuthorization(req.Header.Get("Authorization"))
	require.NoError(t, err)
	query, err := ParseForm(req.URL.RawQuery)
	require.NoError(t, err)
	form, err := ParseForm(body)
	require.NoError(t, err)
	params := append(append(query, form...), h.Params...)
	got := BaseString(req.Method, BaseURI("http", req.Host, req.URL.EscapedPath()), params)

	golden := filepath.Join("testdata", "rfc5849_3.4.1.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o600))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)

	assert.Equal(t, "r6/TJjbCOr97/+UU0NsvSne7s5g=", h.Signature)
	assert.True(t, Verify(h.SignatureMethod, "j49sk3j29djd", "dh893hdasih9", got, h.Signature))
	assert.False(t, Verify(h.SignatureMethod, "j49sk3j29djd", "", got, h.Signature), "the token secret is part of the key")
	sig, err := Signature(HMACSHA1, "j49sk3j29djd", "dh893hdasih9", got)
	require.NoError(t, err)
	assert.Equal(t, h.Signature, sig)
}

// TestMoodleFilter (A6): the filter Moodle's conformance run sends,
// givenName='Colin Robert', is signed with the space as %20 (encoded again
// in the base string: %2520) whether the URL carries %20 or '+'.
func TestMoodleFilter(t *testing.T) {
	t.Parallel()
	const want = "GET&https%3A%2F%2Fsis.example%2Fims%2Foneroster%2Fv1p1%2Fusers&" +
		"filter%3DgivenName%253D%2527Colin%2520Robert%2527%26limit%3D100%26" +
		"oauth_consumer_key%3Dpk_moodle%26oauth_nonce%3Dabc%26oauth_signature_method%3DHMAC-SHA256%26" +
		"oauth_timestamp%3D1764349200%26oauth_version%3D1.0%26offset%3D0"
	oauth := []Param{
		{ParamConsumerKey, "pk_moodle"},
		{ParamNonce, "abc"},
		{ParamSignatureMethod, HMACSHA256},
		{ParamTimestamp, "1764349200"},
		{ParamVersion, "1.0"},
	}
	for _, tc := range []struct{ name, query string }{
		{"percent-20", "filter=givenName%3D%27Colin%20Robert%27&limit=100&offset=0"},
		{"plus", "filter=givenName%3D%27Colin+Robert%27&limit=100&offset=0"},
		{"unescaped quotes", "offset=0&limit=100&filter=givenName='Colin%20Robert'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q, err := ParseForm(tc.query)
			require.NoError(t, err)
			base := BaseString("GET", BaseURI("https", "sis.example", "/ims/oneroster/v1p1/users"), append(q, oauth...))
			assert.Equal(t, want, base)
			assert.NotContains(t, base, "+")
		})
	}
	good, err := Signature(HMACSHA256, "secret", "", want)
	require.NoError(t, err)
	plus := strings.Replace(want, "Colin%2520Robert", "Colin%252BRobert", 1)
	bad, err := Signature(HMACSHA256, "secret", "", plus)
	require.NoError(t, err)
	assert.True(t, Verify(HMACSHA256, "secret", "", want, good))
	assert.False(t, Verify(HMACSHA256, "secret", "", want, bad), "a client that signs '+' for the space does not verify")
}

func TestNormalizeParamsDuplicates(t *testing.T) {
	t.Parallel()
	got := NormalizeParams([]Param{{"a", "z"}, {"a", "b"}, {"a", "B"}, {"A", "x"}, {"a b", ""}})
	assert.Equal(t, "A=x&a=B&a=b&a=z&a%20b=", got, "sorted by encoded name, then by encoded value, bytewise")
}

func TestParseForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []Param
		wantErr bool
	}{
		{"plus is space", "a=r+b&c", []Param{{"a", "r b"}, {"c", ""}}, false},
		{"empty segments", "&&a=1&", []Param{{"a", "1"}}, false},
		{"escaped plus", "a=%2B", []Param{{"a", "+"}}, false},
		{"equals in value", "f=x%3D'1'=2", []Param{{"f", "x='1'=2"}}, false},
		{"bad escape", "a=%zz", nil, true},
		{"empty", "", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseForm(tc.in)
			if tc.wantErr {
				require.ErrorIs(t, err, ErrMalformed)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	t.Parallel()
	const ok = `oauth_consumer_key="k", oauth_nonce="n", oauth_signature_method="HMAC-SHA256", oauth_timestamp="100", oauth_signature="c2ln"`
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"valid", "OAuth " + ok, ""},
		{"scheme any case, realm, version", `oauth realm="a, b", ` + ok + `, oauth_version="1.0"`, ""},
		{"no spaces", "OAuth " + strings.ReplaceAll(ok, ", ", ","), ""},
		{"other scheme", "Bearer abc", "not the OAuth scheme"},
		{"empty", "", "not the OAuth scheme"},
		{"no params", "OAuth ", "oauth_consumer_key is missing"},
		{"missing nonce", `OAuth oauth_consumer_key="k", oauth_signature_method="HMAC-SHA256", oauth_timestamp="1", oauth_signature="x"`, "oauth_nonce is missing"},
		{"unquoted", `OAuth oauth_consumer_key=k`, "unquoted"},
		{"unterminated", `OAuth oauth_consumer_key="k`, "unterminated"},
		{"no comma", `OAuth oauth_consumer_key="k" oauth_nonce="n"`, "separated by commas"},
		{"repeated", "OAuth " + ok + `, oauth_nonce="m"`, "repeated"},
		{"foreign name", "OAuth " + ok + `, filter="x"`, "unexpected parameter"},
		{"bad escape", `OAuth oauth_consumer_key="%zz"`, "bad escape"},
		{"timestamp not a number", strings.Replace("OAuth "+ok, `"100"`, `"1e3"`, 1), "oauth_timestamp"},
		{"negative timestamp", strings.Replace("OAuth "+ok, `"100"`, `"-1"`, 1), "oauth_timestamp"},
		{"version 2", "OAuth " + ok + `, oauth_version="2.0"`, "oauth_version"},
		{"nonce with a space", strings.Replace("OAuth "+ok, `oauth_nonce="n"`, `oauth_nonce="a%20b"`, 1), "oauth_nonce"},
		{"empty key", strings.Replace("OAuth "+ok, `oauth_consumer_key="k"`, `oauth_consumer_key=""`, 1), "oauth_consumer_key is empty"},
		{"name only", `OAuth oauth_consumer_key`, "without a value"},
		{"too long", "OAuth " + strings.Repeat("x", 9000), "too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := ParseAuthorization(tc.in)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, ErrMalformed)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "k", h.ConsumerKey)
			assert.Equal(t, "n", h.Nonce)
			assert.Equal(t, int64(100), h.Timestamp)
			assert.Equal(t, "c2ln", h.Signature)
			assert.Equal(t, HMACSHA256, h.SignatureMethod)
			for _, p := range h.Params {
				assert.NotEqual(t, ParamSignature, p.Key)
				assert.NotEqual(t, "realm", p.Key)
			}
		})
	}
}

// TestSignerRoundTrip: what Signer sends verifies with the same secret and
// base string the server rebuilds, for both methods; tampering breaks it.
func TestSignerRoundTrip(t *testing.T) {
	t.Parallel()
	clock := func() time.Time { return time.Unix(1764349200, 0) }
	for _, method := range []string{HMACSHA256, HMACSHA1, ""} {
		t.Run("method "+method, func(t *testing.T) {
			t.Parallel()
			s := &Signer{ConsumerKey: "pk_a b", ConsumerSecret: "s3cr&t", Method: method, Clock: clock, Rand: bytes.NewReader(bytes.Repeat([]byte{7}, 64))}
			req, err := http.NewRequest(http.MethodPost, "https://SIS.example:443/ims/oneroster/v1p1/users?filter=givenName%3D%27Colin+Robert%27&limit=2", strings.NewReader("x=1+2&y=%C3%A9"))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			require.NoError(t, s.Sign(req))

			h, err := ParseAuthorization(req.Header.Get("Authorization"))
			require.NoError(t, err)
			assert.Equal(t, "pk_a b", h.ConsumerKey)
			assert.Equal(t, int64(1764349200), h.Timestamp)
			want := method
			if want == "" {
				want = HMACSHA256
			}
			assert.Equal(t, want, h.SignatureMethod)

			q, err := ParseForm(req.URL.RawQuery)
			require.NoError(t, err)
			form, err := ParseForm("x=1+2&y=%C3%A9")
			require.NoError(t, err)
			params := append(append(q, form...), h.Params...)
			base := BaseString("POST", BaseURI("https", "sis.example", "/ims/oneroster/v1p1/users"), params)
			assert.True(t, Verify(h.SignatureMethod, "s3cr&t", "", base, h.Signature))
			assert.False(t, Verify(h.SignatureMethod, "s3cr&t2", "", base, h.Signature), "wrong secret")
			tampered := BaseString("POST", BaseURI("https", "sis.example", "/ims/oneroster/v1p1/users"), append(params, Param{"offset", "2"}))
			assert.False(t, Verify(h.SignatureMethod, "s3cr&t", "", tampered, h.Signature), "tampered query")
			assert.False(t, Verify("PLAINTEXT", "s3cr&t", "", base, h.Signature), "unknown method")
			assert.False(t, Verify(h.SignatureMethod, "s3cr&t", "", base, "not base64!"), "garbage signature")

			// The body is still readable after signing.
			rest, err := req.GetBody()
			require.NoError(t, err)
			defer rest.Close()
			var sb strings.Builder
			_, err = bufio.NewReader(rest).WriteTo(&sb)
			require.NoError(t, err)
			assert.Equal(t, "x=1+2&y=%C3%A9", sb.String())
		})
	}
}

func TestSignerFreshNonce(t *testing.T) {
	t.Parallel()
	s := &Signer{ConsumerKey: "k", ConsumerSecret: "s"}
	req, err := http.NewRequest(http.MethodGet, "http://x.example/a", nil)
	require.NoError(t, err)
	require.NoError(t, s.Sign(req))
	h1, err := ParseAuthorization(req.Header.Get("Authorization"))
	require.NoError(t, err)
	require.NoError(t, s.Sign(req))
	h2, err := ParseAuthorization(req.Header.Get("Authorization"))
	require.NoError(t, err)
	assert.NotEqual(t, h1.Nonce, h2.Nonce, "each signature gets its own nonce")
}

// seeds adds each line of a testdata file as a fuzz seed.
func seeds(f *testing.F, name string) {
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(f, err)
	for _, line := range strings.Split(string(raw), "\n") {
		f.Add(line)
	}
}

// FuzzParseAuthorization: any header is parsed or refused with
// ErrMalformed, never a panic; what parses renders back to the same
// parameters.
func FuzzParseAuthorization(f *testing.F) {
	seeds(f, "authorization_seeds.txt")
	f.Fuzz(func(t *testing.T, v string) {
		h, err := ParseAuthorization(v)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			return
		}
		require.NotEmpty(t, h.ConsumerKey)
		require.NotEmpty(t, h.Signature)
		require.NotEmpty(t, h.Nonce)
		again, err := ParseAuthorization(FormatAuthorization(h.Params, h.Signature))
		require.NoError(t, err)
		assert.Equal(t, h, again)
		_ = BaseString("GET", "http://x/", h.Params)
	})
}

// FuzzParseForm: any query string is parsed or refused, never a panic.
func FuzzParseForm(f *testing.F) {
	seeds(f, "form_seeds.txt")
	f.Fuzz(func(t *testing.T, s string) {
		params, err := ParseForm(s)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			return
		}
		n := NormalizeParams(params)
		require.NotContains(t, n, "+")
		require.NotContains(t, n, " ")
	})
}
