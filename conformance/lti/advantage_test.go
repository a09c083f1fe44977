package lti_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

// pickerSubmit posts the deep-linking picker form.
func pickerSubmit(t *testing.T, b *platform.Browser, page string, action, q string, ids ...string) (*http.Response, string) {
	t.Helper()
	target, fields, err := platform.ParseAutoPost(page)
	require.NoError(t, err)
	require.NotEmpty(t, fields.Get("session"))
	v := url.Values{"session": {fields.Get("session")}, "action": {action}, "q": {q}}
	for _, id := range ids {
		v.Add("item", id)
	}
	resp, body, err := b.Post(target, v)
	require.NoError(t, err)
	return resp, body
}

// TestDeepLinking runs the DL certification flow for every profile: the
// request, the picker, the signed response to the platform, then a core
// launch of the link the platform created.
func TestDeepLinking(t *testing.T) {
	t.Parallel()
	for _, profile := range platform.Profiles {
		t.Run(string(profile), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, profile)
			b := platform.NewBrowser()
			data := `{"opaque":"Blackboard & co","n":1}`
			res, err := e.plat.Launch(b, platform.Message{Type: lti.MessageDeepLinkingRequest, User: platform.Teacher, AcceptMultiple: true, Data: data})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
			for _, c := range catalogue {
				assert.Contains(t, res.Body, c.Title)
			}
			assert.Contains(t, res.Body, `type="checkbox"`)

			resp, body := pickerSubmit(t, b, res.Body, "search", "literacy")
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, body, "Reading together")
			assert.NotContains(t, body, "Fractions practice")

			resp, body = pickerSubmit(t, b, res.Body, "select", "", "fractions-1", "reading-1")
			require.Equal(t, http.StatusOK, resp.StatusCode, body)
			action, fields, err := platform.ParseAutoPost(body)
			require.NoError(t, err)
			assert.Equal(t, e.plat.URL("/dl-return"), action)
			presp, pbody, err := b.Post(action, url.Values{"JWT": {fields.Get("JWT")}})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, presp.StatusCode, pbody)

			rets := e.plat.DeepLinkReturns()
			require.Len(t, rets, 1)
			ret := rets[0]
			assert.NotEmpty(t, ret.Header["kid"], "D2L needs a kid")
			assert.Equal(t, "JWT", ret.Header["typ"])
			assert.Equal(t, e.plat.Issuer, ret.Claims["aud"])
			assert.Equal(t, e.reg.ClientID, ret.Claims["iss"])
			assert.Equal(t, "deployment-1", ret.Claims[lti.ClaimDeploymentID])
			echo, _ := json.Marshal(ret.Claims[lti.ClaimDLData])
			assert.JSONEq(t, mustJSONString(data), string(echo), "data echoed")
			require.Len(t, ret.Items, 2)
			assert.Equal(t, e.contentURL("fractions-1"), ret.Items[0].URL)
			require.NotNil(t, ret.Items[0].LineItem)
			assert.InDelta(t, 10.0, ret.Items[0].LineItem.ScoreMaximum, 0)
			assert.Nil(t, ret.Items[1].LineItem, "unscored item has no line item")

			// The platform launches the link it created.
			res, err = e.plat.Launch(platform.NewBrowser(), platform.Message{
				User: platform.Student, TargetLinkURI: ret.Items[0].URL,
				Custom: map[string]any{"passport_content_id": ret.Items[0].Custom["passport_content_id"]},
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
			assert.Contains(t, res.Body, "Fractions practice")
		})
	}
}

func mustJSONString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestDeepLinkingChoices(t *testing.T) {
	t.Parallel()
	e := newEnv(t, platform.Moodle)
	b := platform.NewBrowser()
	res, err := e.plat.Launch(b, platform.Message{Type: lti.MessageDeepLinkingRequest, User: platform.Teacher})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
	assert.Contains(t, res.Body, `type="radio"`, "accept_multiple false")

	resp, body := pickerSubmit(t, b, res.Body, "select", "", "fractions-1", "reading-1")
	assertRefusal(t, resp, body, 400)

	resp, body = pickerSubmit(t, b, res.Body, "cancel", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	action, fields, err := platform.ParseAutoPost(body)
	require.NoError(t, err)
	presp, pbody, err := b.Post(action, url.Values{"JWT": {fields.Get("JWT")}})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, presp.StatusCode, pbody)
	rets := e.plat.DeepLinkReturns()
	require.Len(t, rets, 1)
	assert.Empty(t, rets[0].Items)
	assert.Equal(t, []any{}, rets[0].Claims[lti.ClaimDLContentItems])

	t.Run("tampered session", func(t *testing.T) {
		resp, body, err := b.Post(e.tool.URL+lti.PathDeepLink, url.Values{"session": {"a.b.c"}, "action": {"select"}, "item": {"fractions-1"}})
		require.NoError(t, err)
		assertRefusal(t, resp, body, 400)
	})
}

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (e *env) services() *lti.Services {
	return &lti.Services{Client: http.DefaultClient, Keys: e.tool.Tool.Keys, Random: randomString}
}

// TestGradePassback posts a score for a launch to every profile's gradebook
// (Moodle's query-string line items, Brightspace's token audience) and reads
// it back.
func TestGradePassback(t *testing.T) {
	t.Parallel()
	for _, profile := range platform.Profiles {
		t.Run(string(profile), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnv(t, profile)
			_, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1")})
			require.NoError(t, err)
			li := e.rec.all()[0]
			svc := e.services()
			target, err := svc.ScoreTarget(ctx, e.reg, li.AGS, li.ResourceLinkID, &lti.LineItem{Label: "Fractions practice", ScoreMaximum: 10})
			require.NoError(t, err)
			if profile == platform.Moodle {
				assert.Contains(t, target, "?type_id=4")
			}
			given, max := 7.5, 10.0
			score := lti.Score{
				UserID: li.Learner.Subject, ScoreGiven: &given, ScoreMaximum: &max, Timestamp: lti.ScoreTimestamp(li.LaunchedAt),
				ActivityProgress: lti.ActivityCompleted, GradingProgress: lti.GradingFullyGraded, Comment: "well done",
			}
			require.NoError(t, svc.PostScore(ctx, e.reg, li.AGS, target, score))
			require.NoError(t, svc.PostScore(ctx, e.reg, li.AGS, target, score), "the same score again is idempotent")
			got := e.plat.Scores(target)
			require.Len(t, got, 1)
			assert.Equal(t, "student-1", got[0].UserID)
			results, err := svc.Results(ctx, e.reg, li.AGS, target, "student-1", 0)
			require.NoError(t, err)
			require.Len(t, results, 1)
			assert.InDelta(t, 7.5, *results[0].ResultScore, 0)
			assert.Equal(t, 1, e.plat.TokenCalls, "tokens are cached per scope set")
		})
	}
}

func TestServiceEdgeCases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, platform.Canvas)
	_, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1")})
	require.NoError(t, err)
	li := e.rec.all()[0]
	svc := e.services()
	given, max := 3.0, 10.0
	score := func(ts string) lti.Score {
		return lti.Score{
			UserID: "student-1", ScoreGiven: &given, ScoreMaximum: &max, Timestamp: ts,
			ActivityProgress: lti.ActivityCompleted, GradingProgress: lti.GradingFullyGraded,
		}
	}

	t.Run("expired token is renewed once", func(t *testing.T) {
		require.NoError(t, svc.PostScore(ctx, e.reg, li.AGS, li.AGS.LineItem, score("2026-11-28T10:00:00.000Z")))
		e.plat.ForgetTokens()
		require.NoError(t, svc.PostScore(ctx, e.reg, li.AGS, li.AGS.LineItem, score("2026-11-28T10:00:01.000Z")))
		assert.Equal(t, 2, e.plat.TokenCalls)
	})
	t.Run("concluded course answers 422, not retryable", func(t *testing.T) {
		e.plat.Concluded = true
		defer func() { e.plat.Concluded = false }()
		err := svc.PostScore(ctx, e.reg, li.AGS, li.AGS.LineItem, score("2026-11-28T10:00:02.000Z"))
		var se *lti.ServiceError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, http.StatusUnprocessableEntity, se.Status)
		assert.False(t, se.Retryable())
	})
	t.Run("platform down is retryable", func(t *testing.T) {
		e.plat.Down = true
		defer func() { e.plat.Down = false }()
		err := svc.PostScore(ctx, e.reg, li.AGS, li.AGS.LineItem, score("2026-11-28T10:00:03.000Z"))
		var se *lti.ServiceError
		require.ErrorAs(t, err, &se)
		assert.True(t, se.Retryable())
	})
	t.Run("missing scope is never called", func(t *testing.T) {
		ags := &lti.AGSEndpoint{Scope: lti.StringList{lti.ScopeLineItemReadOnly}, LineItems: li.AGS.LineItems}
		err := svc.PostScore(ctx, e.reg, ags, li.AGS.LineItem, score("2026-11-28T10:00:04.000Z"))
		require.Error(t, err)
		assert.NotErrorAs(t, err, new(*lti.ServiceError))
	})
	t.Run("line item lifecycle with paging", func(t *testing.T) {
		for i := range 3 {
			_, err := svc.CreateLineItem(ctx, e.reg, li.AGS, lti.LineItem{Label: "Quiz " + string(rune('A'+i)), ScoreMaximum: 5, Tag: "quiz", ResourceID: "q"})
			require.NoError(t, err)
		}
		items, err := svc.LineItems(ctx, e.reg, li.AGS, lti.LineItemQuery{Tag: "quiz", Limit: 2})
		require.NoError(t, err)
		require.Len(t, items, 3, "followed rel=next")
		items[0].Label, items[0].ScoreMaximum = "Quiz A (revised)", 6
		upd, err := svc.UpdateLineItem(ctx, e.reg, li.AGS, items[0])
		require.NoError(t, err)
		assert.Equal(t, "Quiz A (revised)", upd.Label)
		got, err := svc.LineItem(ctx, e.reg, li.AGS, items[0].ID)
		require.NoError(t, err)
		assert.InDelta(t, 6.0, got.ScoreMaximum, 0)
		require.NoError(t, svc.DeleteLineItem(ctx, e.reg, li.AGS, items[0].ID))
		items, err = svc.LineItems(ctx, e.reg, li.AGS, lti.LineItemQuery{Tag: "quiz"})
		require.NoError(t, err)
		assert.Len(t, items, 2)
	})
}

func TestNamesAndRoles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, profile := range platform.Profiles {
		t.Run(string(profile), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, profile)
			e.plat.SetMembers([]lti.Member{
				{UserID: "s1", Roles: []string{platform.RoleLearner}, Name: "A", LISPersonSourcedID: "sis-1"},
				{UserID: "s2", Roles: []string{platform.RoleLearner}},
				{UserID: "s3", Roles: []string{platform.RoleLearner}, Status: "Inactive"},
				{UserID: "t1", Roles: []string{platform.RoleInstructor}},
				{UserID: "s4", Roles: []string{platform.RoleLearner}, Status: "Deleted"},
			})
			b := platform.NewBrowser()
			_, err := e.plat.Launch(b, platform.Message{User: platform.Teacher, TargetLinkURI: e.contentURL("fractions-1")})
			require.NoError(t, err)
			claim := &lti.NRPSClaim{ContextMembershipsURL: e.plat.URL("/memberships"), ServiceVersions: lti.StringList{"2.0"}}
			if profile == platform.Moodle {
				claim.ServiceVersions = lti.StringList{"1.0", "2.0"}
			}
			m, err := e.services().Memberships(ctx, e.reg, claim, "", lti.MembershipQuery{Limit: 2})
			require.NoError(t, err)
			require.Len(t, m.Members, 5, "all pages")
			assert.Equal(t, "course-42", m.Context.ID)
			assert.Equal(t, "sis-1", m.Members[0].LISPersonSourcedID)
			require.NotEmpty(t, m.Differences)
			learners, err := e.services().Memberships(ctx, e.reg, claim, "", lti.MembershipQuery{Role: platform.RoleLearner})
			require.NoError(t, err)
			assert.Len(t, learners.Members, 4)
			diff, err := e.services().Memberships(ctx, e.reg, claim, m.Differences, lti.MembershipQuery{})
			require.NoError(t, err)
			require.Len(t, diff.Members, 2)
			for _, mem := range diff.Members {
				assert.False(t, mem.Active())
			}
			_, err = e.services().Memberships(ctx, e.reg, &lti.NRPSClaim{ContextMembershipsURL: claim.ContextMembershipsURL, ServiceVersions: lti.StringList{"1.0"}}, "", lti.MembershipQuery{})
			require.Error(t, err, "2.0 must be offered")
		})
	}
}

// TestDynamicRegistration registers the tool with Moodle's and Canvas's
// rules (and Brightspace's token audience), then launches through it.
func TestDynamicRegistration(t *testing.T) {
	t.Parallel()
	for _, profile := range platform.Profiles {
		t.Run(string(profile), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnvWith(t, profile, false)
			e.plat.Issuer = e.plat.Server.URL // a self-hosted platform's issuer is its own URL
			cfgURL, tok := e.plat.RegistrationToken()
			b := platform.NewBrowser()
			invite, err := e.tool.Tool.RegistrationInvite(ctx, "default", time.Hour)
			require.NoError(t, err)
			start := invite + "&" + url.Values{"openid_configuration": {cfgURL}, "registration_token": {tok}}.Encode()
			resp, body, err := b.Get(start)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, body)
			assert.Contains(t, body, "org.imsglobal.lti.close")

			sent := e.plat.Registered()
			require.Len(t, sent, 1)
			u, _ := url.Parse(e.tool.URL)
			assert.Equal(t, u.Host, sent[0].ToolConfiguration.Domain, "host with port")
			types := []string{}
			for _, m := range sent[0].ToolConfiguration.Messages {
				types = append(types, m.Type)
			}
			assert.Contains(t, types, lti.MessageDeepLinkingRequest)
			assert.Contains(t, sent[0].Scope, lti.ScopeScore)

			reg, err := e.tool.Store.RegistrationByClient(ctx, e.plat.Server.URL, e.plat.ClientID)
			require.NoError(t, err)
			assert.Equal(t, []string{"deployment-1"}, reg.Deployments)
			assert.Equal(t, "dynamic", reg.Source)
			if profile == platform.Brightspace {
				assert.Equal(t, platform.BrightspaceAudience, reg.TokenAudience)
			}

			res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1")})
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
			e.reg = reg
			_, _, err = e.services().Token(ctx, reg, []string{lti.ScopeScore})
			require.NoError(t, err, "the token endpoint accepts the dynamically registered client")

			resp, body, err = b.Get(start)
			require.NoError(t, err)
			assertRefusal(t, resp, body, 400)
			assert.Contains(t, body, "registration with the learning platform did not complete")
		})
	}
	t.Run("missing openid_configuration", func(t *testing.T) {
		t.Parallel()
		e := newEnvWith(t, platform.Moodle, false)
		resp, body, err := platform.NewBrowser().Get(e.tool.URL + lti.PathRegister)
		require.NoError(t, err)
		assertRefusal(t, resp, body, 400)
	})
	t.Run("no invite, or a forged one", func(t *testing.T) {
		t.Parallel()
		e := newEnvWith(t, platform.Moodle, false)
		cfgURL, tok := e.plat.RegistrationToken()
		q := url.Values{"openid_configuration": {cfgURL}, "registration_token": {tok}}
		for _, inv := range []string{"", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"} {
			if inv != "" {
				q.Set("invite", inv)
			}
			resp, body, err := platform.NewBrowser().Get(e.tool.URL + lti.PathRegister + "?" + q.Encode())
			require.NoError(t, err)
			assertRefusal(t, resp, body, 403)
		}
		assert.Empty(t, e.plat.Registered(), "nothing was sent to the platform")
	})
}

// TestToolKeys checks the published key set and a rotation that publishes
// the next key before it signs.
func TestToolKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, platform.Brightspace)
	b := platform.NewBrowser()
	fetch := func() jwk.Set {
		t.Helper()
		r1, body1, err := b.Get(e.tool.URL + lti.PathJWKS)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r1.StatusCode)
		assert.Equal(t, "application/json", r1.Header.Get("Content-Type"))
		_, body2, err := b.Get(e.tool.URL + "/.well-known/jwks.json")
		require.NoError(t, err)
		assert.Equal(t, body1, body2)
		assert.NotContains(t, body1, `"d"`, "no private parts")
		set, err := jwk.Parse([]byte(body1))
		require.NoError(t, err)
		for i := range set.Len() {
			k, _ := set.Key(i)
			assert.Equal(t, "RSA", k.KeyType().String())
			assert.Equal(t, "RS256", k.Algorithm().String())
			assert.Equal(t, "sig", k.KeyUsage())
			assert.NotEmpty(t, k.KeyID())
			var m map[string]any
			raw, _ := json.Marshal(k)
			require.NoError(t, json.Unmarshal(raw, &m))
			n, _ := base64.RawURLEncoding.DecodeString(m["n"].(string))
			assert.GreaterOrEqual(t, len(n)*8, 2048)
		}
		return set
	}
	set := fetch()
	require.Equal(t, 1, set.Len())
	k0, _ := set.Key(0)

	res, err := e.tool.Tool.Keys.Rotate(ctx, false)
	require.NoError(t, err)
	require.NotEmpty(t, res.Published)
	e.tool.Tool.Keys.CacheFor = 1 // re-read the store
	set = fetch()
	assert.Equal(t, 2, set.Len(), "the next key is published before it signs")
	signer, err := e.tool.Tool.Keys.Signer(ctx)
	require.NoError(t, err)
	assert.Equal(t, k0.KeyID(), signer.KeyID())

	res, err = e.tool.Tool.Keys.Rotate(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, k0.KeyID(), res.Retired)
	signer, err = e.tool.Tool.Keys.Signer(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, k0.KeyID(), signer.KeyID())
	set = fetch()
	_, stillThere := set.LookupKeyID(k0.KeyID())
	assert.True(t, stillThere, "the retired key stays published")

	// A deep-linking response signed by the new key verifies at the platform.
	dl, err := e.plat.Launch(b, platform.Message{Type: lti.MessageDeepLinkingRequest, User: platform.Teacher})
	require.NoError(t, err)
	resp, body := pickerSubmit(t, b, dl.Body, "select", "", "reading-1")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	action, fields, err := platform.ParseAutoPost(body)
	require.NoError(t, err)
	presp, pbody, err := b.Post(action, url.Values{"JWT": {fields.Get("JWT")}})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, presp.StatusCode, pbody)
	assert.Equal(t, signer.KeyID(), e.plat.DeepLinkReturns()[0].Header["kid"])
	assert.True(t, strings.HasPrefix(action, e.plat.Server.URL))
}

// TestTokenAudienceArray: a platform that wants the client assertion's aud
// as an array (packback#157) refuses a string and accepts a registration
// configured with an array audience (E64).
func TestTokenAudienceArray(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnvWith(t, platform.Canvas, false)
	p, err := platform.New(platform.Config{
		Profile: platform.Canvas, ToolLoginURL: e.tool.URL + lti.PathLogin, ToolRedirectURI: e.tool.URL + lti.PathLaunch,
		ToolJWKSURL: e.tool.URL + lti.PathJWKS, ClientID: "passport-array", DeploymentID: "deployment-1", RequireAudArray: true,
	})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	p.SetMembers([]lti.Member{{UserID: "s1", Roles: []string{platform.RoleLearner}}})
	claim := &lti.NRPSClaim{ContextMembershipsURL: p.URL("/memberships"), ServiceVersions: lti.StringList{"2.0"}}
	tests := []struct {
		name     string
		audience string
		ok       bool
	}{
		{"string aud refused", "", false},
		{"array of the token URL", lti.FormatTokenAudience(nil, true), true},
		{"array with the token URL", lti.FormatTokenAudience([]string{p.TokenURL()}, true), true},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := p.Registration("default", "reg-array-"+strconv.Itoa(i))
			reg.TokenAudience = tc.audience
			m, err := e.services().Memberships(ctx, reg, claim, "", lti.MembershipQuery{})
			if !tc.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, m.Members, 1)
		})
	}
}
