package rest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/oauth1"
	"github.com/passportbridge/passport/oneroster/rest"
)

// TestPullOAuth1 (A10): with OAuth1 set the puller signs every GET (no
// token request), the signature covers the query (a delta filter), and a
// retried request is signed again with a fresh nonce.
func TestPullOAuth1(t *testing.T) {
	t.Parallel()
	for _, method := range []string{oauth1.HMACSHA256, oauth1.HMACSHA1} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			var (
				mu      sync.Mutex
				nonces  = map[string]bool{}
				bad     []string
				failed  bool
				queries []string
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				h, err := oauth1.ParseAuthorization(r.Header.Get("Authorization"))
				if err != nil {
					bad = append(bad, r.URL.Path+": "+err.Error())
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				q, err := oauth1.ParseForm(r.URL.RawQuery)
				if err != nil {
					bad = append(bad, r.URL.Path+": "+err.Error())
					w.WriteHeader(http.StatusBadRequest)
					return
				}
				base := oauth1.BaseString(r.Method, oauth1.BaseURI("http", r.Host, r.URL.EscapedPath()), append(q, h.Params...))
				if h.ConsumerKey != "pk_sis" || h.SignatureMethod != method || nonces[h.Nonce] ||
					!oauth1.Verify(h.SignatureMethod, "s3cret key", "", base, h.Signature) {
					bad = append(bad, r.URL.Path+": bad signature or replayed nonce")
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				nonces[h.Nonce] = true
				if r.URL.Path == "/orgs" && !failed {
					failed = true // one 503: the retry must carry a new signature
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				queries = append(queries, r.URL.Query().Get("filter"))
				_, _ = io.WriteString(w, `{"orgs":[],"academicSessions":[],"courses":[],"classes":[],"users":[],"enrollments":[],"demographics":[]}`)
			}))
			defer srv.Close()

			hc := retryablehttp.NewClient()
			hc.Logger = nil
			hc.RetryWaitMin, hc.RetryWaitMax, hc.RetryMax = time.Millisecond, 5*time.Millisecond, 2
			p := &rest.Puller{
				BaseURL: srv.URL, TokenURL: srv.URL + "/token-must-not-be-called", ClientID: "pk_sis", ClientSecret: "s3cret key",
				OAuth1: method, Version: "1.1", PageSize: 5, HTTP: hc,
				Since: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC),
			}
			_, err := p.Pull(context.Background())
			require.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			assert.Empty(t, bad)
			assert.True(t, failed, "the 503 was retried")
			assert.Len(t, nonces, 8, "7 collections plus one retry, each with its own nonce")
			require.NotEmpty(t, queries)
			assert.Equal(t, "dateLastModified>'2026-01-31T00:00:00.000Z'", queries[0])
			assert.Nil(t, hc.PrepareRetry, "the caller's client is not changed")
		})
	}
}

func TestPullOAuth1UnknownMethod(t *testing.T) {
	t.Parallel()
	p := &rest.Puller{BaseURL: "http://127.0.0.1:1", ClientID: "k", ClientSecret: "s", OAuth1: "PLAINTEXT", Version: "1.1", HTTP: retryablehttp.NewClient()}
	_, err := p.Pull(context.Background())
	require.ErrorContains(t, err, "PLAINTEXT")
}
