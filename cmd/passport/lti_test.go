package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLTICommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := env("PASSPORT_DATA", dir, "PASSPORT_PUBLIC_URL", "https://passport.example.org")
	reg := []string{"lti", "register", "--issuer", "https://moodle.example.org", "--client-id", "abc",
		"--deployment-id", "1", "--auth-url", "https://moodle.example.org/mod/lti/auth.php",
		"--token-url", "https://moodle.example.org/mod/lti/token.php", "--jwks-url", "https://moodle.example.org/mod/lti/certs.php"}

	t.Run("usage errors", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"lti", "register", "--issuer", "https://x.example"}, "required"},
			{append(append([]string{}, reg...), "--tenant", "a b"), "--tenant"},
			{[]string{"lti", "register", "--issuer", "http://moodle.example.org", "--client-id", "c", "--deployment-id", "1",
				"--auth-url", "https://a.example", "--token-url", "https://a.example/t", "--jwks-url", "https://a.example/k"}, "https"},
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
