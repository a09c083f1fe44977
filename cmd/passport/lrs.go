package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/lrsbench"
	"github.com/passportbridge/passport/lrs/lrshttp"
)

// lrsCommands are the lrs subcommands, keyed by their first word.
func lrsCommands() map[string]command {
	return map[string]command{
		"lrs": {
			Summary:    "lrs export --tenant T [--since TIME] | erase --tenant T --agent JSON | replay|dead-letters --rule ID | bench --url URL --key K --secret S",
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
	case "replay", "dead-letters":
		return lrsForward(ctx, d, args[0], args[1:])
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

// forwardInterval is how often a caught-up forwarder looks for new statements.
const forwardInterval = 5 * time.Second

// forwarder resolves a configured forwarding rule (its secret from the
// environment or a file) into a Forwarder.
func forwarder(d *deps, r config.ForwardRule) (*lrs.Forwarder, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	secret := os.Getenv(r.SecretEnv)
	if r.SecretFile != "" {
		b, err := os.ReadFile(r.SecretFile)
		if err != nil {
			return nil, fmt.Errorf("forwarding rule %s: read secret file: %w", r.ID, err)
		}
		secret = strings.TrimSpace(string(b))
	}
	if secret == "" {
		return nil, fmt.Errorf("forwarding rule %s: the secret is empty", r.ID)
	}
	rule := lrs.ForwardRule{ID: r.ID, Tenant: r.Tenant, URL: r.URL, Key: r.Key, Secret: secret, Version: r.Version,
		Verbs: r.Verbs, Activities: r.Activities}
	for _, a := range r.Actors {
		key, err := lrs.ParseAgentParam("actors", a, lrs.V2)
		if err != nil {
			return nil, fmt.Errorf("forwarding rule %s: %w", r.ID, err)
		}
		rule.Actors = append(rule.Actors, key)
	}
	logger := d.Logger.With("component", "lrs-forward", "rule", r.ID)
	return &lrs.Forwarder{Store: d.Store, Rule: rule, HTTP: d.HTTPClient(logger), Logger: logger, Clock: d.Clock}, nil
}

// lrsWorkers are the lrs background loops serve runs: one forwarder per
// configured forwarding rule.
func lrsWorkers(d *deps) []worker {
	var ws []worker
	for _, r := range d.File.Forwarding {
		f, err := forwarder(d, r)
		if err != nil {
			d.Logger.Error("forwarding rule ignored", "rule", r.ID, "err", err)
			continue
		}
		ws = append(ws, worker{Name: "lrs-forward-" + r.ID, Run: func(ctx context.Context) error { return f.Run(ctx, forwardInterval) }})
	}
	return ws
}

// lrsForward handles "lrs replay --rule ID" and "lrs dead-letters --rule ID".
func lrsForward(ctx context.Context, d *deps, sub string, args []string) int {
	fs := flag.NewFlagSet("lrs "+sub, flag.ContinueOnError)
	fs.SetOutput(d.Stderr)
	id := fs.String("rule", "", "forwarding rule id from the config file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for _, r := range d.File.Forwarding {
		if r.ID != *id {
			continue
		}
		if sub == "dead-letters" {
			dl, err := d.Store.DeadLetters(ctx, r.Tenant, r.ID)
			if err != nil {
				_, _ = fmt.Fprintf(d.Stderr, "passport lrs dead-letters: %v\n", err)
				return 1
			}
			for _, l := range dl {
				_, _ = fmt.Fprintf(d.Stdout, "%s\t%s\t%d\t%s\n", l.ID, lrs.FormatTime(l.At), l.Status, l.Reason)
			}
			return 0
		}
		f, err := forwarder(d, r)
		if err != nil {
			_, _ = fmt.Fprintf(d.Stderr, "passport lrs replay: %v\n", err)
			return 1
		}
		n, err := f.Replay(ctx)
		if err != nil {
			_, _ = fmt.Fprintf(d.Stderr, "passport lrs replay: %v\n", err)
			return 1
		}
		_, _ = fmt.Fprintf(d.Stdout, "replayed: %d accepted\n", n)
		return 0
	}
	_, _ = fmt.Fprintf(d.Stderr, "passport lrs %s: no forwarding rule %q in the config file\n", sub, *id)
	return 2
}
