package lrs_test

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/passportbridge/passport/lrs"
)

func seedStatements(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "statements", "*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseStatement feeds arbitrary bodies to the validator: it must never
// panic, must fail only with a ValidationError, and what it accepts must
// prepare and render in every format.
func FuzzParseStatement(f *testing.F) {
	seedStatements(f)
	f.Add([]byte(`{"actor":{"mbox":"mailto:a@b"},"verb":{"id":"a:b"},"object":{"objectType":"SubStatement"}}`))
	f.Add([]byte(`[null]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range []lrs.Version{lrs.V1, lrs.V2} {
			ms, err := lrs.ParseStatements(body, v, true)
			if err != nil {
				var ve *lrs.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("non-validation error: %v", err)
				}
				continue
			}
			for _, m := range ms {
				st, err := lrs.Prepare(m, lrs.Prepared{Authority: testAuthority, Version: v})
				if err != nil {
					t.Fatalf("prepare accepted statement: %v", err)
				}
				raw := st.WithStored(st.Timestamp)
				for _, f := range []lrs.Format{lrs.FormatExact, lrs.FormatIDs, lrs.FormatCanonical} {
					if _, err := lrs.Render(raw, f, []string{"en"}, nil); err != nil {
						t.Fatalf("render %s: %v", f, err)
					}
				}
				// What was stored must validate again (the LRS's output is valid input).
				if _, err := lrs.ParseStatements(st.Raw, v, false); err != nil {
					t.Fatalf("stored statement no longer validates: %v\n%s", err, st.Raw)
				}
			}
		}
	})
}

// FuzzMultipart feeds arbitrary multipart bodies to the reader.
func FuzzMultipart(f *testing.F) {
	f.Add([]byte("--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\nContent-Type: text/plain\r\nX-Experience-API-Hash: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\r\n\r\nhello\r\n--b--\r\n"), "multipart/mixed; boundary=b")
	f.Add([]byte("--b--"), "multipart/mixed; boundary=b")
	f.Add([]byte(""), "multipart/mixed")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		stmt, parts, err := lrs.ReadMultipart(body, ct)
		if err != nil {
			var ve *lrs.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("non-validation error: %v", err)
			}
			return
		}
		if stmt == nil {
			t.Fatal("accepted a body without a statement part")
		}
		for _, p := range parts {
			if lrs.HashHex(p.SHA2, p.Data) != p.SHA2 {
				t.Fatal("accepted a part whose hash does not match")
			}
		}
	})
}

// FuzzQuery feeds arbitrary query strings to the statements query parser.
func FuzzQuery(f *testing.F) {
	f.Add("agent=%7B%22mbox%22%3A%22mailto%3Aa%40example.com%22%7D&limit=10&ascending=true")
	f.Add("statementId=fd41c918-b88b-4b20-a0a5-a4c32391aaa0&format=ids&attachments=true")
	f.Add("since=2015-01-01T00:00:00Z&until=2016-01-01T00:00:00Z&related_activities=true&activity=http://e.com/a")
	f.Add("more=eyJsIjoxMH0")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, v := range []lrs.Version{lrs.V1, lrs.V2} {
			got, err := lrs.ParseQuery(q, v)
			if err != nil {
				var ve *lrs.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("non-validation error: %v", err)
				}
				continue
			}
			if got.Limit < 1 || got.Limit > lrs.MaxLimit {
				t.Fatalf("limit out of range: %d", got.Limit)
			}
			if got.After != nil {
				back, err := lrs.DecodeMore(lrs.EncodeMore(got, *got.After))
				if err != nil || back.Limit != got.Limit {
					t.Fatalf("continuation does not round-trip: %v", err)
				}
			}
		}
	})
}
