package lti_test

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

var iframeRe = regexp.MustCompile(`<iframe src="([^"]*)"`)

// TestResourceLinkLaunch launches a catalogue item from every profile and
// checks the content page, the xAPI launch parameters and the learner link.
func TestResourceLinkLaunch(t *testing.T) {
	t.Parallel()
	for _, profile := range platform.Profiles {
		t.Run(string(profile), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, profile)
			res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1")})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
			assert.Contains(t, res.Body, "Fractions practice")
			assert.Equal(t, "no-store", res.Response.Header.Get("Cache-Control"))
			if profile == platform.Canvas || profile == platform.Brightspace {
				assert.Equal(t, http.StatusOK, res.LoginStatus, "lti_storage_target gets the platform-storage login page")
			} else {
				assert.Equal(t, http.StatusFound, res.LoginStatus)
			}
			m := iframeRe.FindStringSubmatch(res.Body)
			require.NotNil(t, m, "content iframe")
			q := query(t, html.UnescapeString(m[1]))
			assert.Equal(t, "https://lrs.example/xapi/", q.Get("endpoint"))
			assert.Equal(t, "https://passport.example/activities/fractions-1", q.Get("activity_id"))
			assert.NotEmpty(t, q.Get("registration"))
			var actor map[string]any
			require.NoError(t, json.Unmarshal([]byte(q.Get("actor")), &actor))
			assert.NotContains(t, q.Get("actor"), "amina", "no personal data in the actor")

			launches := e.rec.all()
			require.Len(t, launches, 1)
			li := launches[0]
			assert.Equal(t, "fractions-1", li.Content.ID)
			assert.Equal(t, q.Get("registration"), li.Attempt)
			assert.Equal(t, "sis-student-1", li.Learner.PersonSourcedID)
			require.NotNil(t, li.AGS)

			// The same student launching again is the same learner.
			_, err = e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("reading-1")})
			require.NoError(t, err)
			launches = e.rec.all()
			require.Len(t, launches, 2)
			assert.Equal(t, li.Learner.LearnerID, launches[1].Learner.LearnerID)
		})
	}
}

// TestRefusedLaunchesOverHTTP replays the invalid certification cases
// through the real HTTP path: every one gets a 4xx HTML page in plain words,
// never a 5xx and never a redirect.
func TestRefusedLaunchesOverHTTP(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		faults platform.Faults
		user   platform.User
		status int
	}{
		{"kid missing", platform.Faults{MissingKid: true}, platform.Student, 401},
		{"wrong kid", platform.Faults{WrongKid: true}, platform.Student, 401},
		{"expired", platform.Faults{Expired: true}, platform.Student, 401},
		{"iat in the future", platform.Faults{IatOffset: 10 * time.Minute}, platform.Student, 401},
		{"not a JWT", platform.Faults{NotJWT: true}, platform.Student, 401},
		{"bad signature", platform.Faults{BadSignature: true}, platform.Student, 401},
		{"alg none", platform.Faults{AlgNone: true}, platform.Student, 401},
		{"wrong nonce", platform.Faults{WrongNonce: true}, platform.Student, 401},
		{"wrong aud", platform.Faults{Mutate: func(c map[string]any) { c["aud"] = "x" }}, platform.Student, 401},
		{"no version", platform.Faults{Mutate: func(c map[string]any) { delete(c, lti.ClaimVersion) }}, platform.Student, 400},
		{"wrong version", platform.Faults{Mutate: func(c map[string]any) { c[lti.ClaimVersion] = "1.1" }}, platform.Student, 400},
		{"no resource_link id", platform.Faults{Mutate: func(c map[string]any) { delete(c, lti.ClaimResourceLink) }}, platform.Student, 400},
		{"no message_type", platform.Faults{Mutate: func(c map[string]any) { delete(c, lti.ClaimMessageType) }}, platform.Student, 400},
		{"no roles", platform.Faults{Mutate: func(c map[string]any) { delete(c, lti.ClaimRoles) }}, platform.Student, 400},
		{"no deployment_id", platform.Faults{Mutate: func(c map[string]any) { delete(c, lti.ClaimDeploymentID) }}, platform.Student, 400},
		{"unknown deployment", platform.Faults{Mutate: func(c map[string]any) { c[lti.ClaimDeploymentID] = "other" }}, platform.Student, 403},
		{"empty sub", platform.Faults{Mutate: func(c map[string]any) { c["sub"] = "" }}, platform.Student, 400},
		{"platform error", platform.Faults{PlatformError: "login_required"}, platform.Student, 400},
		{"unsupported message type", platform.Faults{Mutate: func(c map[string]any) { c[lti.ClaimMessageType] = "DataPrivacyLaunchRequest" }}, platform.Student, 400},
	}
	for _, profile := range platform.Profiles {
		e := newEnv(t, profile)
		for _, tc := range cases {
			t.Run(string(profile)+"/"+tc.name, func(t *testing.T) {
				res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: tc.user, TargetLinkURI: e.contentURL("fractions-1"), Faults: tc.faults})
				require.NoError(t, err)
				assertRefusal(t, res.Response, res.Body, tc.status)
			})
		}
	}
}

func assertRefusal(t *testing.T, resp *http.Response, body string, status int) {
	t.Helper()
	assert.Equal(t, status, resp.StatusCode, body)
	assert.Empty(t, resp.Header.Get("Location"), "never a redirect")
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, body, "This activity could not be opened")
	assert.NotContains(t, body, "lti: ", "technical detail stays in the log")
}

func TestAcceptedCertificationLaunchesOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, platform.Canvas)
	users := map[string]platform.User{
		"instructor":   platform.Teacher,
		"student":      platform.Student,
		"no PII":       {Sub: "np-1", Roles: []string{platform.RoleLearner}},
		"only email":   {Sub: "oe-1", Email: "x@example.org", Roles: []string{platform.RoleLearner}},
		"only names":   {Sub: "on-1", GivenName: "A", FamilyName: "B", Name: "A B", Roles: []string{platform.RoleLearner}},
		"no role":      {Sub: "nr-1"},
		"short role":   {Sub: "sr-1", Roles: []string{"Learner"}},
		"unknown role": {Sub: "ur-1", Roles: []string{"http://example.org/#Wizard"}},
		"anonymous":    {Roles: []string{platform.RoleLearner}},
	}
	for name, u := range users {
		t.Run(name, func(t *testing.T) {
			res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: u, TargetLinkURI: e.contentURL("reading-1")})
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
			assert.Contains(t, res.Body, "Reading together")
			if u.Sub == "" {
				assert.Contains(t, res.Body, "not signed in")
			}
		})
	}
	t.Run("only resource link", func(t *testing.T) {
		res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{
			User: platform.Student, TargetLinkURI: e.contentURL("reading-1"),
			Faults: platform.Faults{Mutate: func(c map[string]any) {
				for _, k := range []string{lti.ClaimContext, lti.ClaimToolPlatform, lti.ClaimLaunchPresentation, lti.ClaimAGSEndpoint, lti.ClaimNRPS, lti.ClaimLIS, lti.ClaimCustom} {
					delete(c, k)
				}
			}},
		})
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
	})
	t.Run("generic target lands on the connected page", func(t *testing.T) {
		res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Teacher})
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
		assert.Contains(t, res.Body, "Passport is connected")
	})
}

func TestStateBindingOverHTTP(t *testing.T) {
	t.Parallel()
	t.Run("safari with platform storage", func(t *testing.T) {
		t.Parallel()
		for _, profile := range []platform.Profile{platform.Canvas, platform.Brightspace} {
			e := newEnv(t, profile)
			res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1"), Faults: platform.Faults{NoCookies: true}})
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
			assert.True(t, res.UsedStorage)
			assert.Contains(t, res.Body, "Fractions practice")
		}
	})
	t.Run("cookies blocked without platform storage", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, platform.Moodle)
		res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1"), Faults: platform.Faults{NoCookies: true}})
		require.NoError(t, err)
		assertRefusal(t, res.Response, res.Body, 401)
		assert.Contains(t, res.Body, "third-party cookies")
	})
	t.Run("replayed launch", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, platform.Blackboard)
		res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1"), Faults: platform.Faults{ReplayLaunch: true}})
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, res.Response.StatusCode)
		assertRefusal(t, res.Replay, res.ReplayBody, 401)
	})
	t.Run("platform key rotation", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, platform.Canvas)
		for range 2 {
			res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1"), Faults: platform.Faults{RotateKey: true}})
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
		}
	})
}

func TestLoginInitiationOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, platform.Moodle)
	b := platform.NewBrowser()
	t.Run("GET and POST both redirect to the platform", func(t *testing.T) {
		for _, get := range []bool{true, false} {
			v := map[string][]string{
				"iss": {e.reg.Issuer}, "login_hint": {"2"}, "target_link_uri": {e.contentURL("fractions-1")},
				"client_id": {e.reg.ClientID}, "lti_message_hint": {`{"cmid":2}`}, "canvas_region": {"x"},
			}
			var resp *http.Response
			var err error
			if get {
				resp, _, err = b.Get(e.tool.URL + lti.PathLogin + "?" + encode(v))
			} else {
				resp, _, err = b.Post(e.tool.URL+lti.PathLogin, v)
			}
			require.NoError(t, err)
			require.Equal(t, http.StatusFound, resp.StatusCode)
			loc := resp.Header.Get("Location")
			assert.True(t, strings.HasPrefix(loc, e.plat.AuthURL()+"?"), loc)
			q := query(t, loc)
			assert.Equal(t, `{"cmid":2}`, q.Get("lti_message_hint"))
			assert.Equal(t, e.tool.URL+lti.PathLaunch, q.Get("redirect_uri"))
			cookies := resp.Header.Values("Set-Cookie")
			require.Len(t, cookies, 2)
			assert.Contains(t, cookies[0], "SameSite=None")
			assert.Contains(t, cookies[0], "Secure")
			assert.Contains(t, cookies[0], "HttpOnly")
			assert.Contains(t, cookies[1], "Partitioned")
			assert.NotContains(t, cookies[0], "Partitioned", "one cookie per Set-Cookie line")
			parsed := resp.Cookies()
			require.Len(t, parsed, 2)
			assert.Equal(t, parsed[0].Name+"_p", parsed[1].Name)
			assert.Equal(t, parsed[0].Value, parsed[1].Value)
			assert.Equal(t, q.Get("state"), parsed[0].Value)
		}
	})
	t.Run("missing parameters and unknown platforms get a page, not a redirect", func(t *testing.T) {
		for _, v := range []map[string][]string{
			{"login_hint": {"2"}, "target_link_uri": {e.contentURL("x")}},
			{"iss": {e.reg.Issuer}, "target_link_uri": {e.contentURL("x")}},
			{"iss": {e.reg.Issuer}, "login_hint": {"2"}},
			{"iss": {"https://unknown.example"}, "login_hint": {"2"}, "target_link_uri": {e.contentURL("x")}},
			{"iss": {e.reg.Issuer}, "login_hint": {"2"}, "target_link_uri": {"https://evil.example/"}},
		} {
			resp, body, err := b.Post(e.tool.URL+lti.PathLogin, v)
			require.NoError(t, err)
			assertRefusal(t, resp, body, 400)
		}
	})
	t.Run("GET launch is refused", func(t *testing.T) {
		resp, body, err := b.Get(e.tool.URL + lti.PathLaunch)
		require.NoError(t, err)
		assertRefusal(t, resp, body, 405)
	})
}

func encode(v map[string][]string) string {
	var parts []string
	for k, vs := range v {
		for _, x := range vs {
			parts = append(parts, k+"="+urlQueryEscape(x))
		}
	}
	return strings.Join(parts, "&")
}
