package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
	"github.com/passportbridge/passport/lrs/forward/forwardhttp"
)

// forwardCommands are the forwarding, export and erasure subcommands, keyed
// by their words (such as "lrs export").
func forwardCommands() map[string]command {
	return map[string]command{
		"lrs export":       lrsExportCommand(),
		"lrs erase":        lrsEraseCommand(),
		"lrs replay":       lrsForwardCommand("replay"),
		"lrs dead-letters": lrsForwardCommand("dead-letters"),
	}
}

func lrsExportCommand() command {
	var tenant, since string
	var from time.Time
	return command{
		Summary:    "write a tenant's statements as JSON lines (stored order, voided ones included)",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant whose statements to export")
			fs.StringVar(&since, "since", "", "export only statements stored after this ISO 8601 time")
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			if since != "" {
				t, ok := lrs.ParseTimestamp(since)
				if !ok {
					return errors.New("--since must be an ISO 8601 timestamp")
				}
				from = t
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			n, err := forward.Export(ctx, d.Store, tenant, from, d.Stdout)
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lrs export: %v\n", err)
				return 1
			}
			d.Logger.InfoContext(ctx, "statements exported", "tenant", tenant, "count", n)
			return 0
		},
	}
}

func lrsEraseCommand() command {
	var tenant, agent, key string
	return command{
		Summary:    "erase one learner's statements, documents and attachments; prints the audit record",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant of the learner")
			fs.StringVar(&agent, "agent", "", `the learner as an xAPI Agent, e.g. {"mbox":"mailto:a@example.org"}`)
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			k, err := lrs.ParseAgentParam("agent", agent, lrs.V2)
			if err != nil {
				return fmt.Errorf("--%w", err)
			}
			key = k
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			e, err := d.Store.EraseAgent(ctx, tenant, key, forward.Erasure{ID: uuid.New(), At: d.Clock(), By: "cli"})
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lrs erase: %v\n", err)
				return 1
			}
			out, _ := json.Marshal(e)
			fmt.Fprintln(d.Stdout, string(out))
			return 0
		},
	}
}

// lrsForwardCommand is "lrs replay" (send a rule's dead letters again) or
// "lrs dead-letters" (list them).
func lrsForwardCommand(sub string) command {
	var id string
	summary := "send a forwarding rule's dead letters again"
	if sub == "dead-letters" {
		summary = "list a forwarding rule's dead letters (id, time, status, reason)"
	}
	return command{
		Summary:    summary,
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "rule", "", "forwarding rule id from the config file")
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			if id == "" {
				return errors.New("--rule is required")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			for _, r := range d.File.Forwarding {
				if r.ID != id {
					continue
				}
				if sub == "dead-letters" {
					dl, err := d.Store.DeadLetters(ctx, r.Tenant, r.ID)
					if err != nil {
						fmt.Fprintf(d.Stderr, "passport lrs dead-letters: %v\n", err)
						return 1
					}
					for _, l := range dl {
						fmt.Fprintf(d.Stdout, "%s\t%s\t%d\t%s\n", l.ID, lrs.FormatTime(l.At), l.Status, l.Reason)
					}
					return 0
				}
				f, err := forwarder(d, r)
				if err != nil {
					fmt.Fprintf(d.Stderr, "passport lrs replay: %v\n", err)
					return 1
				}
				n, err := f.Replay(ctx)
				if err != nil {
					fmt.Fprintf(d.Stderr, "passport lrs replay: %v\n", err)
					return 1
				}
				fmt.Fprintf(d.Stdout, "replayed: %d accepted\n", n)
				return 0
			}
			fmt.Fprintf(d.Stderr, "passport lrs %s: no forwarding rule %q in the config file\n", sub, id)
			return 2
		},
	}
}

// forwardMounts are the forwarding and erasure HTTP handlers serve mounts.
func forwardMounts(d *deps) []server.Mounter {
	return []server.Mounter{&forwardhttp.Handler{
		Store: d.Store, Auth: d.Auth, Logger: d.Logger.With("component", "lrs-admin"), Clock: d.Clock, BodyLimit: d.Config.BodyLimit,
	}}
}

// forwardInterval is how often a caught-up forwarder looks for new statements.
const forwardInterval = 5 * time.Second

// forwarder resolves a configured forwarding rule (its secret from the
// environment or a file) into a Forwarder.
func forwarder(d *deps, r config.ForwardRule) (*forward.Forwarder, error) {
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
	rule := forward.Rule{
		ID: r.ID, Tenant: r.Tenant, URL: r.URL, Key: r.Key, Secret: secret, Version: r.Version,
		Verbs: r.Verbs, Activities: r.Activities,
	}
	for _, a := range r.Actors {
		key, err := lrs.ParseAgentParam("actors", a, lrs.V2)
		if err != nil {
			return nil, fmt.Errorf("forwarding rule %s: %w", r.ID, err)
		}
		rule.Actors = append(rule.Actors, key)
	}
	logger := d.Logger.With("component", "lrs-forward", "rule", r.ID)
	return &forward.Forwarder{Store: d.Store, Rule: rule, HTTP: d.HTTPClient(logger), Logger: logger, Clock: d.Clock}, nil
}

// forwardWorkers are the forwarding loops serve runs, one per rule of the
// config file.
func forwardWorkers(d *deps) []worker {
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
