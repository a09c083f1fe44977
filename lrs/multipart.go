package lrs

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// Part is one attachment part of a multipart/mixed statements request or
// response.
type Part struct {
	ContentType string
	// SHA2 is the lowercase hex hash from X-Experience-API-Hash.
	SHA2 string
	Data []byte
}

// MaxParts bounds the number of parts one request may carry.
const MaxParts = 1000

// ReadMultipart reads a multipart/mixed statements body (xAPI Data 2.4.11,
// Communication 1.5.2): the first part is the statement JSON, every other
// part an attachment with an X-Experience-API-Hash header that must equal
// the hash of its content. contentType is the request's Content-Type.
func ReadMultipart(body []byte, contentType string) ([]byte, []Part, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/mixed" {
		return nil, nil, invalid("Content-Type", "must be multipart/mixed with a boundary")
	}
	boundary := params["boundary"]
	if boundary == "" {
		return nil, nil, invalid("Content-Type", "multipart/mixed needs a boundary parameter")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var stmt []byte
	var parts []Part
	for i := 0; ; i++ {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, invalid("body", "malformed multipart/mixed body")
		}
		if i > MaxParts {
			return nil, nil, invalid("body", "too many parts")
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, nil, invalid("body", "malformed multipart/mixed part")
		}
		ct := p.Header.Get("Content-Type")
		if i == 0 {
			if !IsJSONType(ct) {
				return nil, nil, invalid("Content-Type", "the first part of a multipart/mixed statements request must be application/json")
			}
			stmt = data
			continue
		}
		if ct == "" {
			return nil, nil, invalid("Content-Type", "every attachment part needs a Content-Type header")
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "" && !strings.EqualFold(cte, "binary") {
			return nil, nil, invalid("Content-Transfer-Encoding", "attachment parts must be binary")
		}
		h := strings.ToLower(strings.TrimSpace(p.Header.Get("X-Experience-API-Hash")))
		if h == "" {
			return nil, nil, invalid("X-Experience-API-Hash", "every attachment part needs this header")
		}
		if !reSHA2.MatchString(h) {
			return nil, nil, invalid("X-Experience-API-Hash", "must be the hex SHA-2 of the part")
		}
		if HashHex(h, data) != h {
			return nil, nil, invalid("X-Experience-API-Hash", "does not match the part's content")
		}
		parts = append(parts, Part{ContentType: ct, SHA2: h, Data: data})
	}
	if stmt == nil {
		return nil, nil, invalid("body", "a multipart/mixed statements request needs a statement part")
	}
	return stmt, parts, nil
}

// HashHex hashes data with the SHA-2 function whose hex digest has the
// length of like (224, 256, 384 or 512 bits).
func HashHex(like string, data []byte) string {
	var h hash.Hash
	switch len(like) {
	case 56:
		h = sha256.New224()
	case 96:
		h = sha512.New384()
	case 128:
		h = sha512.New()
	default:
		h = sha256.New()
	}
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// MatchAttachments checks that the parts and the statements' attachment
// metadata agree: every attachment without a fileUrl has a part with its
// hash, and every part is declared by some attachment.
func MatchAttachments(ss []*Statement, parts []Part) error {
	have := map[string]bool{}
	for _, p := range parts {
		have[p.SHA2] = true
	}
	used := map[string]bool{}
	for _, s := range ss {
		for _, a := range s.Attachments {
			h := strings.ToLower(a.SHA2)
			used[h] = true
			if a.FileURL == "" && !have[h] {
				return invalid("attachments", "an attachment without fileUrl needs a multipart part with X-Experience-API-Hash %s", h)
			}
		}
	}
	for _, p := range parts {
		if !used[p.SHA2] {
			return invalid("X-Experience-API-Hash", "part %s is not declared by any statement's attachments", p.SHA2)
		}
	}
	return nil
}

// KeepSentAttachments narrows each statement's Attachments to those whose
// data came with the request (a part with the same hash), so that the store
// links a statement only to data its own request carried. Without it a
// statement with a fileUrl attachment naming the hash of data another
// statement uploaded would be answered, under attachments=true, with that
// other upload. Call it after MatchAttachments.
func KeepSentAttachments(ss []*Statement, parts []Part) {
	have := make(map[string]bool, len(parts))
	for _, p := range parts {
		have[p.SHA2] = true
	}
	for _, s := range ss {
		kept := s.Attachments[:0]
		for _, a := range s.Attachments {
			if have[strings.ToLower(a.SHA2)] {
				kept = append(kept, a)
			}
		}
		s.Attachments = kept
	}
}

// WriteMultipart writes a multipart/mixed statements response: the JSON
// first, then one part per attachment. It returns the Content-Type.
func WriteMultipart(w io.Writer, jsonBody []byte, parts []Part) (string, error) {
	mw := multipart.NewWriter(w)
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", "application/json")
	pw, err := mw.CreatePart(h)
	if err != nil {
		return "", fmt.Errorf("write statement part: %w", err)
	}
	if _, err := pw.Write(jsonBody); err != nil {
		return "", fmt.Errorf("write statement part: %w", err)
	}
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", p.ContentType)
		h.Set("Content-Transfer-Encoding", "binary")
		h.Set("X-Experience-API-Hash", p.SHA2)
		pw, err := mw.CreatePart(h)
		if err != nil {
			return "", fmt.Errorf("write attachment part: %w", err)
		}
		if _, err := pw.Write(p.Data); err != nil {
			return "", fmt.Errorf("write attachment part: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return "", fmt.Errorf("close multipart: %w", err)
	}
	return "multipart/mixed; boundary=" + mw.Boundary(), nil
}
