package lrshttp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs/lrshttp"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// FuzzRequests sends arbitrary bodies, content types and query strings to
// the statements and state resources: the LRS must never answer 500.
func FuzzRequests(f *testing.F) {
	s := sqlitetest.Open(f)
	a := auth.NewAuthenticator(s, time.Now)
	cred, err := a.CreateCredential(context.Background(), "camp", "fuzz", []string{"all"})
	if err != nil {
		f.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	cfg := config.Config{BodyLimit: 1 << 20, PublicURL: "http://lrs.test", ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: time.Minute}
	srv := server.New(server.Options{Config: cfg, Logger: logger, Mounts: []server.Mounter{&lrshttp.Handler{
		Store: s, Auth: a, Logger: logger, Clock: time.Now, PublicURL: cfg.PublicURL, BodyLimit: cfg.BodyLimit,
	}}})
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(cred.Key+":"+cred.Secret))

	f.Add("POST", "/xapi/statements", "", "application/json", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://e.com/v"},"object":{"id":"http://e.com/a"}}`, "1.0.3")
	f.Add("PUT", "/xapi/statements", "statementId=8f87ccde-bb56-4c2e-ab83-44982ef22df0", "application/json", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://e.com/v"},"object":{"objectType":"StatementRef","id":"8f87ccde-bb56-4c2e-ab83-44982ef22df0"}}`, "2.0.0")
	f.Add("GET", "/xapi/statements", "agent=%7B%22mbox%22%3A%22mailto%3Aa%40example.com%22%7D&format=canonical&attachments=true", "", "", "1.0.3")
	f.Add("POST", "/xapi/statements", "", "multipart/mixed; boundary=b", "--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b--", "1.0.3")
	f.Add("POST", "/xapi/activities/state", "activityId=http://e.com/a&agent=%7B%22mbox%22%3A%22mailto%3Aa%40example.com%22%7D&stateId=s", "application/json", `{"a":1}`, "2.0.0")
	f.Add("POST", "/xapi/statements", "method=PUT", "application/x-www-form-urlencoded", "statementId=x&content=%7B%7D", "1.0.3")
	f.Fuzz(func(t *testing.T, method, path, query, ct, body, version string) {
		switch method {
		case "GET", "PUT", "POST", "DELETE", "HEAD":
		default:
			return
		}
		switch path {
		case "/xapi/statements", "/xapi/activities/state", "/xapi/activities/profile", "/xapi/agents/profile", "/xapi/activities", "/xapi/agents":
		default:
			return
		}
		req := httptest.NewRequest(method, "http://lrs.test"+path, bytes.NewReader([]byte(body)))
		// App.Test sends RequestURI, so the query goes there too; bytes no
		// client could put on a request line are percent-encoded first.
		req.URL.RawQuery = requestLineSafe(query)
		req.RequestURI = req.URL.RequestURI()
		req.Header.Set("Authorization", basic)
		req.Header.Set("X-Experience-API-Version", version)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		res, err := srv.App.Test(req, -1)
		if err != nil {
			t.Fatalf("request failed: %v", err)
		}
		defer res.Body.Close()
		if res.StatusCode >= http.StatusInternalServerError {
			t.Fatalf("%s %s?%s answered %d", method, path, query, res.StatusCode)
		}
	})
}

// requestLineSafe percent-encodes the bytes of a fuzzed query string that
// cannot stand on an HTTP request line (controls, spaces, '#', non-ASCII).
func requestLineSafe(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= ' ' || c >= 0x7f || c == '#' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
