package lrsbench_test

import (
	"encoding/json"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/lrsbench"
	"github.com/passportbridge/passport/store/sqlite"
)

// BenchmarkStoreSave measures the sqlite store alone on the load of
// TestLoad: 8 goroutines save prepared batches of 50 statements (b.N
// batches in all), so the figure is the writer's ceiling without HTTP.
//
//	go test ./lrs/lrsbench -run '^$' -bench StoreSave -benchtime 400x
func BenchmarkStoreSave(b *testing.B) {
	s, err := sqlite.Open(b.Context(), b.TempDir(), slog.New(slog.DiscardHandler))
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close(b.Context()) })
	auth := map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": "http://127.0.0.1/xapi/credentials", "name": "bench"}}
	const clients, batch = 8, 50
	batches := make([][]*lrs.Statement, b.N)
	g := lrsbench.NewGenerator(3)
	for i := range batches {
		for range batch {
			raw, _ := json.Marshal(g.Statement())
			ms, err := lrs.ParseStatements(raw, lrs.V1, false)
			require.NoError(b, err)
			st, err := lrs.Prepare(ms[0], lrs.Prepared{Authority: auth, Version: lrs.V1})
			require.NoError(b, err)
			batches[i] = append(batches[i], st)
		}
	}
	b.ReportAllocs()
	cpu0, w0 := cpuTime(), writtenBytes()
	b.ResetTimer()
	var wg sync.WaitGroup
	next := make(chan []*lrs.Statement)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ss := range next {
				if err := s.SaveStatements(b.Context(), "bench", time.Now(), ss, nil); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for _, ss := range batches {
		next <- ss
	}
	close(next)
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "statements/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*batch), "cpu-µs/statement")
	b.ReportMetric(float64(writtenBytes()-w0)/float64(b.N*batch), "written-B/statement")
	ws := s.WriteStats()
	b.ReportMetric(float64(ws.Writes)/float64(max(ws.Batches, 1)), "requests/commit")
}

// writtenBytes is what the process has passed to write calls so far (wchar
// in /proc/self/io; 0 where that file does not exist): the WAL frames and
// checkpoint copies the store writes.
func writtenBytes() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBatch measures the load generator's cost of one request body.
func BenchmarkBatch(b *testing.B) {
	g := lrsbench.NewGenerator(1)
	b.ReportAllocs()
	for b.Loop() {
		_ = g.Batch(50)
	}
}
