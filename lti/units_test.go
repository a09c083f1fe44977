package lti_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest"
)

func TestKeyringRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ms := ltitest.NewMemStore()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := &lti.Keyring{Store: ms, Clock: func() time.Time { return now }, CacheFor: time.Nanosecond}
	published := func() []string {
		set, err := k.PublicSet(ctx)
		require.NoError(t, err)
		var kids []string
		for i := range set.Len() {
			key, _ := set.Key(i)
			kids = append(kids, key.KeyID())
		}
		return kids
	}
	signing := func() string {
		s, err := k.Signer(ctx)
		require.NoError(t, err)
		return s.KeyID()
	}
	first := signing() // generated on first use
	require.NoError(t, k.Ensure(ctx))
	assert.Len(t, published(), 1, "Ensure keeps the existing key")

	res, err := k.Rotate(ctx, false)
	require.NoError(t, err)
	next := res.Published
	require.NotEmpty(t, next)
	assert.ElementsMatch(t, []string{first, next}, published())
	assert.Equal(t, first, signing(), "a next key does not sign yet")

	now = now.Add(time.Hour)
	res, err = k.Rotate(ctx, false)
	require.NoError(t, err)
	assert.Empty(t, res.Activated, "not before the lead time")

	now = now.Add(24 * time.Hour)
	res, err = k.Rotate(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, next, res.Activated)
	assert.Equal(t, first, res.Retired)
	assert.Equal(t, next, signing())
	assert.ElementsMatch(t, []string{first, next}, published(), "retired key stays published")

	now = now.Add(71 * time.Hour)
	assert.Contains(t, published(), first, "still within the 72 h grace")
	now = now.Add(2 * time.Hour)
	assert.NotContains(t, published(), first, "gone after the grace period")
	res, err = k.Rotate(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, []string{first}, res.Removed)
	assert.NotEmpty(t, res.Published)
}

func TestRoles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   []string
		want []lti.Role
	}{
		{[]string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"}, []lti.Role{lti.RoleTeacher}},
		{[]string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"}, []lti.Role{lti.RoleStudent}},
		{[]string{"http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"}, []lti.Role{lti.RoleTeacher}},
		{[]string{"http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"}, []lti.Role{lti.RoleTeacher}},
		{[]string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"}, []lti.Role{lti.RoleAdmin}},
		{[]string{"http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"}, []lti.Role{lti.RoleAdmin}},
		{[]string{"http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"}, []lti.Role{lti.RoleAdmin}},
		{[]string{"http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"}, []lti.Role{lti.RoleStudent}},
		{[]string{"http://purl.imsglobal.org/vocab/lti/system/person#TestUser"}, []lti.Role{lti.RoleTestUser}},
		{[]string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"}, []lti.Role{lti.RoleMentor}},
		{[]string{"Instructor"}, []lti.Role{lti.RoleTeacher}},
		{[]string{"Learner", "Learner"}, []lti.Role{lti.RoleStudent}},
		{[]string{"http://purl.imsglobal.org/vocab/lis/v2/membership#", "urn:x:Wizard", ""}, nil},
		{[]string{"Learner", "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"}, []lti.Role{lti.RoleTeacher, lti.RoleStudent}},
		{nil, nil},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, lti.MapRoles(tc.in), "%v", tc.in)
	}
}

func TestServiceURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"https://moodle.example/mod/lti/services.php/2/lineitems/3/lineitem?type_id=4", "https://moodle.example/mod/lti/services.php/2/lineitems/3/lineitem/scores?type_id=4"},
		{"https://canvas.example/api/lti/courses/1/line_items/7", "https://canvas.example/api/lti/courses/1/line_items/7/scores"},
		{"https://lms.example/lineitems/7/", "https://lms.example/lineitems/7/scores"},
	}
	for _, tc := range cases {
		got, err := lti.ServiceURL(tc.in, "scores")
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
	got, err := lti.AppendQuery("https://lms.example/return?course=4", map[string][]string{"lti_msg": {"Saved & done"}})
	require.NoError(t, err)
	assert.Equal(t, "https://lms.example/return?course=4&lti_msg=Saved+%26+done", got)
}

func TestScoreValidation(t *testing.T) {
	t.Parallel()
	ten, neg := 10.0, -1.0
	ok := lti.Score{UserID: "u", Timestamp: lti.ScoreTimestamp(time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)), ActivityProgress: lti.ActivityCompleted, GradingProgress: lti.GradingFullyGraded, ScoreGiven: &ten, ScoreMaximum: &ten}
	assert.Equal(t, "2026-01-02T03:04:05.006Z", ok.Timestamp)
	require.NoError(t, ok.Validate())
	for name, edit := range map[string]func(*lti.Score){
		"no user":           func(s *lti.Score) { s.UserID = "" },
		"bad timestamp":     func(s *lti.Score) { s.Timestamp = "yesterday" },
		"bad activity":      func(s *lti.Score) { s.ActivityProgress = "Done" },
		"bad grading":       func(s *lti.Score) { s.GradingProgress = "Graded" },
		"negative given":    func(s *lti.Score) { s.ScoreGiven = &neg },
		"given without max": func(s *lti.Score) { s.ScoreMaximum = nil },
	} {
		s := ok
		edit(&s)
		assert.Error(t, s.Validate(), name)
	}
}

func TestPlatformConfigurationValidate(t *testing.T) {
	t.Parallel()
	base := func() lti.PlatformConfiguration {
		var pc lti.PlatformConfiguration
		require.NoError(t, json.Unmarshal([]byte(`{
			"issuer":"https://canvas.instructure.com","authorization_endpoint":"https://sso.canvaslms.com/api/lti/authorize_redirect",
			"token_endpoint":"https://sso.canvaslms.com/login/oauth2/token","jwks_uri":"https://sso.canvaslms.com/api/lti/security/jwks",
			"registration_endpoint":"https://school.instructure.com/api/lti/registrations",
			"https://purl.imsglobal.org/spec/lti-platform-configuration":{"product_family_code":"canvas","version":"OpenSource","messages_supported":[{"type":"LtiResourceLinkRequest"}]}}`), &pc))
		return pc
	}
	cfgURL := "https://school.instructure.com/api/lti/security/openid-configuration"
	pc := base()
	require.NoError(t, pc.Validate(cfgURL), "canvas: issuer and configuration share instructure.com")
	for name, edit := range map[string]func(*lti.PlatformConfiguration){
		"http issuer":          func(p *lti.PlatformConfiguration) { p.Issuer = "http://canvas.instructure.com" },
		"foreign issuer":       func(p *lti.PlatformConfiguration) { p.Issuer = "https://evil.example" },
		"no token endpoint":    func(p *lti.PlatformConfiguration) { p.TokenEndpoint = "" },
		"no registration":      func(p *lti.PlatformConfiguration) { p.RegistrationEndpoint = "" },
		"no lti configuration": func(p *lti.PlatformConfiguration) { p.LTI = nil },
		"no product family":    func(p *lti.PlatformConfiguration) { p.LTI.ProductFamilyCode = "" },
	} {
		p := base()
		edit(&p)
		assert.Error(t, p.Validate(cfgURL), name)
	}
}

func TestClientRegistrationShape(t *testing.T) {
	t.Parallel()
	tool := fixedTool(t)
	cr := tool.ClientRegistrationFor("moodle")
	assert.Equal(t, "web", cr.ApplicationType)
	assert.Equal(t, []string{"id_token"}, cr.ResponseTypes)
	assert.Equal(t, []string{"implicit", "client_credentials"}, cr.GrantTypes)
	assert.Equal(t, "private_key_jwt", cr.TokenEndpointAuthMethod)
	assert.Equal(t, "passport.example.org", cr.ToolConfiguration.Domain, "default port omitted")
	assert.Equal(t, "https://passport.example.org/lti/launch", cr.RedirectURIs[0])
	assert.Equal(t, "https://passport.example.org/lti/jwks", cr.JWKSURI)
	assert.Empty(t, cr.ToolConfiguration.CanvasPrivacyLevel)
	canvas := tool.ClientRegistrationFor("canvas")
	assert.Equal(t, "public", canvas.ToolConfiguration.CanvasPrivacyLevel)
}

func TestContentValidateAndSearch(t *testing.T) {
	t.Parallel()
	c := lti.Content{ID: "frac-1", Title: "Fractions", LaunchURL: "https://content.example/f/", ActivityID: "https://p.example/a/frac-1", Tags: []string{" Maths", "maths", "SEL"}}
	require.NoError(t, c.Validate())
	assert.Equal(t, []string{"maths", "sel"}, c.Tags)
	for name, edit := range map[string]func(*lti.Content){
		"bad id":       func(c *lti.Content) { c.ID = "a b" },
		"no title":     func(c *lti.Content) { c.Title = " " },
		"http launch":  func(c *lti.Content) { c.LaunchURL = "http://content.example/" },
		"no activity":  func(c *lti.Content) { c.ActivityID = "frac" },
		"negative max": func(c *lti.Content) { c.ScoreMaximum = -1 },
	} {
		x := c
		edit(&x)
		var ce *lti.ContentError
		require.ErrorAs(t, x.Validate(), &ce, name)
		assert.Equal(t, http.StatusBadRequest, ce.HTTPStatus())
	}
	items := []lti.Content{
		{ID: "b", Title: "Reading", Tags: []string{"literacy"}},
		{ID: "a", Title: "Fractions", Description: "parts of a whole", Tags: []string{"maths"}},
	}
	assert.Len(t, lti.SearchContents(items, ""), 2)
	assert.Equal(t, "a", lti.SearchContents(items, "MATHS whole")[0].ID)
	assert.Empty(t, lti.SearchContents(items, "science"))
}

func TestLearnerIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tool := fixedTool(t)
	launch := func(iss, sub, sourced string) *lti.Launch {
		c := &lti.Claims{LIS: &lti.LIS{PersonSourcedID: lti.FlexString(sourced)}}
		return &lti.Launch{Registration: lti.Registration{Tenant: "t1", Issuer: iss}, Subject: sub, Claims: c}
	}
	a, err := tool.Learner(ctx, tool.Store, launch("https://moodle.example", "2", "sis-7"))
	require.NoError(t, err)
	again, err := tool.Learner(ctx, tool.Store, launch("https://moodle.example", "2", "sis-7"))
	require.NoError(t, err)
	assert.Equal(t, a.LearnerID, again.LearnerID)
	other, err := tool.Learner(ctx, tool.Store, launch("https://canvas.instructure.com", "xyz", "sis-7"))
	require.NoError(t, err)
	assert.Equal(t, a.LearnerID, other.LearnerID, "same child in two LMSs is one learner")
	stranger, err := tool.Learner(ctx, tool.Store, launch("https://canvas.instructure.com", "q", ""))
	require.NoError(t, err)
	assert.NotEqual(t, a.LearnerID, stranger.LearnerID, "an empty sourcedid links nobody")
	_, err = tool.Learner(ctx, tool.Store, launch("https://canvas.instructure.com", "", ""))
	require.ErrorIs(t, err, lti.ErrAnonymous)
}

func TestReturnURL(t *testing.T) {
	t.Parallel()
	l := &lti.Launch{Claims: &lti.Claims{LaunchPresentation: &lti.LaunchPresentation{ReturnURL: "https://moodle.example/mod/lti/return.php?course=2&id=4"}}}
	got := lti.ReturnURL(l, "Saved", "", "", "log & more")
	assert.Equal(t, "https://moodle.example/mod/lti/return.php?course=2&id=4&lti_errorlog=log+%26+more&lti_msg=Saved", got)
	l.Claims.LaunchPresentation.ReturnURL = "javascript:alert(1)"
	assert.Empty(t, lti.ReturnURL(l, "x", "", "", ""))
	assert.Empty(t, lti.ReturnURL(&lti.Launch{Claims: &lti.Claims{}}, "x", "", "", ""))
}
