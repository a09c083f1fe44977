package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/oauth1"
	"github.com/passportbridge/passport/store/mongo/mongotest"
)

// testKey is a fixed OAuth 1.0a master key (bytes 0..31) and its base64.
func testKey() ([]byte, string) {
	k := make([]byte, auth.OAuth1KeySize)
	for i := range k {
		k[i] = byte(i)
	}
	return k, base64.StdEncoding.EncodeToString(k)
}

type created struct {
	Key, Secret, Tenant string
	Scopes              []string
}

func createJSON(t *testing.T, getenv func(string) string, args ...string) created {
	t.Helper()
	code, out, errOut := runCmd(t, getenv, append([]string{"credentials", "create", "--json"}, args...)...)
	require.Equal(t, 0, code, errOut)
	var c created
	require.NoError(t, json.Unmarshal([]byte(out), &c))
	return c
}

// TestCredentialsCreateOAuth1 (A8): --oauth1 [hmac-sha256|hmac-sha1] makes
// a credential whose secret is derived from <data>/oauth1.key, made on first
// need with mode 0600; the output keeps its two lines.
func TestCredentialsCreateOAuth1(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "oauth1.key")

	code, _, errOut := runCmd(t, env(), "credentials", "create", "--data", dir, "--name", "plain", "--scopes", "roster.readonly")
	require.Equal(t, 0, code, errOut)
	_, err := os.Stat(keyFile)
	require.ErrorIs(t, err, os.ErrNotExist, "no key file until OAuth 1.0a is needed")

	code, out, errOut := runCmd(t, env(), "credentials", "create", "--data", dir, "--name", "moodle", "--scopes", "roster.readonly", "--oauth1")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	key, secret := strings.TrimPrefix(lines[0], "key: "), strings.TrimPrefix(lines[1], "secret: ")

	fi, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	master, err := os.ReadFile(keyFile)
	require.NoError(t, err)
	require.Len(t, master, auth.OAuth1KeySize)
	assert.Equal(t, auth.DeriveOAuth1Secret(master, "default", key), secret)
	assert.NotContains(t, errOut, base64.StdEncoding.EncodeToString(master), "the key is never printed")

	for _, form := range [][]string{{"--oauth1", "hmac-sha1"}, {"--oauth1=HMAC-SHA1"}} {
		c := createJSON(t, env(), append([]string{"--data", dir, "--tenant", "camp-a", "--name", "longsight", "--scopes", "roster.readonly"}, form...)...)
		assert.Equal(t, auth.DeriveOAuth1Secret(master, "camp-a", c.Key), c.Secret, "%v", form)
	}

	code, out, _ = runCmd(t, env(), "credentials", "list", "--data", dir, "--tenant", "camp-a")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "OAUTH1")
	assert.Contains(t, out, "hmac-sha256,hmac-sha1")
	code, out, _ = runCmd(t, env(), "credentials", "list", "--data", dir)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "hmac-sha256\n")
	assert.Contains(t, out, "-\n", "the plain credential")
}

func TestCredentialsCreateOAuth1Env(t *testing.T) {
	t.Parallel()
	master, b64 := testKey()
	dir := t.TempDir()
	c := createJSON(t, env("PASSPORT_OAUTH1_KEY", b64), "--data", dir, "--name", "moodle", "--scopes", "roster.readonly", "--oauth1")
	assert.Equal(t, auth.DeriveOAuth1Secret(master, "default", c.Key), c.Secret)
	_, err := os.Stat(filepath.Join(dir, "oauth1.key"))
	require.ErrorIs(t, err, os.ErrNotExist, "the variable wins; no key file")
}

func TestCredentialsCreateOAuth1Mongo(t *testing.T) {
	t.Parallel()
	uri := mongotest.URI(t)
	code, out, errOut := runCmd(t, env(), "credentials", "create", "--store", "mongo", "--mongo-uri", uri, "--name", "m", "--scopes", "roster.readonly", "--oauth1")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "PASSPORT_OAUTH1_KEY")
	assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)

	master, b64 := testKey()
	c := createJSON(t, env("PASSPORT_OAUTH1_KEY", b64), "--store", "mongo", "--mongo-uri", uri, "--name", "m", "--scopes", "roster.readonly", "--oauth1", "hmac-sha1")
	assert.Equal(t, auth.DeriveOAuth1Secret(master, "default", c.Key), c.Secret)
}

func TestOAuth1UsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := []string{"credentials", "create", "--data", dir, "--name", "x", "--scopes", "roster.readonly"}
	pull := []string{"oneroster", "pull", "--data", dir, "--from", "https://sis.example/ims/oneroster/v1p1"}
	tests := []struct {
		name string
		args []string
		env  func(string) string
		want string
	}{
		{"unknown method", append(base, "--oauth1=plaintext"), env(), `--oauth1 "plaintext": want hmac-sha256 or hmac-sha1`},
		{"unknown hmac", append(base, "--oauth1", "hmac-md5"), env(), `--oauth1 "hmac-md5"`},
		{"not a method", append(base, "--oauth1", "sha1"), env(), `unexpected argument "sha1"`},
		{"bad key variable", append(base, "--oauth1"), env("PASSPORT_OAUTH1_KEY", "c2hvcnQ="), "PASSPORT_OAUTH1_KEY: want the base64 of 32 random bytes"},
		{"pull without secret", append(pull, "--client-id", "k", "--oauth1"), env(), "--oauth1 needs --client-id and --client-secret"},
		{"pull with a token", append(pull, "--token", "t", "--client-id", "k", "--client-secret", "s", "--oauth1"), env(), "--oauth1 needs"},
		{"pull unknown method", append(pull, "--client-id", "k", "--client-secret", "s", "--oauth1", "hmac-md5"), env(), `--oauth1 "hmac-md5"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCmd(t, tc.env, tc.args...)
			assert.Equal(t, 2, code, errOut)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.want)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		})
	}
}

// TestServeOAuth1 (A6, A10): serve makes the key file, a credential created
// while it runs signs a OneRoster 1.1 request, and `oneroster pull --oauth1`
// copies the roster into another tenant through it.
func TestServeOAuth1(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := startServe(t, env(), "--data", dir)
	_, err := os.Stat(filepath.Join(dir, "oauth1.key"))
	require.NoError(t, err, "serve makes the key file")

	code, _, errOut := runCmd(t, env(), "oneroster", "import", "--data", dir, "../../oneroster/csv/testdata/v11")
	require.Equal(t, 0, code, errOut)
	c := createJSON(t, env(), "--data", dir, "--name", "moodle", "--scopes", "roster.readonly", "--oauth1")

	req, err := http.NewRequest(http.MethodGet, base+"/ims/oneroster/v1p1/users?filter=familyName%3D%27Hassan%27&limit=1", nil)
	require.NoError(t, err)
	require.NoError(t, (&oauth1.Signer{ConsumerKey: c.Key, ConsumerSecret: c.Secret}).Sign(req))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Contains(t, string(body), `"familyName":"Hassan"`)
	assert.Equal(t, "2", resp.Header.Get("X-Total-Count"))

	// Replayed: the same signed request is refused.
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, resp.Header.Values("WWW-Authenticate"), `OAuth realm="passport"`)

	code, out, errOut := runCmd(t, env(), "oneroster", "pull", "--data", dir, "--tenant", "mirror", "--from", base+"/ims/oneroster/v1p1",
		"--client-id", c.Key, "--client-secret", c.Secret, "--oauth1", "--page-size", "1")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "users.csv")
}
