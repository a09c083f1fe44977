package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
	"github.com/passportbridge/passport/store/sqlite"
)

// seedData stores statements for two learners in the default tenant of
// the sqlite store under dir and returns their ids in stored order.
func seedData(t *testing.T, dir string) []uuid.UUID {
	t.Helper()
	s, err := sqlite.Open(t.Context(), dir, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close(context.Background())) }()
	var ids []uuid.UUID
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 6 {
		who := "mailto:other@camp.example"
		if i%2 == 0 {
			who = "mailto:victim@camp.example"
		}
		ms, err := lrs.ParseStatements(fmt.Appendf(nil, `{"actor":{"mbox":%q},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a/%d"}}`, who, i), lrs.V1, false)
		require.NoError(t, err)
		st, err := lrs.Prepare(ms[0], lrs.Prepared{Version: lrs.V1})
		require.NoError(t, err)
		require.NoError(t, s.SaveStatements(t.Context(), "default", base.Add(time.Duration(i)*time.Hour), []*lrs.Statement{st}, nil))
		ids = append(ids, st.ID)
	}
	require.NoError(t, s.PutDeadLetter(t.Context(), "default", "central", forward.DeadLetter{
		StatementID: ids[1], Stored: base.Add(time.Hour), Reason: "downstream answered 400: bad", At: base,
	}))
	return ids
}

func TestLRSExportEraseCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ids := seedData(t, dir)

	code, out, errOut := runCmd(t, env(), "lrs", "export", "--data", dir)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 6)
	for i, l := range lines {
		var st struct{ ID string }
		require.NoError(t, json.Unmarshal([]byte(l), &st))
		assert.Equal(t, ids[i].String(), st.ID, "ascending by stored")
	}
	code, out, errOut = runCmd(t, env(), "lrs", "export", "--data", dir, "--since", "2026-11-01T02:30:00Z", "--until", "2026-11-01T04:00:00Z")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 2, strings.Count(out, "\n"))
	file := filepath.Join(t.TempDir(), "out.jsonl")
	code, out, errOut = runCmd(t, env(), "lrs", "export", "--data", dir, "--out", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "exported 6 statements")
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); n++ {
		assert.True(t, json.Valid(sc.Bytes()))
	}
	assert.Equal(t, 6, n)

	agent := `{"mbox":"mailto:victim@camp.example"}`
	code, out, errOut = runCmd(t, env(), "lrs", "erase", "--data", dir, "--agent", agent, "--dry-run")
	require.Equal(t, 0, code, errOut)
	assert.JSONEq(t, `{"dry_run":true,"statements":3,"documents":0,"attachments":0}`, out)
	code, out, errOut = runCmd(t, env(), "lrs", "erase", "--data", dir, "--agent", agent)
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.InDelta(t, 3, res["statements"], 0)
	assert.NotEmpty(t, res["erasure_id"])
	code, out, _ = runCmd(t, env(), "lrs", "export", "--data", dir)
	require.Equal(t, 0, code)
	assert.Equal(t, 3, strings.Count(out, "\n"))
	assert.NotContains(t, out, "victim")

	usage := []struct {
		name string
		args []string
		want string
	}{
		{"erase without agent", []string{"lrs", "erase", "--data", dir}, "--agent is required"},
		{"erase with a bad agent", []string{"lrs", "erase", "--data", dir, "--agent", `{"name":"x"}`}, "--agent"},
		{"export bad since", []string{"lrs", "export", "--data", dir, "--since", "yesterday"}, `--since "yesterday"`},
		{"export argument", []string{"lrs", "export", "--data", dir, "extra"}, `unexpected argument "extra"`},
		{"forward without verb", []string{"lrs", "forward", "--data", dir}, `unknown command "lrs forward"`},
		{"forward bad verb", []string{"lrs", "forward", "push", "--data", dir}, `unknown command "lrs forward push"`},
		{"replay without rule", []string{"lrs", "forward", "replay", "--data", dir}, "replay needs --rule"},
		{"no rules configured", []string{"lrs", "forward", "status", "--data", dir}, "no forwarding rules in the config file"},
		{"replay bad since", []string{"lrs", "forward", "replay", "--rule", "x", "--since", "soon", "--data", dir}, `--since "soon"`},
	}
	for _, tc := range usage {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, env(), tc.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errOut, tc.want)
		})
	}
}

func TestLRSForwardCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ids := seedData(t, dir)
	cfg := filepath.Join(t.TempDir(), "passport.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("forwarding:\n  - id: central\n    url: https://central.example/xapi/\n    key: k\n    secret_env: CENTRAL_SECRET\n"), 0o600))
	common := []string{"--data", dir, "--config", cfg}
	cmd := func(args ...string) (int, string, string) {
		return runCmd(t, env(), append(append([]string{"lrs", "forward"}, args...), common...)...)
	}

	code, out, errOut := cmd("status")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "central")
	assert.Contains(t, out, "2026-11-01T00:00:00Z", "next pending is the first statement")

	code, out, errOut = cmd("status", "--rule", "central")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, ids[1].String(), "dead letters listed with their reason")
	assert.Contains(t, out, "downstream answered 400: bad")

	code, out, errOut = cmd("replay", "--rule", "central", "--dead-letters")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "1 dead letters queued")

	code, out, errOut = cmd("replay", "--rule", "central", "--since", "2026-11-01T03:30:00Z")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "rewound")
	code, out, errOut = cmd("status")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "2026-11-01T04:00:00Z", "next pending after the rewind")

	code, _, errOut = cmd("replay", "--rule", "nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `no forwarding rule "nope"`)
}

func TestForwardWorkers(t *testing.T) {
	t.Parallel()
	rule := func(id, secretEnv string) config.ForwardRule {
		return config.ForwardRule{
			ID: id, Tenant: "default", URL: "https://central.example/xapi/", Key: "k",
			SecretEnv: secretEnv, Version: "auto", Batch: 50, Poll: time.Minute,
		}
	}
	d := &deps{
		Config:     config.Config{Store: config.StoreSQLite},
		Logger:     slog.New(slog.DiscardHandler),
		Metrics:    prometheus.NewRegistry(),
		Clock:      time.Now,
		HTTPClient: func(l *slog.Logger) *retryablehttp.Client { return retryablehttp.NewClient() },
		Getenv:     env("PATH", "/usr/bin"),
	}
	assert.Empty(t, forwardWorkers(d), "no rules, no workers")

	d.File.Forwarding = []config.ForwardRule{rule("a", "PATH"), rule("b", "PATH")}
	ws := forwardWorkers(d)
	require.Len(t, ws, 2)
	assert.Equal(t, "forward a", ws[0].Name)
	assert.Equal(t, "forward b", ws[1].Name)

	d.File.Forwarding = []config.ForwardRule{rule("a", "PASSPORT_TEST_UNSET_SECRET_VARIABLE")}
	ws = forwardWorkers(d)
	require.Len(t, ws, 1)
	err := ws[0].Run(t.Context())
	require.ErrorContains(t, err, "secret is empty", "a rule that cannot start fails its worker, loudly")

	d.File.Forwarding = []config.ForwardRule{rule("a", "PATH"), rule("a", "PATH")}
	require.ErrorContains(t, forwardWorkers(d)[0].Run(t.Context()), "id used twice")
	require.ErrorContains(t, forwardCheck(d), "id used twice")
	d.File.Forwarding = d.File.Forwarding[:1]
	require.NoError(t, forwardCheck(d))
}
