package main

import (
	"flag"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltihttp"
	"github.com/passportbridge/passport/lti/ltitest/platform"
	"github.com/passportbridge/passport/lti/ltitest/toolserver"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

func TestLTICommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := env("PASSPORT_DATA", dir, "PASSPORT_PUBLIC_URL", "https://passport.example.org")
	reg := []string{
		"lti", "register", "--issuer", "https://moodle.example.org", "--client-id", "abc",
		"--deployment-id", "1", "--auth-url", "https://moodle.example.org/mod/lti/auth.php",
		"--token-url", "https://moodle.example.org/mod/lti/token.php", "--jwks-url", "https://moodle.example.org/mod/lti/certs.php",
	}

	t.Run("usage errors", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"lti", "register", "--issuer", "https://x.example"}, "required"},
			{append(append([]string{}, reg...), "--tenant", "a b"), "--tenant"},
			{[]string{
				"lti", "register", "--issuer", "http://moodle.example.org", "--client-id", "c", "--deployment-id", "1",
				"--auth-url", "https://a.example", "--token-url", "https://a.example/t", "--jwks-url", "https://a.example/k",
			}, "https"},
			{append(append([]string{}, reg...), "--token-audience", "http://lms.example/token"), "--token-audience"},
			{[]string{"lti", "disable"}, "exactly one"},
			{[]string{"lti", "content-put", "--id", "x"}, "required"},
		} {
			code, _, errOut := runCmd(t, e, tc.args...)
			assert.Equal(t, 2, code, "%v", tc.args)
			assert.Contains(t, errOut, tc.want)
		}
	})

	code, out, errOut := runCmd(t, e, reg...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "tool login url: https://passport.example.org/lti/login")
	assert.Contains(t, out, "tool jwks url: https://passport.example.org/lti/jwks")
	id := strings.TrimSpace(strings.TrimPrefix(strings.Split(out, "\n")[0], "registration:"))
	require.NotEmpty(t, id)

	code, _, errOut = runCmd(t, e, reg...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "already registered")

	// A platform that wants the assertion's aud as an array (E64).
	arrayReg := append(append([]string{}, reg...), "--client-id", "abc-array", "--token-audience-array",
		"--token-audience", "https://moodle.example.org/mod/lti/token.php")
	code, _, errOut = runCmd(t, e, arrayReg...)
	require.Equal(t, 0, code, errOut)

	code, out, _ = runCmd(t, e, "lti", "list")
	require.Equal(t, 0, code)
	assert.Contains(t, out, id)
	assert.Contains(t, out, "https://moodle.example.org")

	code, out, _ = runCmd(t, e, "lti", "disable", id)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "disabled")
	code, _, _ = runCmd(t, e, "lti", "disable", "nope")
	assert.Equal(t, 1, code)

	code, out, errOut = runCmd(t, e, "lti", "rotate-key")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "published next key")
	code, out, _ = runCmd(t, e, "lti", "keys")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "current")
	assert.Contains(t, out, "next")
	code, out, _ = runCmd(t, e, "lti", "rotate-key", "--force")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "signing with")
	assert.Contains(t, out, "retired")

	code, out, errOut = runCmd(t, e, "lti", "invite", "--tenant", "camp-b")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "https://passport.example.org/lti/register?invite="), out)

	code, _, errOut = runCmd(t, e, "lti", "content-put", "--id", "frac-1", "--title", "Fractions", "--launch-url", "https://content.example.org/frac/",
		"--score-maximum", "10", "--tags", "maths,Maths")
	require.Equal(t, 0, code, errOut)
	code, out, _ = runCmd(t, e, "lti", "content-list")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "frac-1")
	assert.Contains(t, out, "maths")
	code, out, errOut = runCmd(t, e, "lti", "invite", "--tenant", "camp-b")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "https://passport.example.org/lti/register?invite="), out)

	code, _, errOut = runCmd(t, e, "lti", "content-put", "--id", "bad", "--title", "x", "--launch-url", "ftp://x")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "launchUrl")
	code, _, _ = runCmd(t, e, "lti", "content-delete", "frac-1")
	require.Equal(t, 0, code)
	code, _, _ = runCmd(t, e, "lti", "content-delete", "frac-1")
	assert.Equal(t, 1, code)
}

func TestLTILaunchRecorder(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := sqlitetest.Open(t)
	d := &deps{Store: st, Clock: time.Now, Config: config.Config{PublicURL: "https://passport.example.org"}}
	tool, err := ltiTool(d)
	require.NoError(t, err)
	rec := &ltiLaunchRecorder{d: d, tool: tool}
	li := lti.LaunchInfo{
		Tenant: "camp-a", Issuer: "https://moodle.example", DeploymentID: "1", Attempt: "8d3c2f1e-1111-4222-8333-444455556666",
		Learner: lti.LTIUser{LearnerID: "L-1"}, LaunchedAt: time.Now().UTC(),
		Content: lti.Content{ID: "frac-1", ActivityID: "https://passport.example.org/activities/frac-1", Title: "Fractions"},
	}
	require.NoError(t, rec.RecordLaunch(ctx, li))
	page, err := st.QueryStatements(ctx, "camp-a", lrs.Query{Registration: li.Attempt, Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Statements, 1)
	assert.Contains(t, string(page.Statements[0].JSON), lti.VerbLaunched)
	other, err := st.QueryStatements(ctx, "camp-b", lrs.Query{Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, other.Statements)
}

func TestLTIOutcomeWatcher(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := sqlitetest.Open(t)
	now := time.Now().UTC()
	d := &deps{
		Store: st, Clock: func() time.Time { return now }, Config: config.Config{PublicURL: "https://passport.example.org"},
		Logger: slog.New(slog.DiscardHandler),
	}
	require.NoError(t, st.CreateTenant(ctx, auth.Tenant{ID: "camp-a", Created: now}))
	grader := &lti.Grader{Store: st, Regs: st, Clock: d.Clock}
	attempt := "8d3c2f1e-1111-4222-8333-444455556666"
	require.NoError(t, st.SaveLaunchRecord(ctx, lti.LaunchRecord{
		Tenant: "camp-a", Attempt: attempt, RegistrationID: "r1", Subject: "2",
		ContentID: "frac-1", Label: "Fractions", ScoreMaximum: 10, Created: now,
		AGS: lti.AGSEndpoint{Scope: lti.StringList{lti.ScopeScore}, LineItem: "https://lms.example/li/1"},
	}))
	save := func(body string) {
		m, err := lrs.ValidateStatement([]byte(body), lrs.V1)
		require.NoError(t, err)
		s, err := lrs.Prepare(m, lrs.Prepared{Version: lrs.V1, Authority: map[string]any{"objectType": "Agent", "mbox": "mailto:content@example.org"}})
		require.NoError(t, err)
		require.NoError(t, st.SaveStatements(ctx, "camp-a", now, []*lrs.Statement{s}, nil))
	}
	actor := `"actor":{"objectType":"Agent","account":{"homePage":"https://passport.example.org","name":"L-1"}}`
	save(`{` + actor + `,"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://passport.example.org/activities/frac-1"},
		"context":{"registration":"` + attempt + `"},"result":{"completion":true,"score":{"scaled":0.9}},"timestamp":"2026-11-28T17:00:00.000Z"}`)
	save(`{` + actor + `,"verb":{"id":"http://adlnet.gov/expapi/verbs/experienced"},"object":{"id":"https://passport.example.org/activities/frac-1"}}`)

	w := &ltiOutcomeWatcher{d: d, grader: grader}
	require.NoError(t, w.poll(ctx))
	require.NoError(t, w.poll(ctx), "polling again queues nothing new")
	jobs, err := st.DueScores(ctx, now.Add(time.Minute), 10)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	assert.Equal(t, attempt, jobs[0].Attempt)
	assert.InDelta(t, 9.0, *jobs[0].Score.ScoreGiven, 1e-9)
	assert.Equal(t, "2026-11-28T17:00:00.000Z", jobs[0].Score.Timestamp)
}

// TestLTIMountsIssueLaunchTokens: serve's LTI handler gives each launch a
// bound launch token of the process's authenticator, which the LRS accepts
// for that learner only.
func TestLTIMountsIssueLaunchTokens(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := sqlitetest.Open(t)
	d := &deps{
		Store: st, Clock: time.Now, Config: config.Config{PublicURL: "https://passport.example.org"},
		Auth: auth.NewAuthenticator(st, time.Now), Logger: slog.New(slog.DiscardHandler),
	}
	ms := ltiMounts(d)
	require.Len(t, ms, 1)
	h, ok := ms[0].(*ltihttp.Handler)
	require.True(t, ok)
	require.NotNil(t, h.Credentials, "launches get xAPI credentials")
	li := lti.LaunchInfo{Tenant: "camp-a", Learner: lti.LTIUser{LearnerID: "L-1"}, Attempt: "8d3c2f1e-1111-4222-8333-444455556666"}
	endpoint, authz, exp, err := h.Credentials.XAPICredentials(ctx, li)
	require.NoError(t, err)
	assert.Equal(t, "https://passport.example.org/xapi/", endpoint)
	require.True(t, strings.HasPrefix(authz, "Bearer "))
	assert.WithinDuration(t, exp, time.Now().Add(auth.LaunchTokenTTL), time.Minute)
	p, err := d.Auth.Bearer(ctx, strings.TrimPrefix(authz, "Bearer "))
	require.NoError(t, err)
	assert.Equal(t, "account:https://passport.example.org|L-1", p.Agent)
	assert.Equal(t, li.Attempt, p.Registration)
	assert.Equal(t, "camp-a", p.Tenant)

	d.Auth = nil
	h = ltiMounts(d)[0].(*ltihttp.Handler)
	assert.Nil(t, h.Credentials, "no authenticator, no credentials")
}

// recordingTransport records the URLs the client asks for.
type recordingTransport struct {
	mu   sync.Mutex
	urls []string
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.urls = append(r.urls, req.URL.String())
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recordingTransport) memberships() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, u := range r.urls {
		if strings.Contains(u, "/memberships") {
			out = append(out, u)
		}
	}
	return out
}

// TestLTIMembersCommand: passport lti members reads the whole roster first,
// stores the platform's differences link, and the next run asks the
// platform only for the differences (G85).
func TestLTIMembersCommand(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := sqlitetest.Open(t)
	ts := toolserver.Start(t, st, nil, nil)
	p, err := platform.New(platform.Config{
		Profile: platform.Moodle, ToolLoginURL: ts.URL + lti.PathLogin, ToolRedirectURI: ts.URL + lti.PathLaunch,
		ToolJWKSURL: ts.URL + lti.PathJWKS, ClientID: "passport-moodle", DeploymentID: "deployment-1",
	})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	reg := p.Registration(auth.DefaultTenant, "reg-moodle")
	require.NoError(t, st.CreateRegistration(ctx, reg))
	p.SetMembers([]lti.Member{
		{UserID: "s1", Roles: []string{platform.RoleLearner}, Name: "Amina"},
		{UserID: "s2", Roles: []string{platform.RoleLearner}, Status: "Inactive"},
		{UserID: "t1", Roles: []string{platform.RoleInstructor}},
	})
	rt := &recordingTransport{}
	run := func(args ...string) (int, string, string) {
		var out, errOut strings.Builder
		d := &deps{
			Store: st, Clock: time.Now, Config: config.Config{PublicURL: ts.URL},
			Logger: slog.New(slog.DiscardHandler), Stdout: &out, Stderr: &errOut,
			HTTPClient: func(*slog.Logger) *retryablehttp.Client {
				rc := retryablehttp.NewClient()
				rc.Logger = nil
				rc.HTTPClient.Transport = rt
				return rc
			},
		}
		cmd := ltiMembersCommand()
		fs := flag.NewFlagSet("lti members", flag.ContinueOnError)
		fs.SetOutput(&errOut)
		cmd.Flags(fs)
		require.NoError(t, fs.Parse(args))
		if err := cmd.Check(fs.Args()); err != nil {
			return 2, "", err.Error()
		}
		code := cmd.Run(ctx, d, fs.Args())
		return code, out.String(), errOut.String()
	}
	murl := p.URL("/memberships")

	code, _, errOut := run("--registration", "reg-moodle")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "required")
	code, _, errOut = run("--registration", "nope", "--url", murl)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no registration")

	code, out, errOut := run("--registration", "reg-moodle", "--url", murl)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "whole roster: 3 members")
	assert.Contains(t, out, "s1")
	assert.NotContains(t, out, "Amina", "no names printed")
	link, err := st.NRPSDifferences(ctx, auth.DefaultTenant, "reg-moodle", murl)
	require.NoError(t, err, "the differences link is stored")
	assert.Contains(t, link, "since=")

	code, out, errOut = run("--registration", "reg-moodle", "--url", murl)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "changes since the last sync: 1 members")
	assert.Contains(t, out, "Inactive")
	assert.NotContains(t, out, "t1")
	asked := rt.memberships()
	require.Len(t, asked, 2)
	assert.NotContains(t, asked[0], "since=", "the first sync reads the whole roster")
	assert.Equal(t, link, asked[1], "the second sync asks only for the differences")
}
