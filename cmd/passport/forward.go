package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"text/tabwriter"
	"time"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs/forward"
	"github.com/passportbridge/passport/lrs/forward/forwardhttp"
)

// mongoSettle keeps forwarding on the mongo store this far behind the
// clock. Without multi-document transactions, a statement becomes visible
// when its own insert lands, which may be after statements of a later
// request (another replica) with greater stored times: the forwarder must
// not pass a stored time while an insert stamped before it may still land.
// An LRS request, and so its inserts, ends within its 30 s timeout; the
// rest is margin for clock differences between replicas.
const mongoSettle = 45 * time.Second

// forwardCommands are the forwarding, export and erasure subcommands, keyed
// by their words (such as "lrs export").
func forwardCommands() map[string]command {
	return map[string]command{
		"lrs export":         lrsExportCommand(),
		"lrs erase":          lrsEraseCommand(),
		"lrs forward status": lrsForwardCommand("status"),
		"lrs forward replay": lrsForwardCommand("replay"),
	}
}

// forwardMounts are the forwarding and erasure HTTP handlers serve mounts.
func forwardMounts(d *deps) []server.Mounter {
	return []server.Mounter{&forwardhttp.Handler{
		Auth: d.Auth, Store: d.Store, Logger: d.Logger.With("component", "erasure"), Clock: d.Clock,
	}}
}

// forwardWorkers are the forwarding loops serve runs, one per rule.
func forwardWorkers(d *deps) []worker {
	if len(d.File.Forwarding) == 0 {
		return nil
	}
	fail := func(err error) []worker {
		return []worker{{Name: "forwarding", Run: func(context.Context) error { return err }}}
	}
	rules, err := forwardRules(d)
	if err != nil {
		return fail(err)
	}
	metrics, err := forward.NewMetrics(d.Metrics)
	if err != nil {
		return fail(fmt.Errorf("forwarding metrics: %w", err))
	}
	var settle time.Duration
	if d.Config.Store == config.StoreMongo {
		settle = mongoSettle
	}
	out := make([]worker, 0, len(rules))
	for _, r := range rules {
		logger := d.Logger.With("component", "forward")
		if u, err := url.Parse(r.URL); err == nil && u.Scheme == "http" && !isLoopback(u.Hostname()) {
			logger.Warn("forwarding rule sends credentials and statements over plain http", "rule", r.ID, "host", u.Host)
		}
		f := forward.New(r, d.Store, forward.Options{
			Client: d.HTTPClient(logger), Logger: logger, Clock: d.Clock, Settle: settle, Metrics: metrics,
		})
		out = append(out, worker{Name: "forward " + r.ID, Run: f.Run})
	}
	return out
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// forwardCheck validates the forwarding part of the config file beyond
// what strict decoding checks (each rule is validated as it is decoded):
// rule ids are unique. checkConfigFile should call it.
func forwardCheck(d *deps) error {
	return config.ValidateForwarding(d.File.Forwarding)
}

// forwardRules resolves the config file's forwarding rules.
func forwardRules(d *deps) ([]forward.Rule, error) {
	if err := config.ValidateForwarding(d.File.Forwarding); err != nil {
		return nil, err
	}
	out := make([]forward.Rule, 0, len(d.File.Forwarding))
	for _, fr := range d.File.Forwarding {
		r, err := fr.Rule(d.Getenv, os.ReadFile)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// parseTime reads an RFC 3339 --since/--until value ("" is the zero time).
func parseTime(flagName, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: want an RFC 3339 time such as 2026-01-31T00:00:00Z", flagName, v)
	}
	return t, nil
}

func lrsExportCommand() command {
	var tenant, since, until, out string
	return command{
		Summary:    "write a tenant's statements as JSON lines (exact stored JSON, ascending by stored)",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant to export")
			fs.StringVar(&since, "since", "", "only statements stored after this RFC 3339 time")
			fs.StringVar(&until, "until", "", "only statements stored at or before this RFC 3339 time")
			fs.StringVar(&out, "out", "", "write to this file instead of standard output")
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			if _, err := parseTime("since", since); err != nil {
				return err
			}
			_, err := parseTime("until", until)
			return err
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			s, _ := parseTime("since", since)
			u, _ := parseTime("until", until)
			w := d.Stdout
			if out != "" {
				f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
				if err != nil {
					fmt.Fprintf(d.Stderr, "passport lrs export: %v\n", err)
					return 1
				}
				defer f.Close()
				w = f
			}
			n, err := forward.Export(ctx, d.Store, tenant, s, u, w)
			if err == nil && out != "" {
				err = w.(*os.File).Sync()
			}
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lrs export: %v (after %d statements)\n", err, n)
				return 1
			}
			if out != "" {
				fmt.Fprintf(d.Stdout, "exported %d statements to %s\n", n, out)
			}
			return 0
		},
	}
}

func lrsEraseCommand() command {
	var tenant, agent string
	var dryRun bool
	return command{
		Summary:    "erase one learner (statements naming them, their State and Agent Profile documents, orphaned attachments)",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant to erase the learner from")
			fs.StringVar(&agent, "agent", "", `the learner as an xAPI Agent JSON object, e.g. {"mbox":"mailto:a@example.org"}`)
			fs.BoolVar(&dryRun, "dry-run", false, "count what would be erased; change nothing")
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			if agent == "" {
				return errors.New("--agent is required")
			}
			if _, err := forward.AgentKeyOf([]byte(agent)); err != nil {
				return fmt.Errorf("--agent: %w", err)
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			rec, err := forward.Erase(ctx, d.Store, forward.ErasureRequest{
				Tenant: tenant, Agent: []byte(agent), RequestedBy: "cli", DryRun: dryRun,
			}, d.Clock())
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lrs erase: %v\n", err)
				return 1
			}
			res := map[string]any{
				"dry_run": dryRun, "statements": rec.Statements, "documents": rec.Documents,
				"attachments": rec.Attachments,
			}
			if !dryRun {
				res["erasure_id"] = rec.ID.String()
			}
			b, _ := json.Marshal(res)
			fmt.Fprintln(d.Stdout, string(b))
			return 0
		},
	}
}

// forwardArgs are the flags of passport lrs forward status and replay.
type forwardArgs struct {
	verb        string
	rule        string
	deadLetters bool
	since       string
}

// lrsForwardCommand is `passport lrs forward status` or `... replay`.
func lrsForwardCommand(verb string) command {
	fa := forwardArgs{verb: verb}
	summary := "forwarding status of every rule, or of --rule ID with its dead letters"
	if verb == "replay" {
		summary = "forward again: replay --rule ID [--dead-letters] [--since TIME]"
	}
	return command{
		Summary: summary,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&fa.rule, "rule", "", "forwarding rule id")
			if verb == "replay" {
				fs.BoolVar(&fa.deadLetters, "dead-letters", false, "queue the rule's dead letters for another attempt")
				fs.StringVar(&fa.since, "since", "", "forward again the statements stored after this RFC 3339 time")
			}
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			if _, err := parseTime("since", fa.since); err != nil {
				return err
			}
			if verb == "replay" && fa.rule == "" {
				return errors.New("replay needs --rule ID")
			}
			return nil
		},
		NeedsStore: true,
		Run: func(ctx context.Context, d *deps, _ []string) int {
			if err := config.ValidateForwarding(d.File.Forwarding); err != nil {
				fmt.Fprintf(d.Stderr, "passport lrs forward %s: %v\n", verb, err)
				return 2
			}
			var rules []config.ForwardRule
			for _, r := range d.File.Forwarding {
				if fa.rule == "" || r.ID == fa.rule {
					rules = append(rules, r)
				}
			}
			if fa.rule != "" && len(rules) == 0 {
				fmt.Fprintf(d.Stderr, "passport lrs forward %s: no forwarding rule %q in the config file\n", verb, fa.rule)
				return 2
			}
			if len(rules) == 0 {
				fmt.Fprintf(d.Stderr, "passport lrs forward %s: no forwarding rules in the config file (--config or PASSPORT_CONFIG)\n", verb)
				return 2
			}
			var err error
			if verb == "status" {
				err = forwardStatus(ctx, d, rules, fa.rule != "")
			} else {
				since, _ := parseTime("since", fa.since) // checked by Check
				err = forwardReplay(ctx, d, rules[0], fa.deadLetters, since)
			}
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lrs forward %s: %v\n", verb, err)
				return 1
			}
			return 0
		},
	}
}

// maxListed bounds the dead letters status lists.
const maxListed = 1000

func forwardStatus(ctx context.Context, d *deps, rules []config.ForwardRule, listDead bool) error {
	w := tabwriter.NewWriter(d.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RULE\tTENANT\tURL\tFORWARDED THROUGH\tNEXT PENDING\tLAG\tDEAD LETTERS\tQUEUED FOR RETRY")
	for _, r := range rules {
		cur, err := d.Store.ForwardCursor(ctx, r.Tenant, r.ID)
		if err != nil {
			return err
		}
		through := "-"
		if cur != nil {
			through = cur.Stored.UTC().Format(time.RFC3339Nano)
		}
		next, lag := "caught up", "0s"
		pending, err := d.Store.StatementLog(ctx, r.Tenant, cur, time.Time{}, 1)
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			next = pending[0].Stored.UTC().Format(time.RFC3339Nano)
			lag = d.Clock().Sub(pending[0].Stored).Round(time.Second).String()
		}
		dead, err := d.Store.DeadLetters(ctx, r.Tenant, r.ID, false, maxListed)
		if err != nil {
			return err
		}
		retry := 0
		for _, dl := range dead {
			if dl.Retry {
				retry++
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", r.ID, r.Tenant, r.URL, through, next, lag, len(dead), retry)
		if listDead && len(dead) > 0 {
			_ = w.Flush()
			fmt.Fprintln(d.Stdout, "\nSTATEMENT\tSTORED\tREFUSED AT\tRETRY\tREASON")
			for _, dl := range dead {
				fmt.Fprintf(d.Stdout, "%s\t%s\t%s\t%t\t%s\n", dl.StatementID, dl.Stored.Format(time.RFC3339Nano),
					dl.At.Format(time.RFC3339), dl.Retry, dl.Reason)
			}
		}
	}
	return w.Flush()
}

func forwardReplay(ctx context.Context, d *deps, r config.ForwardRule, deadLetters bool, since time.Time) error {
	if deadLetters {
		n, err := d.Store.RequeueDeadLetters(ctx, r.Tenant, r.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(d.Stdout, "rule %s: %d dead letters queued for another attempt\n", r.ID, n)
		if since.IsZero() {
			return nil
		}
	}
	if err := d.Store.SetForwardCursor(ctx, r.Tenant, r.ID, forward.SinceCursor(since)); err != nil {
		return err
	}
	if since.IsZero() {
		fmt.Fprintf(d.Stdout, "rule %s: rewound to the start; every statement will be forwarded again (the downstream ignores those it has)\n", r.ID)
	} else {
		fmt.Fprintf(d.Stdout, "rule %s: rewound; statements stored after %s will be forwarded again\n", r.ID, since.UTC().Format(time.RFC3339Nano))
	}
	return nil
}
