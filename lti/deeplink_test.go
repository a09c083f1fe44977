package lti_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o600))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}

func payloadOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func headerOf(t *testing.T, jwt string) lti.JOSEHeader {
	t.Helper()
	h, err := lti.SplitJWT(jwt)
	require.NoError(t, err)
	return h
}

func fixedTool(t *testing.T) *lti.Tool {
	t.Helper()
	ms := ltitest.NewMemStore()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	keys := &lti.Keyring{Store: ms, Clock: clock}
	require.NoError(t, keys.Ensure(context.Background()))
	pub, _ := url.Parse("https://passport.example.org")
	return &lti.Tool{Store: ms, Keys: keys, PublicURL: pub, Clock: clock, Random: bytes.NewReader(bytes.Repeat([]byte{7}, 4096))}
}

func dlLaunch(multiple bool, data string, targets ...string) *lti.Launch {
	mt := lti.MessageDeepLinkingRequest
	dep := "dep-1"
	m := lti.FlexBool(multiple)
	s := &lti.DeepLinkingSettings{
		ReturnURL:   "https://blackboard.example/webapps/blackboard/controller/lti/v2/deeplinking?course_id=_1_1",
		AcceptTypes: lti.StringList{"ltiResourceLink", "link"}, AcceptPresentationTargets: lti.StringList(targets),
		AcceptMultiple: &m,
	}
	if data != "" {
		s.Data = json.RawMessage(data)
	}
	return &lti.Launch{
		Registration: lti.Registration{Tenant: "t1", ID: "r1", Issuer: "https://blackboard.com", ClientID: "client-1"},
		Claims:       &lti.Claims{MessageType: &mt, DeploymentID: &dep, DeepLinking: s},
		MessageType:  mt, DeploymentID: dep,
	}
}

func TestDeepLinkResponseGolden(t *testing.T) {
	t.Parallel()
	tool := fixedTool(t)
	content := []lti.Content{
		{ID: "fractions-1", Title: "Fractions & ratios", Description: `Compare "parts"`, ScoreMaximum: 10},
		{ID: "reading-1", Title: "Reading together"},
	}
	reply := lti.DeepLinkReply{Msg: "2 Passport activities added."}
	for _, c := range content {
		it := tool.ContentItemFor(c)
		it.Iframe = &lti.Iframe{Height: 600}
		reply.Items = append(reply.Items, it)
	}
	resp, err := tool.DeepLink(context.Background(), dlLaunch(true, `"_blackboard_opaque_&_data"`, "iframe", "window"), reply)
	require.NoError(t, err)
	h := headerOf(t, resp.JWT)
	assert.Equal(t, "RS256", h.Alg)
	assert.Equal(t, "JWT", h.Typ)
	signer, err := tool.Keys.Signer(context.Background())
	require.NoError(t, err)
	assert.Equal(t, signer.KeyID(), h.Kid)
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(resp.JWT, ".")[1])
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"https://purl.imsglobal.org/spec/lti-dl/claim/data":"_blackboard_opaque_&_data"`, "data echoed byte for byte")
	var pretty bytes.Buffer
	enc := json.NewEncoder(&pretty)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(payloadOf(t, resp.JWT)))
	golden(t, "deeplink_response.golden.json", pretty.Bytes())
	assert.Contains(t, resp.ReturnURL, "?course_id=_1_1")
}

func TestDeepLinkResponseRules(t *testing.T) {
	t.Parallel()
	tool := fixedTool(t)
	item := tool.ContentItemFor(lti.Content{ID: "a", Title: "A", ScoreMaximum: 5})
	cases := []struct {
		name   string
		launch *lti.Launch
		reply  lti.DeepLinkReply
		check  func(t *testing.T, claims map[string]any)
		reason lti.Reason
	}{
		{name: "empty selection is a valid answer", launch: dlLaunch(false, ""), reply: lti.DeepLinkReply{}, check: func(t *testing.T, c map[string]any) {
			assert.Equal(t, []any{}, c[lti.ClaimDLContentItems])
			assert.NotContains(t, c, lti.ClaimDLData, "no data sent, none echoed")
		}},
		{name: "two items when only one is accepted", launch: dlLaunch(false, ""), reply: lti.DeepLinkReply{Items: []lti.ContentItem{item, item}}, reason: lti.ReasonBadRequest},
		{name: "foreign url", launch: dlLaunch(true, ""), reply: lti.DeepLinkReply{Items: []lti.ContentItem{{Type: "ltiResourceLink", URL: "https://evil.example/x"}}}, reason: lti.ReasonTargetNotAllowed},
		{name: "type not accepted", launch: dlLaunch(true, ""), reply: lti.DeepLinkReply{Items: []lti.ContentItem{{Type: "file", URL: "https://passport.example.org/x"}}}, reason: lti.ReasonBadRequest},
		{name: "iframe dropped when only window accepted", launch: dlLaunch(true, "", "window"), reply: lti.DeepLinkReply{Items: []lti.ContentItem{func() lti.ContentItem {
			i := item
			i.Iframe = &lti.Iframe{Height: 1}
			return i
		}()}}, check: func(t *testing.T, c map[string]any) {
			items := c[lti.ClaimDLContentItems].([]any)
			assert.NotContains(t, items[0], "iframe")
			assert.Contains(t, items[0], "lineItem")
		}},
		{name: "errormsg and log", launch: dlLaunch(true, ""), reply: lti.DeepLinkReply{ErrorMsg: "nothing chosen", Log: "cancelled"}, check: func(t *testing.T, c map[string]any) {
			assert.Equal(t, "nothing chosen", c[lti.ClaimDLErrorMsg])
			assert.Equal(t, "cancelled", c[lti.ClaimDLLog])
		}},
		{name: "non-positive line item maximum", launch: dlLaunch(true, ""), reply: lti.DeepLinkReply{Items: []lti.ContentItem{{Type: "ltiResourceLink", URL: "https://passport.example.org/lti/content/a", LineItem: &lti.DLLineItem{ScoreMaximum: 0}}}}, reason: lti.ReasonBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tool.DeepLink(context.Background(), tc.launch, tc.reply)
			if tc.reason != "" {
				assert.Equal(t, tc.reason, lti.ReasonOf(err), "err %v", err)
				return
			}
			require.NoError(t, err)
			tc.check(t, payloadOf(t, resp.JWT))
		})
	}
}

func TestDeepLinkSessionRoundTrip(t *testing.T) {
	t.Parallel()
	tool := fixedTool(t)
	ctx := context.Background()
	l := dlLaunch(true, `{"x":1}`, "iframe")
	reg := l.Registration
	reg.Deployments = []string{"dep-1"}
	require.NoError(t, tool.Store.CreateRegistration(ctx, reg))
	tok, err := tool.DeepLinkSession(ctx, l)
	require.NoError(t, err)
	back, err := tool.ResumeDeepLink(ctx, tok)
	require.NoError(t, err)
	assert.Equal(t, "dep-1", back.DeploymentID)
	assert.JSONEq(t, `{"x":1}`, string(back.Claims.DeepLinking.Data))
	assert.Equal(t, l.Claims.DeepLinking.ReturnURL, back.Claims.DeepLinking.ReturnURL)

	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"passport-dl-session"}`)) + "." + parts[2]
	_, err = tool.ResumeDeepLink(ctx, forged)
	assert.Equal(t, lti.ReasonBadRequest, lti.ReasonOf(err))
	_, err = tool.ResumeDeepLink(ctx, "not-a-token")
	assert.Equal(t, lti.ReasonBadRequest, lti.ReasonOf(err))
}
