package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/passportbridge/passport/internal/adminhttp"
	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/server"
)

// tokenSweepEvery is how often expired bearer tokens are deleted.
const tokenSweepEvery = 10 * time.Minute

func serveCommand() command {
	return command{
		Summary:    "run the LRS, LTI tool, OneRoster provider, token endpoint, health and metrics on one listener",
		NeedsStore: true,
		Run:        serve,
	}
}

func serve(ctx context.Context, d *deps, _ []string) int {
	log := d.Logger
	if err := d.Auth.EnsureTenant(ctx, auth.DefaultTenant); err != nil {
		log.Error("create default tenant", "err", err)
		return 1
	}
	if d.Config.BootstrapKey != "" {
		if err := d.Auth.EnsureBootstrap(ctx, d.Config.BootstrapKey, d.Config.BootstrapSecret); err != nil {
			log.Error("bootstrap credential", "err", err)
			return 1
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerStoreMetrics(reg, d.Store)
	d.Metrics = reg

	ln, err := net.Listen("tcp", d.Config.Listen)
	if err != nil {
		log.Error("listen", "addr", d.Config.Listen, "err", err)
		return 1
	}
	core := []server.Mounter{
		&httpauth.TokenHandler{Auth: d.Auth, Now: d.Clock},
		&adminhttp.Handler{Auth: d.Auth, Store: d.Store},
	}
	all := append(core, mounts(d)...)
	srv := server.New(server.Options{
		Config:   d.Config,
		Logger:   log,
		Ready:    d.Store.Ping,
		Registry: reg,
		Mounts:   all,
	})

	wctx, stopWorkers := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, w := range append(workers(d), worker{Name: "token-sweep", Run: func(ctx context.Context) error {
		return every(ctx, tokenSweepEvery, func() {
			if _, err := d.Store.DeleteExpiredTokens(ctx, d.Clock()); err != nil && ctx.Err() == nil {
				log.Warn("sweep expired tokens", "err", err)
			}
		})
	}}) {
		wg.Go(func() {
			if err := w.Run(wctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("worker stopped", "worker", w.Name, "err", err)
			}
		})
	}

	log.Info("serving", "listen", ln.Addr().String(), "public_url", d.Config.PublicURL, "store", d.Config.Store)
	err = srv.Serve(ctx, ln)
	stopWorkers()
	wg.Wait()
	if err != nil {
		log.Error("server stopped", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// every runs fn every period until ctx ends.
func every(ctx context.Context, period time.Duration, fn func()) error {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			fn()
		}
	}
}

func versionCommand() command {
	return command{
		Summary: "print version and build information",
		Run: func(_ context.Context, d *deps, _ []string) int {
			fmt.Fprintln(d.Stdout, versionString())
			return 0
		},
	}
}
