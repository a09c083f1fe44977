package sqlite

import (
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkWrite measures durable single-row writes through the group-commit
// writer at several levels of concurrency (goroutines = parallelism × GOMAXPROCS).
//
//	go test ./store/sqlite -run '^$' -bench BenchmarkWrite -benchtime 2000x
func BenchmarkWrite(b *testing.B) {
	for _, p := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("parallelism=%d", p), func(b *testing.B) {
			s := openTest(b, "")
			if err := s.write(b.Context(), func(tx *sql.Tx) error {
				_, err := tx.Exec("CREATE TABLE bench (k INTEGER PRIMARY KEY, v BLOB NOT NULL)")
				return err
			}); err != nil {
				b.Fatal(err)
			}
			payload := make([]byte, 256)
			var next atomic.Int64
			before := s.WriteStats()
			b.SetParallelism(p)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					k := next.Add(1)
					if err := s.write(b.Context(), func(tx *sql.Tx) error {
						_, err := tx.Exec("INSERT INTO bench (k, v) VALUES (?, ?)", k, payload)
						return err
					}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
			after := s.WriteStats()
			if n := after.Batches - before.Batches; n > 0 {
				b.ReportMetric(float64(after.Writes-before.Writes)/float64(n), "writes/commit")
			}
		})
	}
}

// BenchmarkWriteUngrouped is the baseline BenchmarkWrite improves on: one
// transaction (and one fsync) per write on the same single connection.
func BenchmarkWriteUngrouped(b *testing.B) {
	s := openTest(b, "")
	if _, err := s.wdb.ExecContext(b.Context(), "CREATE TABLE bench (k INTEGER PRIMARY KEY, v BLOB NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	payload := make([]byte, 256)
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tx, err := s.wdb.BeginTx(b.Context(), nil)
			if err == nil {
				_, err = tx.Exec("INSERT INTO bench (k, v) VALUES (?, ?)", next.Add(1), payload)
				if err == nil {
					err = tx.Commit()
				} else {
					_ = tx.Rollback()
				}
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}
