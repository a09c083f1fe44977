package lti_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

func del(keys ...string) func(map[string]any) {
	return func(c map[string]any) {
		for _, k := range keys {
			delete(c, k)
		}
	}
}

func set(k string, v any) func(map[string]any) {
	return func(c map[string]any) { c[k] = v }
}

// TestLaunchCertification replays the 1EdTech certification launch cases
// (valid ones accepted, invalid ones refused) plus the Security Framework
// checks, for every platform profile.
func TestLaunchCertification(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		msg    platform.Message
		reason lti.Reason // "" means accepted
		status int
		check  func(t *testing.T, l *lti.Launch)
	}{
		{name: "instructor", msg: platform.Message{User: platform.Teacher}, check: func(t *testing.T, l *lti.Launch) {
			assert.Equal(t, []lti.Role{lti.RoleTeacher}, l.Roles)
			assert.Equal(t, "teacher-1", l.Subject)
		}},
		{name: "student", msg: platform.Message{User: platform.Student}, check: func(t *testing.T, l *lti.Launch) {
			assert.Equal(t, []lti.Role{lti.RoleStudent}, l.Roles)
		}},
		{name: "no PII", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: del("name", "given_name", "family_name", "email", lti.ClaimLIS)}}},
		{name: "only email", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: del("name", "given_name", "family_name")}}},
		{name: "only names", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: del("email")}}},
		{name: "no role", msg: platform.Message{User: platform.User{Sub: "x"}}, check: func(t *testing.T, l *lti.Launch) { assert.Empty(t, l.Roles) }},
		{name: "multiple roles", msg: platform.Message{User: platform.User{Sub: "x", Roles: []string{platform.RoleInstructor, platform.RoleLearner}}}, check: func(t *testing.T, l *lti.Launch) {
			assert.Equal(t, []lti.Role{lti.RoleTeacher, lti.RoleStudent}, l.Roles)
		}},
		{name: "short role", msg: platform.Message{User: platform.User{Sub: "x", Roles: []string{"Instructor"}}}, check: func(t *testing.T, l *lti.Launch) {
			assert.Equal(t, []lti.Role{lti.RoleTeacher}, l.Roles)
		}},
		{name: "unknown role", msg: platform.Message{User: platform.User{Sub: "x", Roles: []string{"http://example.org/role#Wizard"}}}},
		{name: "only resource link", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: del(lti.ClaimContext, lti.ClaimToolPlatform, lti.ClaimLaunchPresentation, lti.ClaimAGSEndpoint, lti.ClaimNRPS, lti.ClaimLIS, lti.ClaimCustom)}}},
		{name: "anonymous (no sub)", msg: platform.Message{User: platform.User{Roles: []string{platform.RoleLearner}}}, check: func(t *testing.T, l *lti.Launch) { assert.True(t, l.Anonymous()) }},
		{name: "context type empty string", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set(lti.ClaimContext, map[string]any{"id": "c", "type": []string{""}})}}},
		{name: "clock 30s ahead within skew", msg: platform.Message{User: platform.Student, Faults: platform.Faults{IatOffset: 30 * time.Second}}},
		{name: "azp equal client id with aud array", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: func(c map[string]any) {
			c["aud"] = []string{c["aud"].(string)}
			c["azp"] = c["aud"].([]string)[0]
		}}}},
		{name: "platform key rotated", msg: platform.Message{User: platform.Student, Faults: platform.Faults{RotateKey: true}}},

		{name: "kid missing", msg: platform.Message{User: platform.Student, Faults: platform.Faults{MissingKid: true}}, reason: lti.ReasonKeyID, status: 401},
		{name: "wrong kid", msg: platform.Message{User: platform.Student, Faults: platform.Faults{WrongKid: true}}, reason: lti.ReasonKeyID, status: 401},
		{name: "expired", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Expired: true}}, reason: lti.ReasonExpired, status: 401},
		{name: "iat in the future", msg: platform.Message{User: platform.Student, Faults: platform.Faults{IatOffset: 5 * time.Minute}}, reason: lti.ReasonNotYetValid, status: 401},
		{name: "nbf in the future", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set("nbf", time.Now().Add(10*time.Minute).Unix())}}, reason: lti.ReasonNotYetValid, status: 401},
		{name: "not a JWT", msg: platform.Message{User: platform.Student, Faults: platform.Faults{NotJWT: true}}, reason: lti.ReasonMalformedToken, status: 401},
		{name: "alg none", msg: platform.Message{User: platform.Student, Faults: platform.Faults{AlgNone: true}}, reason: lti.ReasonMalformedToken, status: 401},
		{name: "HS256", msg: platform.Message{User: platform.Student, Faults: platform.Faults{HS256: true}}, reason: lti.ReasonAlgorithm, status: 401},
		{name: "bad signature", msg: platform.Message{User: platform.Student, Faults: platform.Faults{BadSignature: true}}, reason: lti.ReasonSignature, status: 401},
		{name: "key not in platform JWKS", msg: platform.Message{User: platform.Student, Faults: platform.Faults{UnpublishedKey: true}}, reason: lti.ReasonSignature, status: 401},
		{name: "wrong nonce", msg: platform.Message{User: platform.Student, Faults: platform.Faults{WrongNonce: true}}, reason: lti.ReasonNonce, status: 401},
		{name: "no nonce", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: del("nonce")}}, reason: lti.ReasonNonce, status: 401},
		{name: "wrong iss", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set("iss", "https://evil.example")}}, reason: lti.ReasonIssuer, status: 401},
		{name: "wrong aud", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set("aud", "someone-else")}}, reason: lti.ReasonAudience, status: 401},
		{name: "untrusted extra aud", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: func(c map[string]any) {
			c["azp"] = c["aud"]
			c["aud"] = []any{c["aud"], "other"}
		}}}, reason: lti.ReasonAudience, status: 401},
		{name: "azp not client id", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set("azp", "other")}}, reason: lti.ReasonAudience, status: 401},
		{name: "no exp", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: del("exp")}}, reason: lti.ReasonMissingClaim, status: 401},
		{name: "wrong version", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set(lti.ClaimVersion, "1.2.0")}}, reason: lti.ReasonInvalidClaim, status: 400},
		{name: "no version", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: del(lti.ClaimVersion)}}, reason: lti.ReasonMissingClaim, status: 400},
		{name: "no resource_link id", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set(lti.ClaimResourceLink, map[string]any{"title": "x"})}}, reason: lti.ReasonMissingClaim, status: 400},
		{name: "no message_type", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: del(lti.ClaimMessageType)}}, reason: lti.ReasonMissingClaim, status: 400},
		{name: "no roles", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: del(lti.ClaimRoles)}}, reason: lti.ReasonMissingClaim, status: 400},
		{name: "no deployment_id", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: del(lti.ClaimDeploymentID)}}, reason: lti.ReasonMissingClaim, status: 400},
		{name: "empty sub", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set("sub", "")}}, reason: lti.ReasonInvalidClaim, status: 400},
		{name: "unknown deployment", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set(lti.ClaimDeploymentID, "dep-other")}}, reason: lti.ReasonDeployment, status: 403},
		{name: "submission review unsupported", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set(lti.ClaimMessageType, "LtiSubmissionReviewRequest")}}, reason: lti.ReasonUnsupportedMessage, status: 400},
		{name: "target_link_uri foreign", msg: platform.Message{User: platform.Student, TargetLinkURI: "https://evil.example/x"}, reason: lti.ReasonTargetNotAllowed, status: 400},
		{name: "roles wrong type", msg: platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set(lti.ClaimRoles, 7)}}, reason: lti.ReasonInvalidClaim, status: 400},
	}
	for _, profile := range platform.Profiles {
		e := newEnv(t, profile)
		for _, tc := range cases {
			t.Run(string(profile)+"/"+tc.name, func(t *testing.T) {
				l, err := e.launch(t, tc.msg)
				if tc.reason == "" {
					require.NoError(t, err)
					require.NotNil(t, l)
					assert.Equal(t, "dep-1", l.DeploymentID)
					if tc.check != nil {
						tc.check(t, l)
					}
					return
				}
				require.Error(t, err)
				var le *lti.Error
				require.ErrorAs(t, err, &le)
				assert.Equal(t, tc.reason, le.Reason, "error: %v", err)
				assert.Equal(t, tc.status, le.HTTPStatus())
				assert.NotEmpty(t, le.Public())
			})
		}
	}
}

func TestProfileClaimShapes(t *testing.T) {
	t.Parallel()
	for _, profile := range platform.Profiles {
		t.Run(string(profile), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, profile)
			l, err := e.launch(t, platform.Message{User: platform.Student})
			require.NoError(t, err)
			c := l.Claims
			switch profile {
			case platform.Moodle:
				assert.Equal(t, lti.StringList{"CourseSection"}, c.Context.Type)
				assert.Equal(t, lti.FlexString(""), c.LIS.CourseSectionSourcedID)
				assert.Contains(t, c.AGS.LineItem, "?type_id=4")
				assert.Equal(t, lti.StringList{"1.0", "2.0"}, c.NRPS.ServiceVersions)
			case platform.Canvas:
				assert.Equal(t, "1234", l.Custom["canvas_user_id"])
				assert.Contains(t, string(c.Raw), "https://www.instructure.com/placement")
			case platform.Blackboard:
				assert.Equal(t, `Fractions & "ratios"`, c.ResourceLink.Title)
				assert.Equal(t, "$Context.id.unresolved", l.Custom["course_id"])
				assert.Contains(t, string(c.Raw), "one_time_session_token")
			case platform.Brightspace:
				require.NotNil(t, c.NotBefore)
				assert.Contains(t, string(c.Raw), "http://www.brightspace.com")
			}
		})
	}
}

func TestLaunchStateBinding(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, platform.Canvas)

	t.Run("state is single use", func(t *testing.T) {
		res := e.login(t, nil)
		tok, err := e.plat.IDToken(platform.Message{User: platform.Student}, nonceOf(t, res))
		require.NoError(t, err)
		p := lti.LaunchParams{IDToken: tok, State: res.State, CookieState: res.State}
		_, _, err = e.tool.Launch(ctx, p)
		require.NoError(t, err)
		_, _, err = e.tool.Launch(ctx, p)
		assert.Equal(t, lti.ReasonStateMismatch, lti.ReasonOf(err))
	})
	t.Run("missing cookie refused and state kept", func(t *testing.T) {
		res := e.login(t, nil)
		tok, err := e.plat.IDToken(platform.Message{User: platform.Student}, nonceOf(t, res))
		require.NoError(t, err)
		_, _, err = e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State})
		var le *lti.Error
		require.ErrorAs(t, err, &le)
		assert.Equal(t, lti.ReasonStateMismatch, le.Reason)
		assert.Equal(t, 401, le.HTTPStatus())
		assert.Contains(t, le.Public(), "cookies")
		_, _, err = e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State, CookieState: "other"})
		assert.Equal(t, lti.ReasonStateMismatch, lti.ReasonOf(err))
		_, _, err = e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State, CookieState: res.State})
		require.NoError(t, err)
	})
	t.Run("platform storage path", func(t *testing.T) {
		res := e.login(t, func(p *lti.LoginParams) { p.LTIStorageTarget = "post_message_forwarding" })
		require.NotNil(t, res.Storage)
		assert.Equal(t, "post_message_forwarding", res.Storage.Target)
		assert.Equal(t, e.plat.Server.URL, res.Storage.Origin)
		tok, err := e.plat.IDToken(platform.Message{User: platform.Student}, nonceOf(t, res))
		require.NoError(t, err)
		l, check, err := e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State})
		require.NoError(t, err)
		assert.Nil(t, l)
		require.NotNil(t, check)
		assert.Equal(t, res.Storage.Key, check.Key)
		_, _, err = e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State, StorageValue: "guess"})
		assert.Equal(t, lti.ReasonStateMismatch, lti.ReasonOf(err))
		l, check, err = e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State, StorageValue: res.Storage.Value})
		require.NoError(t, err)
		assert.Nil(t, check)
		assert.Equal(t, "student-1", l.Subject)
	})
	t.Run("platform error", func(t *testing.T) {
		_, _, err := e.tool.Launch(ctx, lti.LaunchParams{Error: "login_required", State: "x"})
		var le *lti.Error
		require.ErrorAs(t, err, &le)
		assert.Equal(t, lti.ReasonPlatformError, le.Reason)
		assert.Equal(t, 400, le.HTTPStatus())
	})
	t.Run("nonce replay refused by store", func(t *testing.T) {
		exp := time.Now().Add(time.Hour)
		require.NoError(t, e.store.UseNonce(ctx, "t1", "n1", exp))
		require.Error(t, e.store.UseNonce(ctx, "t1", "n1", exp))
	})
}

func TestLoginInitiation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, platform.Moodle)
	base := lti.LoginParams{Issuer: e.reg.Issuer, ClientID: e.reg.ClientID, LoginHint: "2", TargetLinkURI: toolBase + lti.PathLaunch}
	cases := []struct {
		name   string
		edit   func(*lti.LoginParams)
		reason lti.Reason
	}{
		{name: "ok", edit: func(*lti.LoginParams) {}},
		{name: "no client_id, single registration", edit: func(p *lti.LoginParams) { p.ClientID = "" }},
		{name: "missing iss", edit: func(p *lti.LoginParams) { p.Issuer = "" }, reason: lti.ReasonBadRequest},
		{name: "missing login_hint", edit: func(p *lti.LoginParams) { p.LoginHint = "" }, reason: lti.ReasonBadRequest},
		{name: "missing target_link_uri", edit: func(p *lti.LoginParams) { p.TargetLinkURI = "" }, reason: lti.ReasonBadRequest},
		{name: "unknown issuer", edit: func(p *lti.LoginParams) { p.Issuer = "https://nobody.example" }, reason: lti.ReasonUnknownPlatform},
		{name: "unknown client", edit: func(p *lti.LoginParams) { p.ClientID = "nope" }, reason: lti.ReasonUnknownPlatform},
		{name: "issuer with trailing slash is another issuer", edit: func(p *lti.LoginParams) { p.Issuer += "/" }, reason: lti.ReasonUnknownPlatform},
		{name: "foreign target", edit: func(p *lti.LoginParams) { p.TargetLinkURI = "https://evil.example/lti/launch" }, reason: lti.ReasonTargetNotAllowed},
		{name: "http target off loopback", edit: func(p *lti.LoginParams) { p.TargetLinkURI = "http://tool.example.org/lti/launch" }, reason: lti.ReasonTargetNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			tc.edit(&p)
			res, err := e.tool.Login(ctx, p)
			if tc.reason != "" {
				assert.Equal(t, tc.reason, lti.ReasonOf(err), "err %v", err)
				var le *lti.Error
				require.ErrorAs(t, err, &le)
				assert.GreaterOrEqual(t, le.HTTPStatus(), 400)
				assert.Less(t, le.HTTPStatus(), 500)
				return
			}
			require.NoError(t, err)
			assert.GreaterOrEqual(t, len(res.State), 22) // ≥128 bits
			q := mustQuery(t, res.RedirectURL)
			assert.True(t, strings.HasPrefix(res.RedirectURL, e.plat.AuthURL()+"?"))
			assert.Equal(t, "openid", q.Get("scope"))
			assert.Equal(t, "id_token", q.Get("response_type"))
			assert.Equal(t, "form_post", q.Get("response_mode"))
			assert.Equal(t, "none", q.Get("prompt"))
			assert.Equal(t, e.reg.ClientID, q.Get("client_id"))
			assert.Equal(t, toolBase+lti.PathLaunch, q.Get("redirect_uri"))
			assert.Equal(t, "2", q.Get("login_hint"))
			assert.Equal(t, res.State, q.Get("state"))
			assert.GreaterOrEqual(t, len(q.Get("nonce")), 22)
			assert.False(t, q.Has("lti_message_hint"))
		})
	}
	t.Run("message hint echoed unchanged", func(t *testing.T) {
		p := base
		p.LTIMessageHint = `{"cmid":2,"launchid":"ltilaunch1_x"}`
		res, err := e.tool.Login(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, p.LTIMessageHint, mustQuery(t, res.RedirectURL).Get("lti_message_hint"))
	})
	t.Run("ambiguous issuer without client_id", func(t *testing.T) {
		r2 := e.reg
		r2.ID, r2.ClientID, r2.Tenant = "reg-2", "client-2", "t2"
		require.NoError(t, e.store.CreateRegistration(ctx, r2))
		p := base
		p.ClientID = ""
		_, err := e.tool.Login(ctx, p)
		assert.Equal(t, lti.ReasonAmbiguousPlatform, lti.ReasonOf(err))
		p.ClientID = "client-2"
		res, err := e.tool.Login(ctx, p)
		require.NoError(t, err)
		st, err := e.store.LoginState(ctx, res.State, time.Now())
		require.NoError(t, err)
		assert.Equal(t, "t2", st.Tenant)
	})
	t.Run("disabled registration", func(t *testing.T) {
		require.NoError(t, e.store.SetRegistrationDisabled(ctx, "t1", "reg-1", true))
		defer func() { require.NoError(t, e.store.SetRegistrationDisabled(ctx, "t1", "reg-1", false)) }()
		_, err := e.tool.Login(ctx, base)
		var le *lti.Error
		require.ErrorAs(t, err, &le)
		assert.Equal(t, lti.ReasonRegistrationOff, le.Reason)
		assert.Equal(t, 403, le.HTTPStatus())
	})
}

func TestNewDeploymentPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, platform.Canvas)
	r := e.reg
	r.ID, r.ClientID, r.AcceptNewDeployments = "reg-open", "client-open", true
	require.NoError(t, e.store.CreateRegistration(ctx, r))
	res, err := e.tool.Login(ctx, lti.LoginParams{Issuer: r.Issuer, ClientID: r.ClientID, LoginHint: "x", TargetLinkURI: toolBase + lti.PathLaunch})
	require.NoError(t, err)
	m := platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: func(c map[string]any) {
		c["aud"] = "client-open"
		c[lti.ClaimDeploymentID] = "sub-account-7"
	}}}
	tok, err := e.plat.IDToken(m, nonceOf(t, res))
	require.NoError(t, err)
	l, _, err := e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State, CookieState: res.State})
	require.NoError(t, err)
	assert.Equal(t, "sub-account-7", l.DeploymentID)
	got, err := e.store.Registration(ctx, "t1", "reg-open")
	require.NoError(t, err)
	assert.Contains(t, got.Deployments, "sub-account-7")
}

func TestPlatformKeyRefreshIsRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, platform.Canvas)
	_, err := e.launch(t, platform.Message{User: platform.Student})
	require.NoError(t, err)
	require.Equal(t, 1, e.plat.JWKSFetches)
	for range 3 {
		_, err = e.launch(t, platform.Message{User: platform.Student, Faults: platform.Faults{WrongKid: true}})
		assert.Equal(t, lti.ReasonKeyID, lti.ReasonOf(err))
	}
	assert.Equal(t, 2, e.plat.JWKSFetches, "one forced refresh for a burst of unknown kids")
}

func TestAlgorithmAllowList(t *testing.T) {
	t.Parallel()
	e := newEnv(t, platform.Brightspace) // keys without alg
	e.tool.Algorithms = []string{"RS384"}
	_, err := e.launch(t, platform.Message{User: platform.Student})
	assert.Equal(t, lti.ReasonAlgorithm, lti.ReasonOf(err), "RS256 token refused when only RS384 is allowed")
	e.tool.Algorithms = nil
	_, err = e.launch(t, platform.Message{User: platform.Student})
	require.NoError(t, err, "alg inferred for keys without alg")
}

func TestLaunchTimeAndKeyEdges(t *testing.T) {
	t.Parallel()
	t.Run("iat older than the maximum age", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, platform.Moodle)
		_, err := e.launch(t, platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: func(c map[string]any) {
			c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
			c["exp"] = time.Now().Add(time.Hour).Unix()
		}}})
		assert.Equal(t, lti.ReasonExpired, lti.ReasonOf(err))
	})
	t.Run("exp just passed but within skew", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, platform.Moodle)
		_, err := e.launch(t, platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: func(c map[string]any) {
			c["exp"] = time.Now().Add(-20 * time.Second).Unix()
		}}})
		require.NoError(t, err)
	})
	t.Run("mentor roles and scope", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, platform.Canvas)
		l, err := e.launch(t, platform.Message{User: platform.User{Sub: "m1", Roles: []string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"}},
			Faults: platform.Faults{Mutate: set(lti.ClaimRoleScopeMentor, []string{"student-1", "student-2"})}})
		require.NoError(t, err)
		assert.Equal(t, []lti.Role{lti.RoleMentor}, l.Roles)
		assert.Equal(t, lti.StringList{"student-1", "student-2"}, l.Claims.RoleScopeMentor)
	})
	t.Run("fixed PEM platform key instead of a JWKS", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, platform.Blackboard)
		pem, err := e.plat.PublicKeyPEM()
		require.NoError(t, err)
		reg := e.reg
		reg.ID, reg.ClientID, reg.JWKSURL, reg.PlatformKeyPEM = "reg-pem", "client-pem", "", pem
		require.NoError(t, e.store.CreateRegistration(ctx, reg))
		res, err := e.tool.Login(ctx, lti.LoginParams{Issuer: reg.Issuer, ClientID: reg.ClientID, LoginHint: "x", TargetLinkURI: toolBase + lti.PathLaunch})
		require.NoError(t, err)
		tok, err := e.plat.IDToken(platform.Message{User: platform.Student, Faults: platform.Faults{Mutate: set("aud", "client-pem")}}, nonceOf(t, res))
		require.NoError(t, err)
		_, _, err = e.tool.Launch(ctx, lti.LaunchParams{IDToken: tok, State: res.State, CookieState: res.State})
		require.NoError(t, err)
		assert.Zero(t, e.plat.JWKSFetches, "no JWKS fetch with a fixed key")
	})
}
