package lti_test

import (
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltihttp"
	"github.com/passportbridge/passport/lti/ltitest/platform"
	"github.com/passportbridge/passport/lti/ltitest/toolserver"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// recorder is the LRS side as the tests see it.
type recorder struct {
	mu       sync.Mutex
	launches []lti.LaunchInfo
}

func (r *recorder) RecordLaunch(_ context.Context, li lti.LaunchInfo) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.launches = append(r.launches, li)
	return nil
}

func (r *recorder) XAPICredentials(_ context.Context, li lti.LaunchInfo) (string, string, time.Time, error) {
	return "https://lrs.example/xapi/", "Basic dGVzdDp0ZXN0", time.Now().Add(time.Hour), nil
}

func (r *recorder) all() []lti.LaunchInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]lti.LaunchInfo(nil), r.launches...)
}

type env struct {
	tool *toolserver.Server
	plat *platform.Platform
	rec  *recorder
	reg  lti.Registration
}

var catalogue = []lti.Content{
	{
		ID: "fractions-1", Title: "Fractions practice", Description: "Add and compare fractions.", LaunchURL: "https://content.example.org/fractions/index.html",
		ActivityID: "https://passport.example/activities/fractions-1", ScoreMaximum: 10, Tags: []string{"maths"},
	},
	{
		ID: "reading-1", Title: "Reading together", Description: "A short story with questions.", LaunchURL: "https://content.example.org/reading/index.html",
		ActivityID: "https://passport.example/activities/reading-1", Tags: []string{"literacy"},
	},
	{
		ID: "feelings-1", Title: "Naming feelings", LaunchURL: "https://content.example.org/sel/index.html",
		ActivityID: "https://passport.example/activities/feelings-1", Tags: []string{"social and emotional learning"},
	},
}

// newEnv starts the tool (sqlite store, real HTTP) and a platform of the
// profile, registers the platform as an admin would, and fills the
// catalogue.
func newEnv(t *testing.T, profile platform.Profile) *env { return newEnvWith(t, profile, true) }

func newEnvWith(t testing.TB, profile platform.Profile, register bool) *env {
	t.Helper()
	return newEnvStore(t, profile, register, sqlitetest.Open(t))
}

func newEnvStore(t testing.TB, profile platform.Profile, register bool, st lti.Store) *env {
	t.Helper()
	return newEnvMounts(t, profile, register, st, nil)
}

// newEnvMounts is newEnvStore with an edit of the tool's handler after the
// test recorder is set (nil: none) and extra handlers (the LRS) on the
// tool's server.
func newEnvMounts(t testing.TB, profile platform.Profile, register bool, st lti.Store, edit func(h *ltihttp.Handler), extra ...server.Mounter) *env {
	t.Helper()
	rec := &recorder{}
	ts := toolserver.Start(t, st, nil, func(h *ltihttp.Handler) {
		h.Recorder, h.Credentials = rec, rec
		if edit != nil {
			edit(h)
		}
	}, extra...)
	p, err := platform.New(platform.Config{
		Profile:         profile,
		ToolLoginURL:    ts.URL + lti.PathLogin,
		ToolRedirectURI: ts.URL + lti.PathLaunch,
		ToolJWKSURL:     ts.URL + lti.PathJWKS,
		ClientID:        "passport-" + string(profile),
		DeploymentID:    "deployment-1",
	})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	reg := p.Registration("default", "reg-"+string(profile))
	if register {
		require.NoError(t, st.CreateRegistration(context.Background(), reg))
	}
	for _, c := range catalogue {
		c.Tenant = "default"
		require.NoError(t, c.Validate())
		require.NoError(t, st.PutContent(context.Background(), c))
	}
	return &env{tool: ts, plat: p, rec: rec, reg: reg}
}

func (e *env) contentURL(id string) string { return e.tool.URL + "/lti/content/" + id }

func query(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Query()
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
