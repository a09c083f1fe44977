package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/passportbridge/passport/store/sqlite"
)

// backuper is a store that can write a consistent copy of itself while it
// serves (the sqlite store does; a MongoDB deployment has its own tools).
type backuper interface {
	Backup(ctx context.Context, dst string) error
}

func backupCommand() command {
	return command{
		Summary:    "write a consistent copy of the sqlite store while serve runs: passport backup FILE",
		NeedsStore: true,
		Check: func(args []string) error {
			if len(args) != 1 {
				return errors.New("want exactly one destination FILE (it must not exist)")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, args []string) int {
			b, ok := d.Store.(backuper)
			if !ok {
				fmt.Fprintf(d.Stderr, "passport backup: the %s store has no online backup; use the database's own tools\n", d.Config.Store)
				return 1
			}
			start := time.Now()
			if err := b.Backup(ctx, args[0]); err != nil {
				fmt.Fprintf(d.Stderr, "passport backup: %v\n", err)
				return 1
			}
			fmt.Fprintf(d.Stdout, "backup written to %s in %s\n", args[0], time.Since(start).Round(time.Millisecond))
			return 0
		},
	}
}

// registerStoreMetrics exposes the sqlite writer's group-commit counters.
func registerStoreMetrics(reg prometheus.Registerer, s any) {
	ws, ok := s.(interface{ WriteStats() sqlite.WriteStats })
	if !ok {
		return
	}
	counter := func(name, help string, v func(sqlite.WriteStats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 {
			return float64(v(ws.WriteStats()))
		})
	}
	reg.MustRegister(
		counter("passport_store_writes_total", "Write requests committed by the sqlite writer.", func(s sqlite.WriteStats) uint64 { return s.Writes }),
		counter("passport_store_write_failures_total", "Write requests answered with an error.", func(s sqlite.WriteStats) uint64 { return s.Failed }),
		counter("passport_store_commits_total", "Group commits (transactions) by the sqlite writer.", func(s sqlite.WriteStats) uint64 { return s.Batches }),
	)
}
