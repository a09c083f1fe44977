package lti_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lti/ltihttp"
	"github.com/passportbridge/passport/lti/ltitest/toolserver"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// TestCatalogueAdminAPI manages the catalogue over /admin/lti/content with
// an admin credential, per tenant.
func TestCatalogueAdminAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	a := auth.NewAuthenticator(st, time.Now)
	ts := toolserver.Start(t, st, nil, func(h *ltihttp.Handler) { h.Auth = a })
	adminA, err := a.CreateCredential(ctx, "camp-a", "admin a", []string{auth.ScopeAdmin})
	require.NoError(t, err)
	adminB, err := a.CreateCredential(ctx, "camp-b", "admin b", []string{auth.ScopeAdmin})
	require.NoError(t, err)
	reader, err := a.CreateCredential(ctx, "camp-a", "reader", []string{"statements/read"})
	require.NoError(t, err)

	call := func(c auth.NewCredential, method, path, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.SetBasicAuth(c.Key, c.Secret)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	item := `{"title":"Fractions","description":"Parts of a whole","launchUrl":"https://content.example.org/f/","activityId":"https://passport.example/a/f","scoreMaximum":10,"tags":["Maths"]}`

	code, body := call(adminA, "PUT", "/admin/lti/content/frac-1", item)
	require.Equal(t, http.StatusCreated, code, body)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	assert.Equal(t, "frac-1", got["id"])
	assert.Equal(t, []any{"maths"}, got["tags"])

	code, _ = call(adminA, "PUT", "/admin/lti/content/frac-1", item)
	assert.Equal(t, http.StatusOK, code, "replace")
	code, body = call(adminA, "GET", "/admin/lti/content?q=whole", "")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "frac-1")

	code, body = call(adminA, "PUT", "/admin/lti/content/bad", `{"title":"x","launchUrl":"ftp://x","activityId":"urn:x"}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body, "launchUrl")
	code, _ = call(adminA, "PUT", "/admin/lti/content/x", `{"title":"x","unknown":1}`)
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = call(adminA, "PUT", "/admin/lti/content/x", `{"id":"y","title":"x","launchUrl":"https://c.example/","activityId":"urn:x"}`)
	assert.Equal(t, http.StatusBadRequest, code)

	code, _ = call(reader, "GET", "/admin/lti/content", "")
	assert.Equal(t, http.StatusForbidden, code)
	code, body = call(adminB, "GET", "/admin/lti/content", "")
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"items":[]}`, body, "tenants do not see each other's catalogue")
	code, _ = call(adminB, "GET", "/admin/lti/content/frac-1", "")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = call(adminB, "DELETE", "/admin/lti/content/frac-1", "")
	assert.Equal(t, http.StatusNotFound, code)

	code, body = call(adminA, "GET", "/admin/lti/registrations", "")
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"registrations":[]}`, body)

	code, _ = call(adminA, "DELETE", "/admin/lti/content/frac-1", "")
	assert.Equal(t, http.StatusNoContent, code)
	code, _ = call(adminA, "GET", "/admin/lti/content/frac-1", "")
	assert.Equal(t, http.StatusNotFound, code)
}
