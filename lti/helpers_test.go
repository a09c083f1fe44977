package lti_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

const toolBase = "https://tool.example.org"

type env struct {
	tool  *lti.Tool
	store *ltitest.MemStore
	plat  *platform.Platform
	reg   lti.Registration
}

func newEnv(t *testing.T, profile platform.Profile) *env {
	t.Helper()
	ms := ltitest.NewMemStore()
	keys := &lti.Keyring{Store: ms}
	require.NoError(t, keys.Ensure(context.Background()))
	p, err := platform.New(platform.Config{
		Profile:         profile,
		ToolLoginURL:    toolBase + lti.PathLogin,
		ToolRedirectURI: toolBase + lti.PathLaunch,
		ToolJWKSURL:     toolBase + lti.PathJWKS,
		ClientID:        "client-" + string(profile),
		DeploymentID:    "dep-1",
	})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	pub, _ := url.Parse(toolBase)
	tool := &lti.Tool{
		Store:        ms,
		Keys:         keys,
		PlatformKeys: &lti.PlatformKeys{Client: http.DefaultClient},
		PublicURL:    pub,
	}
	reg := p.Registration("t1", "reg-1")
	require.NoError(t, ms.CreateRegistration(context.Background(), reg))
	return &env{tool: tool, store: ms, plat: p, reg: reg}
}

func (e *env) login(t *testing.T, extra func(*lti.LoginParams)) *lti.LoginResult {
	t.Helper()
	lp := lti.LoginParams{
		Issuer: e.reg.Issuer, ClientID: e.reg.ClientID, LoginHint: "u1",
		TargetLinkURI: toolBase + lti.PathLaunch, LTIMessageHint: `{"cmid":2}`,
	}
	if extra != nil {
		extra(&lp)
	}
	res, err := e.tool.Login(context.Background(), lp)
	require.NoError(t, err)
	return res
}

func nonceOf(t *testing.T, res *lti.LoginResult) string {
	t.Helper()
	u, err := url.Parse(res.RedirectURL)
	require.NoError(t, err)
	return u.Query().Get("nonce")
}

// launch logs in, signs the message with the login's nonce and launches
// with the state cookie.
func (e *env) launch(t *testing.T, m platform.Message) (*lti.Launch, error) {
	t.Helper()
	res := e.login(t, nil)
	tok, err := e.plat.IDToken(m, nonceOf(t, res))
	require.NoError(t, err)
	l, check, err := e.tool.Launch(context.Background(), lti.LaunchParams{IDToken: tok, State: res.State, CookieState: res.State})
	require.Nil(t, check)
	return l, err
}

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Query()
}
