package xapi

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v2/cert"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type part struct {
	contentType string
	hash        string
	data        []byte
}

// multipartBody builds a multipart/mixed statements request.
func multipartBody(t *testing.T, statement string, parts ...part) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", "application/json")
	w, err := mw.CreatePart(h)
	require.NoError(t, err)
	_, _ = w.Write([]byte(statement))
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", p.contentType)
		h.Set("Content-Transfer-Encoding", "binary")
		h.Set("X-Experience-API-Hash", p.hash)
		w, err := mw.CreatePart(h)
		require.NoError(t, err)
		_, _ = w.Write(p.data)
	}
	require.NoError(t, mw.Close())
	return buf.Bytes(), "multipart/mixed; boundary=" + mw.Boundary()
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func attachmentStatement(mbox string, data []byte, usage, ct string) string {
	return stmtJSON(mbox, fmt.Sprintf(`"attachments":[{"usageType":%q,"display":{"en-US":"a"},"contentType":%q,"length":%d,"sha2":%q}]`,
		usage, ct, len(data), sha(data)))
}

func testAttachments(t *testing.T, c client) {
	data := []byte("certificate of completion " + uuid.NewString())
	t.Run("Data 2.4.11 statement with an attachment part is stored and returned with attachments=true", func(t *testing.T) {
		mb := uniq("att")
		body, ct := multipartBody(t, attachmentStatement(mb, data, "http://example.com/usage", "text/plain"),
			part{"text/plain", sha(data), data})
		res, rb := c.with(t).do(http.MethodPost, "/xapi/statements", nil, body, header("Content-Type", ct))
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", rb)
		id := decode[[]string](t, rb)[0]
		res, rb = c.with(t).getStatements(url.Values{"statementId": {id}, "attachments": {"true"}})
		require.Equal(t, http.StatusOK, res.StatusCode)
		mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
		require.NoError(t, err)
		require.Equal(t, "multipart/mixed", mt)
		mr := multipart.NewReader(bytes.NewReader(rb), params["boundary"])
		p1, err := mr.NextPart()
		require.NoError(t, err)
		assert.Equal(t, "application/json", p1.Header.Get("Content-Type"))
		p2, err := mr.NextPart()
		require.NoError(t, err)
		assert.Equal(t, sha(data), p2.Header.Get("X-Experience-API-Hash"))
		var got bytes.Buffer
		_, _ = got.ReadFrom(p2)
		assert.Equal(t, data, got.Bytes())
	})
	cases := []struct {
		name  string
		parts []part
		ct    string
	}{
		{"Data 2.4.11 missing part is a 400", nil, ""},
		{"Data 2.4.11 part hash that does not match its content is a 400", []part{{"text/plain", sha(data), []byte("other")}}, ""},
		{"Data 2.4.11 part not declared by the statement is a 400", []part{{"text/plain", sha(data), data}, {"text/plain", sha([]byte("x")), []byte("x")}}, ""},
		{"Data 2.4.11 part without hash header is a 400", []part{{"text/plain", "", data}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, ct := multipartBody(t, attachmentStatement(uniq("att"), data, "http://example.com/usage", "text/plain"), tc.parts...)
			res, rb := c.with(t).do(http.MethodPost, "/xapi/statements", nil, body, header("Content-Type", ct))
			assert.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", rb)
		})
	}
	t.Run("Data 2.4.11 attachment without fileUrl in a plain JSON request is a 400", func(t *testing.T) {
		res, _ := c.with(t).postStatements(attachmentStatement(uniq("att"), data, "http://example.com/usage", "text/plain"))
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
}

// signer is an RSA key with a self-signed certificate for JWS x5c.
type signer struct {
	key   *rsa.PrivateKey
	chain *cert.Chain
}

func newSigner(t *testing.T) signer {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "signer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	var chain cert.Chain
	require.NoError(t, chain.AddString(base64.StdEncoding.EncodeToString(der)))
	return signer{key: key, chain: &chain}
}

func (s signer) sign(t *testing.T, payload string, alg jwa.SignatureAlgorithm) []byte {
	h := jws.NewHeaders()
	require.NoError(t, h.Set(jws.X509CertChainKey, s.chain))
	out, err := jws.Sign([]byte(payload), jws.WithKey(alg, s.key, jws.WithProtectedHeaders(h)))
	require.NoError(t, err)
	return out
}

func testSignedStatements(t *testing.T, c client) {
	sg := newSigner(t)
	const usage = "http://adlnet.gov/expapi/attachments/signature"
	send := func(t *testing.T, original, payload string, alg jwa.SignatureAlgorithm) int {
		sig := sg.sign(t, payload, alg)
		m := original[:len(original)-1] + fmt.Sprintf(`,"attachments":[{"usageType":%q,"display":{"en-US":"signature"},"contentType":"application/octet-stream","length":%d,"sha2":%q}]}`,
			usage, len(sig), sha(sig))
		body, ct := multipartBody(t, m, part{"application/octet-stream", sha(sig), sig})
		res, _ := c.with(t).do(http.MethodPost, "/xapi/statements", nil, body, header("Content-Type", ct))
		return res.StatusCode
	}
	for _, alg := range []jwa.SignatureAlgorithm{jwa.RS256, jwa.RS384, jwa.RS512} {
		t.Run("Data 2.6 a valid "+alg.String()+" signature is accepted", func(t *testing.T) {
			s := stmtJSON(uniq("signed"), `"id":"`+uuid.NewString()+`"`)
			assert.Equal(t, http.StatusOK, send(t, s, s, alg))
		})
	}
	t.Run("Data 2.6 a payload that differs from the statement is a 400", func(t *testing.T) {
		s := stmtJSON(uniq("signed"), "")
		assert.Equal(t, http.StatusBadRequest, send(t, s, stmtJSON(uniq("tampered"), ""), jwa.RS256))
	})
	t.Run("Data 2.6 a non-RSA algorithm is a 400", func(t *testing.T) {
		s := stmtJSON(uniq("signed"), "")
		h := jws.NewHeaders()
		sig, err := jws.Sign([]byte(s), jws.WithKey(jwa.HS256, []byte("0123456789abcdef0123456789abcdef"), jws.WithProtectedHeaders(h)))
		require.NoError(t, err)
		m := s[:len(s)-1] + fmt.Sprintf(`,"attachments":[{"usageType":%q,"display":{"en-US":"s"},"contentType":"application/octet-stream","length":%d,"sha2":%q}]}`,
			usage, len(sig), sha(sig))
		body, ct := multipartBody(t, m, part{"application/octet-stream", sha(sig), sig})
		res, _ := c.with(t).do(http.MethodPost, "/xapi/statements", nil, body, header("Content-Type", ct))
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
	t.Run("Data 2.6 a malformed signature is a 400", func(t *testing.T) {
		s := stmtJSON(uniq("signed"), "")
		sig := []byte("not a jws")
		m := s[:len(s)-1] + fmt.Sprintf(`,"attachments":[{"usageType":%q,"display":{"en-US":"s"},"contentType":"application/octet-stream","length":%d,"sha2":%q}]}`,
			usage, len(sig), sha(sig))
		body, ct := multipartBody(t, m, part{"application/octet-stream", sha(sig), sig})
		res, _ := c.with(t).do(http.MethodPost, "/xapi/statements", nil, body, header("Content-Type", ct))
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
}

func testAlternateSyntax(t *testing.T, c client) {
	id := uuid.NewString()
	form := url.Values{
		"statementId":              {id},
		"content":                  {stmtJSON(uniq("ars"), "")},
		"Authorization":            {"Basic " + base64.StdEncoding.EncodeToString([]byte(c.tg.All.Key+":"+c.tg.All.Secret))},
		"X-Experience-API-Version": {c.version},
		"Content-Type":             {"application/json"},
	}
	cc := c.anonymous()
	cc.version = ""
	res, body := cc.do(http.MethodPost, "/xapi/statements", url.Values{"method": {"PUT"}}, []byte(form.Encode()),
		header("Content-Type", "application/x-www-form-urlencoded"))
	if c.v2() {
		t.Run("Comm 1.3 2.0 refuses the Alternate Request Syntax", func(t *testing.T) {
			assert.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", body)
		})
		return
	}
	t.Run("Comm 1.3 POST ?method=PUT stores the statement", func(t *testing.T) {
		assert.Equal(t, http.StatusNoContent, res.StatusCode, "%s", body)
		res, _ := c.with(t).getStatements(url.Values{"statementId": {id}})
		assert.Equal(t, http.StatusOK, res.StatusCode)
	})
	t.Run("Comm 1.3 POST ?method=GET reads", func(t *testing.T) {
		f := url.Values{"statementId": {id}, "Authorization": form["Authorization"], "X-Experience-API-Version": {c.version}}
		res, body := cc.with(t).do(http.MethodPost, "/xapi/statements", url.Values{"method": {"GET"}}, []byte(f.Encode()),
			header("Content-Type", "application/x-www-form-urlencoded"))
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		assert.Equal(t, id, decode[map[string]any](t, body)["id"])
	})
	t.Run("Comm 1.3 other query parameters are a 400", func(t *testing.T) {
		res, _ := cc.with(t).do(http.MethodPost, "/xapi/statements", url.Values{"method": {"PUT"}, "statementId": {id}}, []byte(form.Encode()),
			header("Content-Type", "application/x-www-form-urlencoded"))
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
}

func testEncoding(t *testing.T, c client) {
	t.Run("Comm 1.4 a gzip body is accepted", func(t *testing.T) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write([]byte(stmtJSON(uniq("gz"), "")))
		require.NoError(t, zw.Close())
		res, body := c.with(t).do(http.MethodPost, "/xapi/statements", nil, buf.Bytes(), header("Content-Encoding", "gzip"))
		assert.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	})
	t.Run("Comm 1.4 a gzip bomb is a 413", func(t *testing.T) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write([]byte("[" + strings.Repeat(" ", 64<<20) + "]"))
		require.NoError(t, zw.Close())
		res, _ := c.with(t).do(http.MethodPost, "/xapi/statements", nil, buf.Bytes(), header("Content-Encoding", "gzip"))
		assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	})
	t.Run("Comm 1.5 an unsupported Content-Type is a 400", func(t *testing.T) {
		res, _ := c.with(t).postStatements(stmtJSON(uniq("ct"), ""), header("Content-Type", "text/plain"))
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
}
