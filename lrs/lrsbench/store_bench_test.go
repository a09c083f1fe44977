package lrsbench_test

import (
	"encoding/json"
	"log/slog"
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
	cpu0 := cpuTime()
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
