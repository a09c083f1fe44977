package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/kolibri"
	"github.com/passportbridge/passport/connectors/moodle/moodlefake"
	"github.com/passportbridge/passport/connectors/openemis/openemisfake"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/store/sqlite"
)

type syncEnv struct {
	data, config, export string
	moodle               *moodlefake.Server
}

func newSyncEnv(t *testing.T, moodleToken string) syncEnv {
	t.Helper()
	dir := t.TempDir()
	m := moodlefake.New()
	ms := httptest.NewServer(m)
	t.Cleanup(ms.Close)
	e := openemisfake.New()
	openemisfake.Seed(e)
	es := httptest.NewServer(e)
	t.Cleanup(es.Close)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	tok := write("moodle.token", moodleToken)
	pw := write("emis.pw", openemisfake.Password)
	key := write("emis.key", openemisfake.APIKey)
	cfg := write("passport.yaml", fmt.Sprintf(`connectors:
  - id: emis
    type: openemis
    config:
      url: %s
      username: %s
      password_file: %s
      api_key_file: %s
      institutions: [1]
  - id: moodle
    type: moodle
    schedule: 15m
    config:
      url: %s
      token_file: %s
      role_map: {student: 5, teacher: 3}
  - id: camp-kolibri
    type: kolibri
    config: {}
`, es.URL, openemisfake.Username, pw, key, ms.URL, tok))
	return syncEnv{data: filepath.Join(dir, "data"), config: cfg, export: filepath.Join(dir, "export"), moodle: m}
}

func (e syncEnv) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCmd(t, env(), append(args, "--data", e.data, "--config", e.config)...)
}

func TestSyncEndToEnd(t *testing.T) {
	t.Parallel()
	e := newSyncEnv(t, moodlefake.Token)

	// Pull the ministry roster into the tenant, through the OneRoster pipeline.
	code, out, errOut := e.run(t, "sync", "--connector", "emis")
	require.Equal(t, 0, code, "stdout %s stderr %s", out, errOut)
	assert.Contains(t, out, "emis pull [openemis, tenant default]: succeeded  created=13")

	// A dry run reads Moodle and writes nothing.
	code, out, _ = e.run(t, "sync", "--connector", "moodle", "--dry-run")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "(dry run): succeeded")
	assert.Zero(t, e.moodle.Writes())

	// Push it to Moodle.
	code, out, errOut = e.run(t, "sync", "--connector", "moodle")
	require.Equal(t, 0, code, "stdout %s stderr %s", out, errOut)
	assert.Contains(t, out, "moodle push [moodle, tenant default]: succeeded")
	u, ok := e.moodle.UserByIDNumber("openemis-1520000100")
	require.True(t, ok)
	assert.Equal(t, "Amina", u.Firstname)
	roles, ok := e.moodle.Enrolment("openemis-class-50", "openemis-1520000200")
	require.True(t, ok)
	assert.Equal(t, []int{3}, roles)

	// Nothing changed: the next run makes no write call.
	writes := e.moodle.Writes()
	code, out, _ = e.run(t, "sync", "--connector", "moodle")
	require.Equal(t, 0, code, out)
	assert.Equal(t, writes, e.moodle.Writes())

	// Run reports are kept and readable.
	code, out, _ = e.run(t, "sync", "runs", "--json")
	require.Equal(t, 0, code)
	var runs []connectors.Run
	require.NoError(t, json.Unmarshal([]byte(out), &runs))
	require.Len(t, runs, 5, "pull, push, progress, push, progress (dry runs are not recorded)")
	assert.Equal(t, "moodle", runs[0].Connector)

	// The offline Kolibri export of the same roster.
	code, out, errOut = e.run(t, "sync", "--connector", "camp-kolibri", "--export", e.export)
	require.Equal(t, 0, code, "stdout %s stderr %s", out, errOut)
	b, err := os.ReadFile(filepath.Join(e.export, "bulkimportusers-openemis-inst-1.csv"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), strings.Join(kolibri.BulkImportHeader, ",")))
	assert.Contains(t, string(b), ",1520000100,*,Amina Hassan,LEARNER,openemis-1520000100,2015,FEMALE,4 Blue,")
}

func TestSyncWrongTokenFailsBeforeWrites(t *testing.T) {
	t.Parallel()
	e := newSyncEnv(t, "not-the-token")
	code, out, _ := e.run(t, "sync", "--connector", "moodle")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "moodle push [moodle, tenant default]: failed")
	assert.Contains(t, out, "error: check: moodle core_webservice_get_site_info: invalidtoken")
	assert.Zero(t, e.moodle.Writes())
}

func TestSyncUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	badKey := write("bad-key.yaml", "connectors:\n  - id: m\n    type: moodle\n    config: {url: 'https://m.example', token_file: /x, rolemap: {}}\n")
	badType := write("bad-type.yaml", "connectors:\n  - id: m\n    type: canvas\n")
	badTenant := write("bad-tenant.yaml", "connectors:\n  - id: m\n    type: moodle\n    tenant: 'a b'\n    config: {url: 'https://m.example', token_file: /x}\n")
	good := write("good.yaml", "connectors:\n  - id: m\n    type: moodle\n    config: {url: 'https://m.example', token_file: "+write("t", "tok")+"}\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown config key", []string{"sync", "--config", badKey}, `connectors[0] (m): config: unknown key "rolemap"`},
		{"unknown type", []string{"sync", "--config", badType}, `type: unknown connector type "canvas"`},
		{"bad tenant", []string{"sync", "--config", badTenant}, `connectors[0] (m): tenant: "a b"`},
		{"unknown connector", []string{"sync", "--config", good, "--connector", "nope"}, `--connector "nope": no such connector`},
		{"export without connector", []string{"sync", "--config", good, "--export", dir}, "--export needs --connector"},
		{"export unsupported", []string{"sync", "--config", good, "--connector", "m", "--export", dir}, "has no offline export"},
		{"no connectors", []string{"sync"}, "no connectors configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCmd(t, env(), append(tc.args, "--data", filepath.Join(t.TempDir(), "d"))...)
			assert.Equal(t, 2, code, out)
			assert.Contains(t, errOut, tc.want)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		})
	}
}

func TestSyncWorkersAndCheck(t *testing.T) {
	t.Parallel()
	e := newSyncEnv(t, moodlefake.Token)
	d := &deps{
		Logger: slog.New(slog.DiscardHandler), Metrics: prometheus.NewRegistry(), Clock: time.Now,
		HTTPClient: func(*slog.Logger) *retryablehttp.Client { return retryablehttp.NewClient() },
	}
	assert.Nil(t, syncWorkers(d), "no connectors, no scheduler")

	f, err := config.LoadFile(e.config)
	require.NoError(t, err)
	d.File = f
	require.NoError(t, syncCheck(d))
	ws := syncWorkers(d)
	require.Len(t, ws, 1)
	assert.Equal(t, "connector-scheduler", ws[0].Name)

	d.File.Connectors[1].Config["tokn"] = "x"
	err = syncCheck(d)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown key "tokn"`)
	ws = syncWorkers(d)
	require.Len(t, ws, 1)
	require.Error(t, ws[0].Run(t.Context()), "a bad config stops the scheduler with the reason")
}

func TestSyncAllSkipsOfflineKolibri(t *testing.T) {
	t.Parallel()
	e := newSyncEnv(t, moodlefake.Token)
	code, out, errOut := e.run(t, "sync")
	require.Equal(t, 0, code, "stdout %s stderr %s", out, errOut)
	assert.Contains(t, out, "emis pull")
	assert.Contains(t, out, "moodle push")
	assert.NotContains(t, out, "camp-kolibri", "an offline facility only exports")
}

func TestSyncCreatesTheConnectorTenant(t *testing.T) {
	t.Parallel()
	e := newSyncEnv(t, moodlefake.Token)
	b, err := os.ReadFile(e.config)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(e.config, []byte(strings.Replace(string(b), "    type: openemis\n", "    type: openemis\n    tenant: camp-kakuma\n", 1)), 0o600))
	code, out, errOut := e.run(t, "sync", "--connector", "emis")
	require.Equal(t, 0, code, "stdout %s stderr %s", out, errOut)
	assert.Contains(t, out, "tenant camp-kakuma")
	code, out, _ = e.run(t, "sync", "runs", "--tenant", "camp-kakuma", "--json")
	require.Equal(t, 0, code)
	assert.Contains(t, out, `"connector":"emis"`)

	st, err := sqlite.Open(t.Context(), e.data, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer func() { require.NoError(t, st.Close(context.Background())) }()
	_, err = st.Tenant(t.Context(), "camp-kakuma")
	require.NoError(t, err, "the tenant exists")
}

func TestSyncCheck(t *testing.T) {
	t.Parallel()
	e := newSyncEnv(t, "bad-token")
	code, out, _ := e.run(t, "sync", "--check")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "emis [openemis]: ok\n")
	assert.Contains(t, out, "moodle [moodle]: failed: moodle core_webservice_get_site_info: invalidtoken")
	assert.Contains(t, out, "camp-kolibri [kolibri]: failed: kolibri: no url configured")
	assert.Zero(t, e.moodle.Writes())
}
