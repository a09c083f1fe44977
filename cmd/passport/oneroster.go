package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/oneroster"
	orcsv "github.com/passportbridge/passport/oneroster/csv"
	"github.com/passportbridge/passport/oneroster/mapping"
	"github.com/passportbridge/passport/oneroster/rest"
)

// onerosterCommands are the oneroster subcommands, keyed by their first word.
func onerosterCommands() map[string]command {
	return map[string]command{
		"oneroster import":           onerosterImportCommand(),
		"oneroster merge":            onerosterMergeCommand(),
		"oneroster pull":             onerosterPullCommand(),
		"oneroster export":           onerosterExportCommand(),
		"oneroster purge-tombstones": onerosterPurgeCommand(),
	}
}

// onerosterMounts are the oneroster HTTP handlers serve mounts.
func onerosterMounts(d *deps) []server.Mounter {
	return []server.Mounter{&rest.Handler{Store: d.Store, Writer: d.Store, Clock: d.Clock, Auth: d.Auth, Logger: d.Logger}}
}

// tombstoneRetentionEnv names the tombstone retention setting: unset or
// "keep" keeps deleted records for ever (the default); a duration (90d,
// 2160h) makes serve remove older ones every hour.
const tombstoneRetentionEnv = "PASSPORT_ONEROSTER_TOMBSTONE_RETENTION"

// onerosterWorkers are the oneroster background loops serve runs: the
// tombstone sweep, when a retention is set.
func onerosterWorkers(d *deps) []worker {
	keep, on, err := oneroster.ParseRetention(d.Getenv(tombstoneRetentionEnv))
	if err == nil && !on {
		return nil
	}
	return []worker{{Name: "roster-tombstone-sweep", Run: func(ctx context.Context) error {
		if err != nil {
			return fmt.Errorf("%s: %w", tombstoneRetentionEnv, err)
		}
		return tombstoneSweep(d, keep).Run(ctx)
	}}}
}

func tombstoneSweep(d *deps, keep time.Duration) *oneroster.TombstoneSweep {
	return &oneroster.TombstoneSweep{
		Store: d.Store, Keep: keep, Clock: d.Clock, Logger: d.Logger,
		Tenants: func(ctx context.Context) ([]string, error) {
			ts, err := d.Store.Tenants(ctx)
			if err != nil {
				return nil, err
			}
			ids := make([]string, len(ts))
			for i, t := range ts {
				ids[i] = t.ID
			}
			return ids, nil
		},
	}
}

// importFlags are oneroster import's own flags.
type importFlags struct {
	tenant         string
	dryRun         bool
	strict         bool
	allowDeletions bool
	maxShare       float64
	mapping        string
	reportCSV      string
}

// add registers the flags with f's current values as their defaults, so a
// second registration (see reparse) keeps what the first parse set.
func (f *importFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&f.tenant, "tenant", f.tenant, "tenant to import into (created if missing)")
	fs.BoolVar(&f.dryRun, "dry-run", f.dryRun, "validate and report without changing anything")
	fs.BoolVar(&f.strict, "strict", f.strict, "refuse the whole package if any row is rejected (and read nothing leniently)")
	fs.BoolVar(&f.allowDeletions, "allow-deletions", f.allowDeletions, "apply a bulk package even if it deletes more than the guard allows")
	fs.Float64Var(&f.maxShare, "max-delete-share", f.maxShare, "largest share (0-1) of users or enrollments a bulk package may delete")
	fs.StringVar(&f.mapping, "mapping", f.mapping, "a mapping file: PATH is then a folder of plain CSV exports mapped to OneRoster")
	fs.StringVar(&f.reportCSV, "report", f.reportCSV, "also write the rejected rows as CSV (file,rowNumber,sourcedId,field,status,message) to this file")
}

// reparse reads the command's own flags given after the positional PATH
// (passport oneroster import PATH --tenant T): the first parse stops at PATH.
func reparse(args []string, add func(*flag.FlagSet)) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		if !strings.HasPrefix(args[0], "-") {
			pos = append(pos, args[0])
			args = args[1:]
			continue
		}
		fs := flag.NewFlagSet("", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		add(fs)
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%w (common flags such as --data go before PATH)", err)
		}
		args = fs.Args()
	}
	return pos, nil
}

func onerosterImportCommand() command {
	f := importFlags{tenant: auth.DefaultTenant, maxShare: oneroster.DefaultMaxDeleteShare}
	var path string
	return command{
		Summary:    "import a OneRoster 1.1 or 1.2 CSV package (zip or folder); prints every rejected row as file:line: reason",
		NeedsStore: true,
		Flags:      f.add,
		Check: func(args []string) error {
			pos, err := reparse(args, f.add)
			if err != nil {
				return err
			}
			switch {
			case len(pos) == 0:
				return errors.New("usage: passport oneroster import PATH [--tenant T] [--dry-run] [--strict] [--allow-deletions]")
			case len(pos) > 1:
				return fmt.Errorf("unexpected argument %q", pos[1])
			case !auth.ValidTenantID(f.tenant):
				return fmt.Errorf("--tenant %q: want 1-64 letters, digits, '-' or '_'", f.tenant)
			case f.maxShare <= 0 || f.maxShare > 1:
				return errors.New("--max-delete-share must be in (0, 1]")
			}
			path = pos[0]
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			return runImport(ctx, d, path, f)
		},
	}
}

// importMemoryLimit is the soft heap limit of an import process (unless
// GOMEMLIMIT says otherwise): the GC works harder near it, keeping a
// 500,000-row import well under 300 MiB resident.
const importMemoryLimit = 200 << 20

func runImport(ctx context.Context, d *deps, path string, f importFlags) int {
	const name = "passport oneroster import"
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(importMemoryLimit)
	}
	var p *orcsv.Package
	var err error
	explain := func(is orcsv.Issue) orcsv.Issue { return is }
	if f.mapping != "" {
		m, merr := mapping.Load(f.mapping)
		if merr != nil {
			fmt.Fprintf(d.Stderr, "%s: %v\n", name, merr)
			return 1
		}
		res, berr := m.Build(os.DirFS(path))
		if berr != nil {
			fmt.Fprintf(d.Stderr, "%s: %v\n", name, berr)
			return 1
		}
		for _, is := range res.Issues {
			fmt.Fprintln(d.Stdout, is.String())
		}
		explain = res.Explain
		p, err = orcsv.OpenFS(res.FS, orcsv.Options{Strict: f.strict})
	} else {
		p, err = orcsv.Open(path, orcsv.Options{Strict: f.strict})
	}
	var se *orcsv.StructureError
	if errors.As(err, &se) {
		for _, is := range se.Issues {
			fmt.Fprintln(d.Stdout, is.String())
		}
		fmt.Fprintf(d.Stderr, "%s: package refused: its structure is broken\n", name)
		return 1
	}
	if err != nil {
		fmt.Fprintf(d.Stderr, "%s: %v\n", name, err)
		return 1
	}
	defer func() { _ = p.Close() }()
	return applyPackage(ctx, d, name, p, f, explain)
}

// applyPackage imports an opened package and prints the report; it returns
// the exit status.
func applyPackage(ctx context.Context, d *deps, name string, p *orcsv.Package, f importFlags, explain func(orcsv.Issue) orcsv.Issue) int {
	if !f.dryRun {
		if err := d.Auth.EnsureTenant(ctx, f.tenant); err != nil {
			fmt.Fprintf(d.Stderr, "%s: %v\n", name, err)
			return 1
		}
	}
	rep, err := orcsv.Import(ctx, d.Store, p, orcsv.ImportOptions{
		Tenant: f.tenant,
		DryRun: f.dryRun,
		Guard:  oneroster.Guard{MaxShare: f.maxShare, Allow: f.allowDeletions},
		Now:    d.Clock,
	})
	for i, is := range rep.Rejects {
		rep.Rejects[i] = explain(is)
	}
	if werr := rep.Write(d.Stdout); werr != nil {
		fmt.Fprintf(d.Stderr, "%s: %v\n", name, werr)
	}
	if f.reportCSV != "" {
		if werr := writeReportCSV(f.reportCSV, rep); werr != nil {
			fmt.Fprintf(d.Stderr, "%s: report: %v\n", name, werr)
		}
	}
	var re *orcsv.RefusedError
	if errors.As(err, &re) {
		fmt.Fprintf(d.Stderr, "%s: %v\n", name, re)
		return 1
	}
	if err != nil {
		fmt.Fprintf(d.Stderr, "%s: %v\n", name, err)
		return 1
	}
	if c := rep.Applied.Counts[oneroster.KindUser]; !f.dryRun && c.Created+c.Updated > 0 {
		dups, derr := oneroster.FindDuplicates(ctx, d.Store, f.tenant)
		if derr != nil {
			fmt.Fprintf(d.Stderr, "%s: duplicate check: %v\n", name, derr)
		}
		for _, dup := range dups {
			fmt.Fprintf(d.Stdout, "warning: %s; see passport oneroster merge\n", dup)
		}
	}
	d.Logger.InfoContext(ctx, "roster imported", "tenant", f.tenant, "version", rep.Version, "rows", rep.AppliedRows(),
		"rejected", len(rep.Rejects), "cursor", rep.Applied.Cursor, "dry_run", f.dryRun)
	if rep.AppliedRows() == 0 && len(rep.Rejects) > 0 {
		fmt.Fprintf(d.Stderr, "%s: every row was rejected; nothing applied\n", name)
		return 1
	}
	return 0
}

func onerosterPullCommand() command {
	f := importFlags{tenant: auth.DefaultTenant, maxShare: oneroster.DefaultMaxDeleteShare}
	var from, tokenURL, clientID, clientSecret, staticToken, username, password, version, since string
	var pageSize int
	var delta bool
	var signOAuth1 oauth1Flag
	return command{
		Summary:    "pull a SIS's OneRoster REST roster into a tenant (same validation and deletion guard as import)",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			f.add(fs)
			fs.StringVar(&from, "from", "", "the SIS's rostering base URL, e.g. https://sis/ims/oneroster/v1p1")
			fs.StringVar(&tokenURL, "token-url", "", "OAuth 2.0 token URL (default: the --from host's /oauth/token)")
			fs.StringVar(&clientID, "client-id", "", "OAuth 2.0 client id")
			fs.StringVar(&clientSecret, "client-secret", "", "OAuth 2.0 client secret")
			fs.StringVar(&staticToken, "token", "", "a static bearer token (API key) instead of --client-id/--client-secret")
			fs.StringVar(&username, "username", "", "use the OAuth 2.0 password grant with this username (and --password)")
			fs.StringVar(&password, "password", "", "password for --username")
			fs.StringVar(&version, "version", "1.1", "OneRoster version the SIS speaks: 1.1 or 1.2")
			fs.StringVar(&since, "since", "", "pull only records changed after this datetime (a delta), e.g. 2026-01-31T00:00:00Z")
			fs.IntVar(&pageSize, "page-size", 100, "records asked per page")
			fs.BoolVar(&delta, "delta", false, "pull only what changed since the last pull from --from into this tenant (the first pull is full)")
			fs.Var(&signOAuth1, "oauth1", "sign each request with OAuth 1.0a as --client-id/--client-secret (OneRoster 1.1) instead of getting an OAuth 2.0 token: hmac-sha256 (the default) or hmac-sha1")
		},
		Check: func(args []string) error {
			args = signOAuth1.takeMethod(args)
			if signOAuth1.on {
				if _, err := signOAuth1.methods(); err != nil {
					return err
				}
				if clientID == "" || clientSecret == "" || staticToken != "" || username != "" {
					return errors.New("--oauth1 needs --client-id and --client-secret (and no --token or --username)")
				}
			}
			switch {
			case len(args) > 0:
				return fmt.Errorf("unexpected argument %q", args[0])
			case from == "":
				return errors.New("--from is required")
			case staticToken == "" && username == "" && (clientID == "" || clientSecret == ""):
				return errors.New("--client-id and --client-secret (or --token, or --username and --password) are required")
			case version != "1.1" && version != "1.2":
				return errors.New("--version must be 1.1 or 1.2")
			case pageSize < 1:
				return errors.New("--page-size must be positive")
			case !auth.ValidTenantID(f.tenant):
				return fmt.Errorf("--tenant %q: want 1-64 letters, digits, '-' or '_'", f.tenant)
			}
			u, err := url.Parse(from)
			if err != nil || u.Host == "" {
				return errors.New("--from must be an absolute URL")
			}
			if tokenURL == "" {
				tokenURL = u.Scheme + "://" + u.Host + "/oauth/token"
			}
			if since != "" {
				if _, err := time.Parse(time.RFC3339Nano, since); err != nil {
					return errors.New("--since must be an RFC 3339 datetime")
				}
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			const name = "passport oneroster pull"
			p := &rest.Puller{
				BaseURL: from, TokenURL: tokenURL, ClientID: clientID, ClientSecret: clientSecret, StaticToken: staticToken, Username: username, Password: password,
				Version: version, PageSize: pageSize, HTTP: d.HTTPClient(d.Logger),
			}
			if signOAuth1.on {
				p.OAuth1, p.Clock = strings.ToUpper(signOAuth1.method), d.Clock // HMAC-SHA256 or HMAC-SHA1, checked by Check
			}
			if since != "" {
				p.Since, _ = time.Parse(time.RFC3339Nano, since) // checked by Check
			}
			if delta && since == "" {
				mark, err := d.Store.SyncMark(ctx, f.tenant, from)
				if err != nil {
					fmt.Fprintf(d.Stderr, "%s: %v\n", name, err)
					return 1
				}
				p.Since = mark
			}
			pkg, err := p.Pull(ctx)
			if err != nil {
				fmt.Fprintf(d.Stderr, "%s: %v; nothing applied\n", name, err)
				return 1
			}
			pk, err := orcsv.OpenFS(pkg, orcsv.Options{Strict: f.strict})
			if err != nil {
				fmt.Fprintf(d.Stderr, "%s: %v\n", name, err)
				return 1
			}
			code := applyPackage(ctx, d, name, pk, f, func(is orcsv.Issue) orcsv.Issue { return is })
			if code == 0 && !f.dryRun && p.Latest.After(p.Since) {
				if err := d.Store.SetSyncMark(ctx, f.tenant, from, p.Latest); err != nil {
					fmt.Fprintf(d.Stderr, "%s: %v\n", name, err)
					return 1
				}
			}
			return code
		},
	}
}

func onerosterExportCommand() command {
	var tenant, version, dir string
	return command{
		Summary:    "write a tenant's roster as a OneRoster 1.1 or 1.2 CSV package (a folder)",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant")
			fs.StringVar(&version, "version", "1.2", "OneRoster version to write: 1.1 or 1.2")
		},
		Check: func(args []string) error {
			if len(args) != 1 {
				return errors.New("usage: passport oneroster export [--tenant T] [--version 1.1|1.2] DIR")
			}
			if version != "1.1" && version != "1.2" {
				return errors.New("--version must be 1.1 or 1.2")
			}
			dir = args[0]
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			if err := orcsv.Export(ctx, d.Store, tenant, version, dir); err != nil {
				fmt.Fprintf(d.Stderr, "passport oneroster export: %v\n", err)
				return 1
			}
			return 0
		},
	}
}

func writeReportCSV(path string, rep orcsv.Report) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.WriteCSV(out); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

func onerosterMergeCommand() command {
	var tenant, from, into, reason string
	return command{
		Summary:    "merge a learner who re-registered (--from) into their earlier record (--into), with an audit entry",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant")
			fs.StringVar(&from, "from", "", "the new sourcedId")
			fs.StringVar(&into, "into", "", "the earlier sourcedId the learner keeps")
			fs.StringVar(&reason, "reason", "", "why (kept in the audit entry)")
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			if from == "" || into == "" {
				return errors.New("--from and --into are required")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			m, err := oneroster.MergeLearners(ctx, d.Store, tenant, from, into, "cli", reason, d.Clock())
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport oneroster merge: %v\n", err)
				return 1
			}
			fmt.Fprintf(d.Stdout, "merged %s into %s at %s\n", m.From, m.Into, m.At.Format("2006-01-02T15:04:05Z"))
			return 0
		},
	}
}

func onerosterPurgeCommand() command {
	var tenant, olderThan string
	var keep time.Duration
	return command{
		Summary:    "remove roster tombstones (deleted records) older than --older-than, once (serve does it hourly when " + tombstoneRetentionEnv + " is set)",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", "", "only this tenant (default every tenant)")
			fs.StringVar(&olderThan, "older-than", "", "retention window: 90d, 2160h")
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			d, on, err := oneroster.ParseRetention(olderThan)
			if err != nil {
				return err
			}
			if !on {
				return errors.New("--older-than is required (for example 90d)")
			}
			keep = d
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			sw := tombstoneSweep(d, keep)
			if tenant != "" {
				sw.Tenants = func(context.Context) ([]string, error) { return []string{tenant}, nil }
			}
			n, err := sw.Once(ctx)
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport oneroster purge-tombstones: %v\n", err)
				return 1
			}
			fmt.Fprintf(d.Stdout, "removed %d tombstones\n", n)
			return 0
		},
	}
}
