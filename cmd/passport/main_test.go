package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/store/mongo/mongotest"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

// env builds a getenv from pairs.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func runCmd(t *testing.T, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, getenv, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	badConfig := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(badConfig, []byte("connectors:\n  - id: x\n    tpye: moodle\n"), 0o600))
	badConnector := filepath.Join(dir, "bad-connector.yaml")
	require.NoError(t, os.WriteFile(badConnector, []byte("connectors:\n  - id: m1\n    type: moodle\n    tenant: default\n    config: {url: 'https://moodle.example.org', token: t, colour: blue}\n"), 0o600))
	tests := []struct {
		name string
		args []string
		env  func(string) string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, env(), `unknown command "frobnicate"`},
		{"unknown flag", []string{"serve", "--nope"}, env(), "flag provided but not defined: -nope"},
		{"bad variable", []string{"serve"}, env("PASSPORT_STORE", "postgres"), `PASSPORT_STORE "postgres": want sqlite or mongo`},
		{"bad config file key", []string{"serve", "--config", badConfig}, env(), "tpye"},
		{"bad connector block", []string{"serve", "--data", dir, "--config", badConnector}, env(), "colour"},
		{"bad tombstone retention", []string{"serve", "--data", dir}, env("PASSPORT_ONEROSTER_TOMBSTONE_RETENTION", "forever"), "PASSPORT_ONEROSTER_TOMBSTONE_RETENTION"},
		{"missing config file", []string{"serve", "--config", filepath.Join(dir, "nope.yaml")}, env(), "no such file"},
		{"credentials without name", []string{"credentials", "create", "--data", dir, "--scopes", "all"}, env(), "--name is required"},
		{"credentials unknown scope", []string{"credentials", "create", "--data", dir, "--name", "x", "--scopes", "everything"}, env(), `unknown scope "everything"`},
		{"credentials bad tenant", []string{"credentials", "create", "--data", dir, "--name", "x", "--scopes", "all", "--tenant", "a b"}, env(), "--tenant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCmd(t, tc.env, tc.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.want)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := runCmd(t, env(), "help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "credentials create")
	code, out, _ = runCmd(t, env(), "version")
	assert.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "passport "))
}

func TestCredentialsCreate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errOut := runCmd(t, env("PASSPORT_DATA", dir), "credentials", "create", "--name", "moodle", "--scopes", "statements/write,https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	assert.True(t, strings.HasPrefix(lines[0], "key: pk_"))
	assert.True(t, strings.HasPrefix(lines[1], "secret: "))

	code, out, errOut = runCmd(t, env(), "credentials", "create", "--data", dir, "--tenant", "camp-b", "--name", "x", "--scopes", "all", "--json")
	require.Equal(t, 0, code, errOut)
	var j struct {
		Key, Secret, Tenant string
		Scopes              []string
	}
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	assert.Equal(t, "camp-b", j.Tenant)
	assert.Equal(t, []string{"all"}, j.Scopes)

	code, out, _ = runCmd(t, env(), "credentials", "list", "--data", dir)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "statements/write,roster.readonly")
	assert.NotContains(t, out, j.Key, "tenant camp-b's credential is not listed under default")
	assert.NotContains(t, out, "secret")
}

// startServe runs `passport serve` in-process on a free port and returns its
// base URL; the server stops when the test ends, and the test checks it
// exits cleanly.
func startServe(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var code int
	var logs bytes.Buffer
	wg.Go(func() {
		code = run(ctx, append([]string{"serve", "--listen", addr}, args...), getenv, io.Discard, &logs)
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		assert.Equal(t, 0, code, logs.String())
	})
	base := "http://" + addr
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond)
	return base
}

func basicAuth(key, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"+secret))
}

func call(t *testing.T, method, url, authz string, body io.Reader, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func createCred(t *testing.T, storeArgs []string, tenant, scopes string) (string, string) {
	t.Helper()
	args := append([]string{"credentials", "create"}, storeArgs...)
	code, out, errOut := runCmd(t, env(), append(args, "--tenant", tenant, "--name", tenant+"-client", "--scopes", scopes, "--json")...)
	require.Equal(t, 0, code, errOut)
	var j struct{ Key, Secret string }
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	return j.Key, j.Secret
}

// storeFlags gives the flags that point a command at a fresh store of kind.
func storeFlags(t *testing.T, kind string) []string {
	t.Helper()
	if kind == "mongo" {
		return []string{"--store", "mongo", "--mongo-uri", mongotest.URI(t)}
	}
	return []string{"--data", t.TempDir()}
}

func TestServeAuth(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "mongo"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			testServeAuth(t, storeFlags(t, kind))
		})
	}
}

func testServeAuth(t *testing.T, storeArgs []string) {
	const bootKey, bootSecret = "bootstrap-key", "bootstrap-secret-0123456789"
	base := startServe(t, env("PASSPORT_BOOTSTRAP_KEY", bootKey, "PASSPORT_BOOTSTRAP_SECRET", bootSecret), storeArgs...)

	// Credentials created while serve runs, in two tenants.
	aKey, aSecret := createCred(t, storeArgs, "camp-a", "admin,roster.readonly")
	bKey, bSecret := createCred(t, storeArgs, "camp-b", "admin")
	readerKey, readerSecret := createCred(t, storeArgs, "camp-a", "statements/read")

	t.Run("unauthenticated and malformed get 401 with a challenge", func(t *testing.T) {
		for _, authz := range []string{"", "Basic", "Basic !!!notbase64", "Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon")), "Bearer", "Bearer nope", "Digest x", basicAuth(aKey, "wrong"), basicAuth("pk_unknown", aSecret)} {
			code, h, body := call(t, "GET", base+"/admin/credentials", authz, nil)
			assert.Equal(t, http.StatusUnauthorized, code, "authorization %q", authz)
			assert.NotEmpty(t, h.Values("WWW-Authenticate"))
			assert.NotContains(t, body, aKey)
		}
	})
	t.Run("missing scope gets 403", func(t *testing.T) {
		code, _, _ := call(t, "GET", base+"/admin/credentials", basicAuth(readerKey, readerSecret), nil)
		assert.Equal(t, http.StatusForbidden, code)
	})
	t.Run("bootstrap credential works in default tenant", func(t *testing.T) {
		code, _, body := call(t, "GET", base+"/admin/credentials", basicAuth(bootKey, bootSecret), nil)
		require.Equal(t, http.StatusOK, code)
		assert.Contains(t, body, bootKey)
		assert.NotContains(t, body, aKey)
	})
	t.Run("a tenant sees and touches only its own credentials", func(t *testing.T) {
		code, _, body := call(t, "GET", base+"/admin/credentials", basicAuth(aKey, aSecret), nil)
		require.Equal(t, http.StatusOK, code)
		assert.Contains(t, body, aKey)
		assert.Contains(t, body, readerKey)
		assert.NotContains(t, body, bKey)
		assert.NotContains(t, body, bootKey)

		code, _, _ = call(t, "POST", base+"/admin/credentials/"+bKey+"/disable", basicAuth(aKey, aSecret), nil)
		assert.Equal(t, http.StatusNotFound, code, "camp-a cannot disable camp-b's credential")
		code, _, _ = call(t, "GET", base+"/admin/credentials", basicAuth(bKey, bSecret), nil)
		assert.Equal(t, http.StatusOK, code, "camp-b's credential still works")
	})
	t.Run("token endpoint", func(t *testing.T) {
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"https://purl.imsglobal.org/spec/or/v1p1/scope/roster.readonly"}}
		code, h, body := call(t, "POST", base+"/oauth/token", basicAuth(aKey, aSecret), strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
		require.Equal(t, http.StatusOK, code, body)
		assert.Equal(t, "no-store", h.Get("Cache-Control"))
		var tok struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
			ExpiresIn   int    `json:"expires_in"`
			Scope       string `json:"scope"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &tok))
		assert.Equal(t, "Bearer", tok.TokenType)
		assert.InDelta(t, 3600, tok.ExpiresIn, 5)
		assert.Equal(t, "https://purl.imsglobal.org/spec/or/v1p1/scope/roster.readonly", tok.Scope)

		// The token carries only the scope asked for: admin is refused.
		code, _, _ = call(t, "GET", base+"/admin/credentials", "Bearer "+tok.AccessToken, nil)
		assert.Equal(t, http.StatusForbidden, code)

		// client_secret_post with all scopes, then used on the admin API.
		form = url.Values{"grant_type": {"client_credentials"}, "client_id": {aKey}, "client_secret": {aSecret}}
		code, _, body = call(t, "POST", base+"/oauth/token", "", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
		require.Equal(t, http.StatusOK, code, body)
		require.NoError(t, json.Unmarshal([]byte(body), &tok))
		code, _, body = call(t, "GET", base+"/admin/credentials", "Bearer "+tok.AccessToken, nil)
		assert.Equal(t, http.StatusOK, code)
		assert.NotContains(t, body, bKey)
	})
	t.Run("token endpoint errors", func(t *testing.T) {
		formCT := []string{"Content-Type", "application/x-www-form-urlencoded"}
		tests := []struct {
			name, authz, form string
			header            []string
			status            int
			code              string
		}{
			{"wrong secret", basicAuth(aKey, "wrong"), "grant_type=client_credentials", formCT, 401, "invalid_client"},
			{"no client", "", "grant_type=client_credentials", formCT, 401, "invalid_client"},
			{"wrong grant", basicAuth(aKey, aSecret), "grant_type=password", formCT, 400, "unsupported_grant_type"},
			{"no grant", basicAuth(aKey, aSecret), "", formCT, 400, "invalid_request"},
			{"scope not held", basicAuth(aKey, aSecret), "grant_type=client_credentials&scope=gradebook.delete", formCT, 400, "invalid_scope"},
			{"unknown scope", basicAuth(aKey, aSecret), "grant_type=client_credentials&scope=root", formCT, 400, "invalid_scope"},
			{"json body", basicAuth(aKey, aSecret), `{"grant_type":"client_credentials"}`, []string{"Content-Type", "application/json"}, 400, "invalid_request"},
		}
		for _, tc := range tests {
			code, _, body := call(t, "POST", base+"/oauth/token", tc.authz, strings.NewReader(tc.form), tc.header...)
			assert.Equal(t, tc.status, code, tc.name)
			assert.Contains(t, body, fmt.Sprintf(`"error":%q`, tc.code), tc.name)
		}
	})
	t.Run("request over the body limit gets 413", func(t *testing.T) {
		// A raw connection: the server answers from the declared length,
		// before the body is sent.
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		require.NoError(t, err)
		defer conn.Close()
		_, err = fmt.Fprintf(conn, "POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", 17<<20)
		require.NoError(t, err)
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		line, err := bufio.NewReader(conn).ReadString('\n')
		require.NoError(t, err)
		assert.Contains(t, line, "413")
	})
}

func TestServeRefusesBadBootstrap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, _, _ := runCmd(t, env(), "credentials", "create", "--data", dir, "--name", "x", "--scopes", "all")
	require.Equal(t, 0, code)
	// The same key as an existing credential but another secret: refused.
	_, out, _ := runCmd(t, env(), "credentials", "list", "--data", dir)
	key := strings.Fields(strings.Split(out, "\n")[1])[0]
	code, _, errOut := runCmd(t, env("PASSPORT_DATA", dir, "PASSPORT_BOOTSTRAP_KEY", key, "PASSPORT_BOOTSTRAP_SECRET", "another-secret-0123456789"), "serve", "--listen", "127.0.0.1:0")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "bootstrap credential")
	assert.NotContains(t, errOut, "another-secret")
}

// TestReadyzFollowsTheStore runs serve on a MongoDB-wire server that then
// goes away: /readyz turns 503 with a log line, /healthz keeps answering.
func TestReadyzFollowsTheStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	ctx, stopDB := context.WithCancel(context.Background())
	dbDone := make(chan struct{})
	go func() { defer close(dbDone); _ = f.Run(ctx) }()
	defer func() { stopDB(); <-dbDone }()

	uri := strings.TrimSuffix(f.MongoDBURI(), "/") + "/readyz_test?serverSelectionTimeoutMS=500&connectTimeoutMS=500"
	base := startServe(t, env(), "--store", "mongo", "--mongo-uri", uri)
	stopDB()
	<-dbDone
	require.Eventually(t, func() bool {
		code, _, _ := call(t, "GET", base+"/readyz", "", nil)
		return code == http.StatusServiceUnavailable
	}, 15*time.Second, 100*time.Millisecond)
	code, _, _ := call(t, "GET", base+"/healthz", "", nil)
	assert.Equal(t, http.StatusOK, code)
}

func TestBackupWhileServing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := startServe(t, env("PASSPORT_DATA", dir))
	key, _ := createCred(t, []string{"--data", dir}, "camp-a", "admin")
	dst := filepath.Join(t.TempDir(), "copy.db")

	code, out, errOut := runCmd(t, env("PASSPORT_DATA", dir), "backup", dst)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "backup written to")
	code, _, errOut = runCmd(t, env("PASSPORT_DATA", dir), "backup", dst)
	assert.Equal(t, 1, code, "an existing file is never overwritten")
	assert.Contains(t, errOut, "exists")

	// The copy is a working store: it holds the credential.
	restored := t.TempDir()
	raw, err := os.ReadFile(dst)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(restored, "passport.db"), raw, 0o600))
	_, out, _ = runCmd(t, env(), "credentials", "list", "--data", restored, "--tenant", "camp-a")
	assert.Contains(t, out, key)

	_, _, body := call(t, "GET", base+"/metrics", "", nil)
	assert.Contains(t, body, "passport_store_commits_total")
}
