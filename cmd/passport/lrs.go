package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/lrsbench"
	"github.com/passportbridge/passport/lrs/lrshttp"
)

// lrsCommands are the lrs subcommands, keyed by their first word.
func lrsCommands() map[string]command {
	return map[string]command{
		"lrs": {
			Summary:    "lrs export --tenant T [--since TIME] | lrs erase --tenant T --agent JSON | lrs bench --url URL --key K --secret S",
			NeedsStore: true,
			Run:        runLRS,
		},
	}
}

func runLRS(ctx context.Context, d *deps, args []string) int {
	if len(args) == 0 {
		_, _ = fmt.Fprintln(d.Stderr, "usage: passport lrs export|bench [flags]")
		return 2
	}
	switch args[0] {
	case "export":
		return lrsExport(ctx, d, args[1:])
	case "erase":
		return lrsErase(ctx, d, args[1:])
	case "bench":
		return lrsBench(ctx, d.Stdout, d.Stderr, args[1:])
	default:
		_, _ = fmt.Fprintf(d.Stderr, "passport lrs: unknown subcommand %q\n", args[0])
		return 2
	}
}

// lrsExport streams a tenant's statements as JSON lines to stdout.
func lrsExport(ctx context.Context, d *deps, args []string) int {
	fs := flag.NewFlagSet("lrs export", flag.ContinueOnError)
	fs.SetOutput(d.Stderr)
	tenant := fs.String("tenant", auth.DefaultTenant, "tenant whose statements to export")
	since := fs.String("since", "", "export only statements stored after this ISO 8601 time")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var t time.Time
	if *since != "" {
		ts, ok := lrs.ParseTimestamp(*since)
		if !ok {
			_, _ = fmt.Fprintln(d.Stderr, "passport lrs export: --since must be an ISO 8601 timestamp")
			return 2
		}
		t = ts
	}
	n, err := lrs.Export(ctx, d.Store, *tenant, t, d.Stdout)
	if err != nil {
		_, _ = fmt.Fprintf(d.Stderr, "passport lrs export: %v\n", err)
		return 1
	}
	d.Logger.InfoContext(ctx, "statements exported", "tenant", *tenant, "count", n)
	return 0
}

// lrsErase erases one learner's statements, documents and attachments in
// a tenant and prints the audit record (which holds no personal data).
func lrsErase(ctx context.Context, d *deps, args []string) int {
	fs := flag.NewFlagSet("lrs erase", flag.ContinueOnError)
	fs.SetOutput(d.Stderr)
	tenant := fs.String("tenant", auth.DefaultTenant, "tenant of the learner")
	agent := fs.String("agent", "", `the learner as an xAPI Agent, e.g. {"mbox":"mailto:a@example.org"}`)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	key, err := lrs.ParseAgentParam("agent", *agent, lrs.V2)
	if err != nil {
		_, _ = fmt.Fprintf(d.Stderr, "passport lrs erase: %v\n", err)
		return 2
	}
	e, err := d.Store.EraseAgent(ctx, *tenant, key, lrs.Erasure{ID: uuid.New(), At: d.Clock(), By: "cli"})
	if err != nil {
		_, _ = fmt.Fprintf(d.Stderr, "passport lrs erase: %v\n", err)
		return 1
	}
	out, _ := json.Marshal(e)
	_, _ = fmt.Fprintln(d.Stdout, string(out))
	return 0
}

// lrsBench runs the load benchmark of docs/performance.md against a
// running passport serve.
func lrsBench(ctx context.Context, stdout, stderr io.Writer, args []string) int {
	fs := flag.NewFlagSet("lrs bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := lrsbench.Config{}
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "base URL of the LRS (loopback only)")
	fs.StringVar(&cfg.Key, "key", "", "credential key (statements/write and statements/read)")
	fs.StringVar(&cfg.Secret, "secret", "", "credential secret")
	fs.IntVar(&cfg.Clients, "clients", 8, "concurrent clients")
	fs.IntVar(&cfg.Batch, "batch", 50, "statements per POST")
	fs.DurationVar(&cfg.Duration, "duration", 20*time.Second, "length of the ingest phase")
	fs.IntVar(&cfg.Queries, "queries", 50, "rounds of the typical queries")
	seed := fs.Uint64("seed", 42, "seed of the generated data")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg.Seed = *seed
	if cfg.Key == "" || cfg.Secret == "" {
		_, _ = fmt.Fprintln(stderr, "passport lrs bench: --key and --secret are required")
		return 2
	}
	rep, err := lrsbench.Run(ctx, cfg)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "passport lrs bench: %v\n", err)
		return 1
	}
	_, _ = fmt.Fprintln(stdout, rep.String())
	return 0
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
