package lrsbench_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/lrsbench"
	"github.com/passportbridge/passport/lrs/lrshttp"
	"github.com/passportbridge/passport/store/sqlite"
)

// serve starts the LRS on a loopback port over a sqlite store in dir.
func serve(t *testing.T, dir string) (string, lrsbench.Config, *sqlite.Store) {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	s, err := sqlite.Open(t.Context(), dir, logger)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	a := auth.NewAuthenticator(s, time.Now)
	cred, err := a.CreateCredential(t.Context(), "bench", "bench", []string{"all"})
	require.NoError(t, err)
	cfg := config.Config{BodyLimit: 16 << 20, PublicURL: "http://127.0.0.1", ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: time.Minute, ShutdownTimeout: 5 * time.Second}
	srv := server.New(server.Options{Config: cfg, Logger: logger, Mounts: []server.Mounter{&lrshttp.Handler{
		Store: s, Auth: a, Logger: logger, Clock: time.Now, PublicURL: cfg.PublicURL, BodyLimit: cfg.BodyLimit,
	}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	url := "http://" + ln.Addr().String()
	return url, lrsbench.Config{URL: url, Key: cred.Key, Secret: cred.Secret}, s
}

// TestBenchSmoke runs a tiny load so the generator and the query mix stay
// valid against the real server.
func TestBenchSmoke(t *testing.T) {
	_, cfg, _ := serve(t, t.TempDir())
	cfg.Clients, cfg.Batch, cfg.Duration, cfg.MaxStatements, cfg.Queries, cfg.Seed = 2, 50, 20*time.Second, 200, 2, 1
	rep, err := lrsbench.Run(t.Context(), cfg)
	require.NoError(t, err)
	assert.Zero(t, rep.Errors)
	assert.GreaterOrEqual(t, rep.Statements, 200)
	assert.GreaterOrEqual(t, rep.QueryCount, 2*6, "every typical query ran")
}

func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

// TestLoad is the benchmark of docs/performance.md. It runs only with
// PASSPORT_LRS_BENCH=1: 8 clients post batches of 50 for
// PASSPORT_LRS_BENCH_SECONDS (default 20), then the typical queries run;
// with PASSPORT_LRS_BENCH_PRELOAD=N the store is first filled with N
// statements directly, to time queries at that size.
func TestLoad(t *testing.T) {
	if os.Getenv("PASSPORT_LRS_BENCH") != "1" {
		t.Skip("set PASSPORT_LRS_BENCH=1 to run the load benchmark")
	}
	dir := os.Getenv("PASSPORT_LRS_BENCH_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	_, cfg, s := serve(t, dir)
	secs, _ := strconv.Atoi(os.Getenv("PASSPORT_LRS_BENCH_SECONDS"))
	if secs == 0 {
		secs = 20
	}
	if n, _ := strconv.Atoi(os.Getenv("PASSPORT_LRS_BENCH_PRELOAD")); n > 0 {
		preload(t, s, n)
	}
	cfg.Clients, cfg.Batch, cfg.Duration, cfg.Queries, cfg.Seed = 8, 50, time.Duration(secs)*time.Second, 50, 42
	rep, err := lrsbench.Run(t.Context(), cfg)
	require.NoError(t, err)
	runtime.GC()
	t.Logf("GOMAXPROCS=%d %s; peak RSS (server and clients in one process) %.0f MiB", runtime.GOMAXPROCS(0), rep, rssMiB())
}

// preload fills the store with n generated statements straight through the
// store, in batches of 500.
func preload(t *testing.T, s *sqlite.Store, n int) {
	g := lrsbench.NewGenerator(7)
	auth := map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": "http://127.0.0.1/xapi/credentials", "name": "bench"}}
	start := time.Now()
	for done := 0; done < n; {
		k := min(500, n-done)
		var ss []*lrs.Statement
		for range k {
			b, _ := json.Marshal(g.Statement())
			ms, err := lrs.ParseStatements(b, lrs.V1, false)
			require.NoError(t, err)
			st, err := lrs.Prepare(ms[0], lrs.Prepared{Authority: auth, Version: lrs.V1})
			require.NoError(t, err)
			ss = append(ss, st)
		}
		require.NoError(t, s.SaveStatements(t.Context(), "bench", time.Now(), ss, nil))
		done += k
		if done%100000 == 0 {
			t.Logf("preloaded %d statements in %s", done, time.Since(start).Round(time.Second))
		}
	}
}
