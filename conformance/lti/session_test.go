package lti_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

// sessionCookieHeaders returns the Set-Cookie lines of the tool's session.
func sessionCookieHeaders(resp *http.Response) []string {
	var out []string
	for _, h := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, lti.SessionCookieName) {
			out = append(out, h)
		}
	}
	return out
}

// TestToolSessionOverHTTP: after a valid launch the tool starts its own
// session (HttpOnly, Secure, SameSite=None, with a Partitioned twin) so
// its content page under /lti/content/ is served again without the
// id_token; the id_token is never in a URL; a browser that blocks cookies
// still gets the page from the launch itself (G28).
func TestToolSessionOverHTTP(t *testing.T) {
	t.Parallel()
	t.Run("cookies kept", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, platform.Moodle)
		b := platform.NewBrowser()
		res, err := e.plat.Launch(b, platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1")})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
		assert.Empty(t, res.Response.Header.Get("Location"))
		assert.NotContains(t, res.Response.Request.URL.String(), "id_token", "the id_token is posted, never in a URL")
		assert.NotContains(t, res.Body, "id_token", "the content page does not carry the id_token")
		cookies := sessionCookieHeaders(res.Response)
		require.Len(t, cookies, 2)
		for _, c := range cookies {
			for _, attr := range []string{"HttpOnly", "Secure", "SameSite=None", "Path=/lti/", "Max-Age=1800"} {
				assert.Contains(t, c, attr)
			}
		}
		assert.Contains(t, cookies[1], lti.SessionCookieName+"_p=")
		assert.Contains(t, cookies[1], "Partitioned")

		resp, body, err := b.Get(e.contentURL("fractions-1"))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Contains(t, body, "Fractions practice")
		assert.Contains(t, body, "https://content.example.org/fractions/index.html")
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))

		resp, body, err = b.Get(e.contentURL("reading-1"))
		require.NoError(t, err)
		assertRefusal(t, resp, body, http.StatusBadRequest)
	})
	t.Run("no session", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, platform.Moodle)
		resp, body, err := platform.NewBrowser().Get(e.contentURL("fractions-1"))
		require.NoError(t, err)
		assertRefusal(t, resp, body, http.StatusBadRequest)

		req, err := http.NewRequest(http.MethodGet, e.contentURL("fractions-1"), nil)
		require.NoError(t, err)
		req.AddCookie(&http.Cookie{Name: lti.SessionCookieName, Value: "eyJhbGciOiJub25lIn0.e30."})
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a forged session is refused")
	})
	t.Run("cookies blocked", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, platform.Canvas)
		b := platform.NewBrowser()
		res, err := e.plat.Launch(b, platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1"), Faults: platform.Faults{NoCookies: true}})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
		assert.True(t, res.UsedStorage)
		assert.Contains(t, res.Body, "Fractions practice", "the launch renders the content itself")
		resp, body, err := b.Get(e.contentURL("fractions-1"))
		require.NoError(t, err)
		assertRefusal(t, resp, body, http.StatusBadRequest)
	})
}
