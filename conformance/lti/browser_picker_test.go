package lti_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltitest/platform"
)

// TestBrowserDeepLinkingPicker drives the deep-linking picker in headless
// Chromium on a phone-sized screen, as a teacher would: the catalogue is
// listed, a search narrows it, choosing an item and "Add to course" posts
// the signed response back to the platform through the auto-submitting
// page.
func TestBrowserDeepLinkingPicker(t *testing.T) {
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
	e := newEnv(t, platform.Moodle)
	page, err := e.plat.TopPage(platform.Message{Type: lti.MessageDeepLinkingRequest, User: platform.Teacher, Data: `{"cmid":7}`})
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := startCDP(t, ctx, chromium)
	session, err := b.open("about:blank")
	require.NoError(t, err, "browser said:\n%s", b.logs.String())
	_, err = b.call(session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 360, "height": 640, "deviceScaleFactor": 2, "mobile": true})
	require.NoError(t, err)
	_, err = b.call(session, "Page.navigate", map[string]any{"url": page})
	require.NoError(t, err)

	items := `document.querySelectorAll('input[name=item]').length`
	require.True(t, b.waitTrue(session, items+` === 3`, 30*time.Second), "the picker lists the catalogue; browser said:\n%s", b.logs.String())
	var title string
	require.NoError(t, b.eval(session, `document.title`, &title))
	assert.Contains(t, title, "Choose an activity")
	var fits bool
	require.NoError(t, b.eval(session, `document.documentElement.scrollWidth <= window.innerWidth`, &fits))
	assert.True(t, fits, "no sideways scrolling on a 360 px screen")
	var labelled bool
	require.NoError(t, b.eval(session, `[...document.querySelectorAll('input[name=item]')].every(i => i.closest('label') && i.closest('label').textContent.trim() !== '')`, &labelled))
	assert.True(t, labelled, "every choice has a label")

	require.NoError(t, b.eval(session, `document.getElementById('q').value = 'fractions'; document.querySelector('button[value=search]').click(); true`, nil))
	require.True(t, b.waitTrue(session, items+` === 1 && document.getElementById('q').value === 'fractions'`, 15*time.Second), "the search narrows the list")

	require.NoError(t, b.eval(session, `document.querySelector('input[name=item][value="fractions-1"]').click(); document.querySelector('button[value=select]').click(); true`, nil))
	deadline := time.Now().Add(15 * time.Second)
	for len(e.plat.DeepLinkReturns()) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	returns := e.plat.DeepLinkReturns()
	require.Len(t, returns, 1, "the platform got the deep-linking response")
	require.Len(t, returns[0].Items, 1)
	item := returns[0].Items[0]
	assert.Equal(t, "Fractions practice", item.Title)
	assert.True(t, strings.HasPrefix(item.URL, e.tool.URL), "a tool URL: %s", item.URL)
	require.NotNil(t, item.LineItem, "a scored item carries a line item")
	assert.InDelta(t, 10, item.LineItem.ScoreMaximum, 0)
	assert.Equal(t, `{"cmid":7}`, returns[0].Claims[lti.ClaimDLData], "data echoed byte for byte")
	assert.True(t, b.waitTrue(session, `document.body && document.body.innerText.includes('Content added')`, 10*time.Second),
		"the browser ends on the platform's page")
}
