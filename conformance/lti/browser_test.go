package lti_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltihttp"
	"github.com/passportbridge/passport/lti/ltitest/platform"
	"github.com/passportbridge/passport/lti/ltitest/toolserver"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// TestBrowserLaunch launches the tool inside a simulated LMS course page in
// headless Chromium (Debian package chromium): with cookies, with every
// cookie blocked (the platform-storage postMessage path), and with cookies
// blocked where the platform offers no storage (refused). The tool runs on
// localhost and the platform on 127.0.0.1, so the tool frame is cross-site.
func TestBrowserLaunch(t *testing.T) {
	t.Parallel()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("PASSPORT_REQUIRE_BROWSER") != "" {
			t.Fatal("chromium is not installed, and PASSPORT_REQUIRE_BROWSER is set (CI installs it: .ci/run)")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	cases := []struct {
		name       string
		noCookies  bool
		storage    string
		probe      bool // Tool.ProbeStorage: find platform storage by lti.capabilities
		noCaps     bool // the platform leaves lti.capabilities unanswered
		wantLaunch bool
	}{
		{name: "cookies allowed", wantLaunch: true},
		{name: "all cookies blocked, platform storage", noCookies: true, wantLaunch: true},
		{name: "all cookies blocked, no platform storage", noCookies: true, storage: "-", wantLaunch: false},
		{name: "all cookies blocked, no storage target, storage found by lti.capabilities", noCookies: true, storage: "-", probe: true, wantLaunch: true},
		{name: "cookies allowed, storage probe on", storage: "-", probe: true, wantLaunch: true},
		{name: "all cookies blocked, probe unanswered", noCookies: true, storage: "-", probe: true, noCaps: true, wantLaunch: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := sqlitetest.Open(t)
			rec := &recorder{}
			ts := toolserver.Start(t, st, nil, func(h *ltihttp.Handler) {
				h.Recorder = rec
				pub, err := url.Parse(strings.Replace(h.Tool.PublicURL.String(), "127.0.0.1", "localhost", 1))
				require.NoError(t, err)
				h.Tool.PublicURL = pub
				h.Tool.ProbeStorage = tc.probe
			})
			toolURL := ts.Tool.URL("")
			p, err := platform.New(platform.Config{
				Profile: platform.Canvas, ToolLoginURL: toolURL + lti.PathLogin, ToolRedirectURI: toolURL + lti.PathLaunch,
				ToolJWKSURL: ts.URL + lti.PathJWKS, ClientID: "passport-browser", DeploymentID: "deployment-1",
			})
			require.NoError(t, err)
			t.Cleanup(p.Close)
			ctx := context.Background()
			require.NoError(t, st.CreateRegistration(ctx, p.Registration("default", "reg-browser")))
			c := catalogue[0]
			c.Tenant = "default"
			require.NoError(t, st.PutContent(ctx, c))

			page, err := p.CoursePage(platform.Message{
				User: platform.Student, TargetLinkURI: toolURL + "/lti/content/" + c.ID,
				Faults: platform.Faults{StorageTarget: tc.storage, NoCapabilities: tc.noCaps},
			})
			require.NoError(t, err)
			profile := t.TempDir()
			if tc.noCookies {
				require.NoError(t, os.MkdirAll(filepath.Join(profile, "Default"), 0o700))
				prefs := `{"profile":{"default_content_setting_values":{"cookies":2},"block_third_party_cookies":true}}`
				require.NoError(t, os.WriteFile(filepath.Join(profile, "Default", "Preferences"), []byte(prefs), 0o600))
			}
			runCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			// The browser stays open on the page; the test watches the tool
			// for the launch, then stops the browser.
			var logs syncBuffer
			cmd := exec.CommandContext(runCtx, chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
				"--disable-dev-shm-usage", "--remote-debugging-port=0", "--user-data-dir="+profile, page)
			cmd.Stdout, cmd.Stderr = &logs, &logs
			require.NoError(t, cmd.Start())
			stopped := false
			stop := func() {
				if !stopped {
					stopped = true
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
				}
			}
			defer stop()
			wait := 45 * time.Second
			if !tc.wantLaunch {
				wait = 8 * time.Second // long enough for the login, the platform and the refused launch
			}
			deadline := time.Now().Add(wait)
			for len(rec.all()) == 0 && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
			}
			stop() // the browser's output is complete once it has exited
			out := logs.String()
			if tc.wantLaunch {
				require.Len(t, rec.all(), 1, "the launch reached the content page; browser said:\n%s", out)
				assert.Equal(t, c.ID, rec.all()[0].Content.ID)
			} else {
				assert.Empty(t, rec.all(), "no launch without a way to bind the state")
			}
		})
	}
}
