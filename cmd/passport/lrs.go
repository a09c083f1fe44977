package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs/lrsbench"
	"github.com/passportbridge/passport/lrs/lrshttp"
)

// lrsCommands are the lrs subcommands, keyed by their words (such as "lti register").
func lrsCommands() map[string]command {
	return map[string]command{"lrs bench": lrsBenchCommand()}
}

// lrsBenchCommand runs the load benchmark against a running passport serve
// on this machine: 8 clients post batches of 50 realistic statements, then
// the typical queries are timed.
func lrsBenchCommand() command {
	cfg := lrsbench.Config{}
	var seed uint64
	return command{
		Summary: "load benchmark of the statements resource against a running serve (loopback only)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "base URL of the LRS (a loopback address)")
			fs.StringVar(&cfg.Key, "key", "", "credential key (statements/write and statements/read)")
			fs.StringVar(&cfg.Secret, "secret", "", "credential secret")
			fs.IntVar(&cfg.Clients, "clients", 8, "concurrent clients")
			fs.IntVar(&cfg.Batch, "batch", 50, "statements per POST")
			fs.DurationVar(&cfg.Duration, "duration", 20*time.Second, "length of the ingest phase")
			fs.IntVar(&cfg.Queries, "queries", 50, "rounds of the typical queries")
			fs.Uint64Var(&seed, "seed", 42, "seed of the generated data")
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			if cfg.Key == "" || cfg.Secret == "" {
				return errors.New("--key and --secret are required")
			}
			u, err := url.Parse(cfg.URL)
			if err != nil {
				return fmt.Errorf("--url: %w", err)
			}
			host := u.Hostname()
			if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				return errors.New("--url must be a loopback address: the benchmark only loads this machine")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			cfg.Seed = seed
			rep, err := lrsbench.Run(ctx, cfg)
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lrs bench: %v\n", err)
				return 1
			}
			fmt.Fprintln(d.Stdout, rep.String())
			return 0
		},
	}
}

// lrsMounts are the lrs HTTP handlers serve mounts.
func lrsMounts(d *deps) []server.Mounter {
	return []server.Mounter{&lrshttp.Handler{
		Store:     d.Store,
		Auth:      d.Auth,
		Logger:    d.Logger.With("component", "lrs"),
		Clock:     d.Clock,
		PublicURL: d.Config.PublicURL,
		BodyLimit: d.Config.BodyLimit,
	}}
}

// lrsWorkers are the lrs background loops serve runs.
func lrsWorkers(_ *deps) []worker { return nil }
