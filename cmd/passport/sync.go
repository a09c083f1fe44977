package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/kolibri"
	"github.com/passportbridge/passport/connectors/moodle"
	"github.com/passportbridge/passport/connectors/openemis"
	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/rostersync"
	"github.com/passportbridge/passport/internal/rostersync/synchttp"
	"github.com/passportbridge/passport/internal/server"
)

// connectorConfigs maps connector types to their config blocks: an
// explicit registry, no init() (design.md §3.8 rule 3).
var connectorConfigs = map[string]func() connectors.Config{
	"moodle":   func() connectors.Config { return new(moodle.Config) },
	"kolibri":  func() connectors.Config { return new(kolibri.Config) },
	"openemis": func() connectors.Config { return new(openemis.Config) },
}

func knownConnectorType(t string) bool {
	_, ok := connectorConfigs[t]
	return ok
}

// openJobs validates the config file's connectors, decodes each one's
// block strictly and opens it. only (when not empty) keeps one id. Every
// error is a *config.UsageError naming the connector and key.
func openJobs(d *deps, only string) ([]rostersync.Job, error) {
	specs := d.File.Connectors
	if err := config.ValidateConnectors(specs, knownConnectorType); err != nil {
		return nil, err
	}
	var jobs []rostersync.Job
	for i, s := range specs {
		if only != "" && s.ID != only {
			continue
		}
		where := fmt.Sprintf("connectors[%d] (%s)", i, s.ID)
		cfg := connectorConfigs[s.Type]()
		if err := connectors.DecodeConfig(s.Config, cfg); err != nil {
			return nil, &config.UsageError{Msg: where + ": config: " + err.Error()}
		}
		tenant := s.Tenant
		if tenant == "" {
			tenant = auth.DefaultTenant
		}
		if !auth.ValidTenantID(tenant) {
			return nil, &config.UsageError{Msg: fmt.Sprintf("%s: tenant: %q: want 1-64 letters, digits, '-' or '_'", where, tenant)}
		}
		every, _ := s.Every() // validated above
		logger := d.Logger.With("connector", s.ID, "tenant", tenant)
		hc := connectors.PrepareClient(d.HTTPClient(logger))
		conn, err := cfg.Open(s.ID, logger, hc)
		if err != nil {
			return nil, &config.UsageError{Msg: where + ": config: " + err.Error()}
		}
		jobs = append(jobs, rostersync.Job{ID: s.ID, Type: s.Type, Tenant: tenant, Every: every, Conn: conn})
	}
	if only != "" && len(jobs) == 0 {
		return nil, &config.UsageError{Msg: fmt.Sprintf("--connector %q: no such connector in the config file", only)}
	}
	return jobs, nil
}

// newRunner wires the runner to the store: run reports and cursors, the
// OneRoster store's change feed and records, pulled rosters through the
// OneRoster import pipeline, progress statements into the tenant's LRS.
func newRunner(d *deps) *rostersync.Runner {
	r := &rostersync.Runner{
		Runs:    d.Store,
		LRS:     rostersync.LRSSaver{Store: d.Store, AuthorityHome: d.Config.PublicURL, Clock: d.Clock},
		Logger:  d.Logger,
		Clock:   d.Clock,
		Metrics: rostersync.NewMetrics(d.Metrics),
	}
	r.Roster = d.Store
	r.Records = d.Store
	r.Importer = rostersync.SnapshotImporter{Store: d.Store, Clock: d.Clock}
	return r
}

// syncCommands are the sync subcommands, keyed by their words (such as "lti register").
func syncCommands() map[string]command {
	return map[string]command{
		"sync":      syncCommand(),
		"sync runs": syncRunsCommand(),
	}
}

func syncCommand() command {
	var only, export string
	var dryRun, asJSON, check bool
	return command{
		Summary:    "push the roster to the configured connectors (and pull from EMIS ones); prints a report per connector",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&only, "connector", "", "run only the connector with this id")
			fs.BoolVar(&dryRun, "dry-run", false, "read the targets and report what would change, without writing")
			fs.StringVar(&export, "export", "", "write the connector's offline import files into this directory instead of calling it (needs --connector)")
			fs.BoolVar(&asJSON, "json", false, "print the runs as JSON")
			fs.BoolVar(&check, "check", false, "only check each connector's credentials and reachability")
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			if check && (export != "" || dryRun) {
				return errors.New("--check goes with neither --export nor --dry-run")
			}
			if export != "" && only == "" {
				return errors.New("--export needs --connector")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			jobs, err := openJobs(d, only)
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport sync: %v\n", err)
				return 2
			}
			if len(jobs) == 0 {
				fmt.Fprintln(d.Stderr, "passport sync: no connectors configured (see --config)")
				return 2
			}
			if export != "" {
				return syncExport(ctx, d, jobs[0], export)
			}
			if check {
				return syncCheckTargets(ctx, d, jobs)
			}
			for _, job := range jobs {
				// Like oneroster import, a connector's tenant is created
				// when it does not exist yet.
				if err := d.Auth.EnsureTenant(ctx, job.Tenant); err != nil {
					fmt.Fprintf(d.Stderr, "passport sync: tenant %s: %v\n", job.Tenant, err)
					return 1
				}
			}
			r := newRunner(d)
			code := 0
			var all []connectors.Run
			for _, job := range jobs {
				runs, err := r.RunAll(ctx, job, dryRun)
				if err != nil {
					code = 1
				}
				all = append(all, runs...)
				if !asJSON {
					for _, run := range runs {
						printRun(d.Stdout, run)
					}
				}
			}
			if asJSON {
				_ = json.NewEncoder(d.Stdout).Encode(all)
			}
			return code
		},
	}
}

// syncExport writes the tenant's whole roster as the connector's offline
// import files.
func syncExport(ctx context.Context, d *deps, job rostersync.Job, dir string) int {
	ex, ok := job.Conn.(connectors.Exporter)
	if !ok {
		fmt.Fprintf(d.Stderr, "passport sync: connector %s (%s) has no offline export\n", job.ID, job.Type)
		return 2
	}
	delta, err := d.Store.Changes(ctx, job.Tenant, 0)
	if err != nil {
		fmt.Fprintf(d.Stderr, "passport sync: read roster: %v\n", err)
		return 1
	}
	paths, err := ex.Export(ctx, delta.Upserts, dir)
	if err != nil {
		fmt.Fprintf(d.Stderr, "passport sync: export: %v\n", err)
		return 1
	}
	for _, p := range paths {
		fmt.Fprintf(d.Stdout, "wrote %s\n", p)
	}
	return 0
}

// syncCheckTargets runs each connector's Check and prints one line per
// connector; exit status 1 when any fails.
func syncCheckTargets(ctx context.Context, d *deps, jobs []rostersync.Job) int {
	code := 0
	for _, j := range jobs {
		c, ok := j.Conn.(connectors.Checker)
		if !ok {
			fmt.Fprintf(d.Stdout, "%s [%s]: no check\n", j.ID, j.Type)
			continue
		}
		if err := c.Check(ctx); err != nil {
			code = 1
			fmt.Fprintf(d.Stdout, "%s [%s]: failed: %v\n", j.ID, j.Type, err)
			continue
		}
		fmt.Fprintf(d.Stdout, "%s [%s]: ok\n", j.ID, j.Type)
	}
	return code
}

// printRun prints a run's summary line and its listed records.
func printRun(w io.Writer, r connectors.Run) {
	dry := ""
	if r.DryRun {
		dry = " (dry run)"
	}
	fmt.Fprintf(w, "%s %s [%s, tenant %s]%s: %s  %s\n", r.Connector, r.Operation, r.Type, r.Tenant, dry, r.Status, r.Report)
	if r.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", r.Error)
	}
	for _, it := range r.Report.Items {
		fmt.Fprintf(w, "  %s %s/%s: %s\n", it.Outcome, it.Kind, it.SourcedID, it.Reason)
	}
	if r.Report.Truncated > 0 {
		fmt.Fprintf(w, "  ... and %d more\n", r.Report.Truncated)
	}
}

func syncRunsCommand() command {
	var tenant, connector string
	var limit int
	var asJSON bool
	return command{
		Summary:    "list recent connector runs and their reports",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant")
			fs.StringVar(&connector, "connector", "", "only this connector's runs")
			fs.IntVar(&limit, "limit", 20, "how many runs, newest first")
			fs.BoolVar(&asJSON, "json", false, "print the runs as JSON")
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			if limit < 1 || limit > 1000 {
				return errors.New("--limit: want 1 to 1000")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			runs, err := d.Store.Runs(ctx, tenant, connector, limit)
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport sync runs: %v\n", err)
				return 1
			}
			if asJSON {
				if runs == nil {
					runs = []connectors.Run{}
				}
				_ = json.NewEncoder(d.Stdout).Encode(runs)
				return 0
			}
			for _, r := range runs {
				fmt.Fprintf(d.Stdout, "%s %s  ", r.Started.Format("2006-01-02T15:04:05Z"), r.ID)
				printRun(d.Stdout, r)
			}
			return 0
		},
	}
}

// syncMounts are the sync HTTP handlers serve mounts.
func syncMounts(d *deps) []server.Mounter {
	return []server.Mounter{&synchttp.Handler{Auth: d.Auth, Store: d.Store}}
}

// syncCheck validates the config file's connectors (keys, types,
// schedules, each type's config block) without starting anything; serve
// calls it at start so that a bad config is a usage error (exit 2).
func syncCheck(d *deps) error {
	_, err := openJobs(d, "")
	return err
}

// syncWorkers are the sync background loops serve runs: the connector
// scheduler, when the config file declares connectors.
func syncWorkers(d *deps) []worker {
	if len(d.File.Connectors) == 0 {
		return nil
	}
	jobs, err := openJobs(d, "")
	if err != nil {
		return []worker{{Name: "connector-scheduler", Run: func(context.Context) error { return err }}}
	}
	r := newRunner(d)
	return []worker{{Name: "connector-scheduler", Run: func(ctx context.Context) error {
		ids := make([]string, 0, len(jobs))
		for _, j := range jobs {
			if j.Every > 0 {
				ids = append(ids, j.ID)
			}
		}
		for _, j := range jobs {
			if err := d.Auth.EnsureTenant(ctx, j.Tenant); err != nil {
				return fmt.Errorf("connector %s: tenant %s: %w", j.ID, j.Tenant, err)
			}
		}
		d.Logger.InfoContext(ctx, "connector scheduler started", "scheduled", strings.Join(ids, ","))
		err := r.Schedule(ctx, jobs)
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}}}
}
