package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltihttp"
	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store"
)

// ltiCommands are the lti subcommands, keyed by their two words (the
// command picker matches at most two).
func ltiCommands() map[string]command {
	return map[string]command{
		"lti register":       ltiRegisterCommand(),
		"lti list":           ltiListCommand(),
		"lti disable":        ltiDisableCommand(true),
		"lti enable":         ltiDisableCommand(false),
		"lti invite":         ltiInviteCommand(),
		"lti rotate-key":     ltiKeysRotateCommand(),
		"lti keys":           ltiKeysListCommand(),
		"lti content-put":    ltiContentPutCommand(),
		"lti content-list":   ltiContentListCommand(),
		"lti content-delete": ltiContentDeleteCommand(),
		"lti members":        ltiMembersCommand(),
	}
}

// ltiHTTPClient is the client for platform JWKS, services and Dynamic
// Registration: retrying, through the process's client factory.
func ltiHTTPClient(d *deps) *http.Client {
	if d.HTTPClient == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	rc := d.HTTPClient(d.Logger)
	rc.RetryMax = 2
	c := rc.StandardClient()
	c.Timeout = 30 * time.Second
	return c
}

// ltiTool builds the tool from the process's dependencies.
func ltiTool(d *deps) (*lti.Tool, error) {
	pub, err := url.Parse(d.Config.PublicURL)
	if err != nil || pub.Host == "" {
		return nil, fmt.Errorf("public url %q: not an absolute url", d.Config.PublicURL)
	}
	client := ltiHTTPClient(d)
	return &lti.Tool{
		Store:        d.Store,
		Keys:         &lti.Keyring{Store: d.Store, Clock: d.Clock},
		PlatformKeys: &lti.PlatformKeys{Client: client, Clock: d.Clock},
		PublicURL:    pub,
		Logger:       d.Logger,
		Clock:        d.Clock,
		// Registrations change rarely; a disable from the CLI is seen
		// within two seconds.
		RegistrationCacheTTL: 2 * time.Second,
		ProbeStorage:         d.Config.LTIProbeStorage,
		Roster:               rosterLinker{d.Store},
	}, nil
}

// rosterLinker links LTI learners to OneRoster users through the roster's
// learner identity rules (sourcedId or a userIds entry, after merges).
type rosterLinker struct{ st oneroster.IdentityStore }

func (r rosterLinker) RosterUser(ctx context.Context, tenant, personSourcedID string) (string, error) {
	u, err := oneroster.FindLearner(ctx, r.st, tenant, oneroster.ByLTI, personSourcedID)
	if err != nil {
		return "", err
	}
	return u.SourcedID, nil
}

// ltiMounts are the lti HTTP handlers serve mounts.
func ltiMounts(d *deps) []server.Mounter {
	tool, err := ltiTool(d)
	if err != nil {
		d.Logger.Error("lti tool not mounted", "err", err)
		return nil
	}
	h := &ltihttp.Handler{
		Tool:     tool,
		Store:    d.Store,
		Auth:     d.Auth,
		Client:   ltiHTTPClient(d),
		Logger:   d.Logger,
		Grader:   &lti.Grader{Store: d.Store, Regs: d.Store, Logger: d.Logger, Clock: d.Clock},
		Recorder: &ltiLaunchRecorder{d: d, tool: tool},
	}
	if d.Auth != nil {
		// Each launch gets a fresh bearer token bound to the learner and
		// the attempt's registration (docs/security.md, launch tokens).
		h.Credentials = &lti.LaunchCredentials{Tool: tool, Issuer: d.Auth}
	}
	return []server.Mounter{h}
}

// ltiWorkers are the lti background loops serve runs: the tool key check at
// start, the sweep of expired login states and nonces, and the score outbox.
func ltiWorkers(d *deps) []worker {
	keys := &lti.Keyring{Store: d.Store, Clock: d.Clock}
	grader := &lti.Grader{
		Store: d.Store, Regs: d.Store, Logger: d.Logger, Clock: d.Clock,
		Services: &lti.Services{Client: ltiHTTPClient(d), Keys: keys, Clock: d.Clock, Random: randomB64},
	}
	return []worker{{
		Name: "lti-scores",
		Run:  func(ctx context.Context) error { return grader.Run(ctx, 30*time.Second) },
	}, {
		Name: "lti-outcomes",
		Run: func(ctx context.Context) error {
			w := &ltiOutcomeWatcher{d: d, grader: grader}
			return w.run(ctx, 15*time.Second)
		},
	}, {
		Name: "lti-sweep",
		Run: func(ctx context.Context) error {
			if err := keys.Ensure(ctx); err != nil {
				d.Logger.ErrorContext(ctx, "lti tool key not ensured", "err", err)
			}
			tick := time.NewTicker(5 * time.Minute)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-tick.C:
					n, err := d.Store.SweepLTI(ctx, d.Clock())
					if err != nil {
						d.Logger.WarnContext(ctx, "lti sweep failed", "err", err)
						continue
					}
					if n > 0 {
						d.Logger.DebugContext(ctx, "lti sweep", "removed", n)
					}
				}
			}
		},
	}}
}

// stringList is a repeatable or comma-separated flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}

func ltiRegisterCommand() command {
	var (
		tenant, issuer, clientID, authURL, tokenURL, jwksURL, name, keyFile string
		deployments, targetHosts, tokenAuds                                 stringList
		acceptNew, audArray                                                 bool
	)
	return command{
		Summary:    "register an LTI 1.3 platform by hand (Dynamic Registration is the other way)",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant the registration belongs to (created if missing)")
			fs.StringVar(&issuer, "issuer", "", "the platform's issuer (iss), exactly as it sends it")
			fs.StringVar(&clientID, "client-id", "", "the client id the platform gave the tool")
			fs.Var(&deployments, "deployment-id", "a deployment id (repeat or comma-separate for several)")
			fs.StringVar(&authURL, "auth-url", "", "the platform's OIDC authorization endpoint")
			fs.StringVar(&tokenURL, "token-url", "", "the platform's OAuth 2 token endpoint")
			fs.StringVar(&jwksURL, "jwks-url", "", "the platform's public key set URL")
			fs.Var(&tokenAuds, "token-audience", "aud of the tool's client assertion when it is not the token URL (Brightspace); repeat for several (sent as an array)")
			fs.BoolVar(&audArray, "token-audience-array", false, "send the client assertion's aud as a JSON array, even with one audience (the token URL when no --token-audience)")
			fs.StringVar(&keyFile, "platform-key-file", "", "a PEM file with the platform's public key, instead of --jwks-url")
			fs.BoolVar(&acceptNew, "accept-new-deployments", false, "record unknown deployment ids on first launch instead of refusing them")
			fs.Var(&targetHosts, "target-host", "an extra host:port that target_link_uri may point to (repeatable)")
			fs.StringVar(&name, "name", "", "a label for admins")
		},
		Check: func(args []string) error {
			switch {
			case len(args) > 0:
				return fmt.Errorf("unexpected argument %q", args[0])
			case !auth.ValidTenantID(tenant):
				return fmt.Errorf("--tenant %q: want 1-64 letters, digits, '-' or '_'", tenant)
			case issuer == "" || clientID == "" || authURL == "" || tokenURL == "":
				return errors.New("--issuer, --client-id, --auth-url and --token-url are required")
			case jwksURL == "" && keyFile == "":
				return errors.New("--jwks-url (or --platform-key-file) is required")
			case len(deployments) == 0 && !acceptNew:
				return errors.New("--deployment-id is required unless --accept-new-deployments is set")
			}
			for _, aud := range tokenAuds {
				if err := lti.CheckURL(aud); err != nil {
					return fmt.Errorf("--token-audience: %w (http is accepted only on loopback hosts)", err)
				}
			}
			for flagName, v := range map[string]string{"--issuer": issuer, "--auth-url": authURL, "--token-url": tokenURL, "--jwks-url": jwksURL} {
				if v == "" {
					continue
				}
				if err := lti.CheckURL(v); err != nil {
					return fmt.Errorf("%s: %w (http is accepted only on loopback hosts)", flagName, err)
				}
			}
			for _, dep := range deployments {
				if len(dep) > 255 {
					return errors.New("--deployment-id: at most 255 characters")
				}
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			fail := func(err error) int {
				fmt.Fprintf(d.Stderr, "passport lti register: %v\n", err)
				return 1
			}
			var pem string
			if keyFile != "" {
				b, err := os.ReadFile(keyFile)
				if err != nil {
					return fail(err)
				}
				pem = string(b)
			}
			if err := d.Auth.EnsureTenant(ctx, tenant); err != nil {
				return fail(err)
			}
			reg := lti.Registration{
				Tenant: tenant, ID: uuid.NewString(), Issuer: issuer, ClientID: clientID, Deployments: deployments,
				AcceptNewDeployments: acceptNew, AuthURL: authURL, TokenURL: tokenURL, TokenAudience: lti.FormatTokenAudience(tokenAuds, audArray),
				JWKSURL: jwksURL, PlatformKeyPEM: pem, TargetHosts: targetHosts, Name: name, Source: "cli", Created: d.Clock().UTC(),
			}
			if err := d.Store.CreateRegistration(ctx, reg); errors.Is(err, store.ErrConflict) {
				return fail(fmt.Errorf("issuer %q with client id %q is already registered", issuer, clientID))
			} else if err != nil {
				return fail(err)
			}
			base := strings.TrimRight(d.Config.PublicURL, "/")
			fmt.Fprintf(d.Stdout, "registration: %s\ntenant: %s\n", reg.ID, tenant)
			fmt.Fprintf(d.Stdout, "tool login url: %s%s\n", base, lti.PathLogin)
			fmt.Fprintf(d.Stdout, "tool redirect url: %s%s\n", base, lti.PathLaunch)
			fmt.Fprintf(d.Stdout, "tool jwks url: %s%s\n", base, lti.PathJWKS)
			fmt.Fprintf(d.Stdout, "tool deep linking url: %s%s\n", base, lti.PathDeepLink)
			return 0
		},
	}
}

func ltiListCommand() command {
	var tenant string
	return command{
		Summary:    "list a tenant's LTI platform registrations",
		NeedsStore: true,
		Flags:      func(fs *flag.FlagSet) { fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant") },
		Run: func(ctx context.Context, d *deps, _ []string) int {
			regs, err := d.Store.Registrations(ctx, tenant)
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lti list: %v\n", err)
				return 1
			}
			w := tabwriter.NewWriter(d.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tISSUER\tCLIENT ID\tDEPLOYMENTS\tSOURCE\tDISABLED")
			for _, r := range regs {
				deps := strings.Join(r.Deployments, ",")
				if r.AcceptNewDeployments {
					deps += " (+new)"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%t\n", r.ID, r.Issuer, r.ClientID, deps, r.Source, r.Disabled)
			}
			_ = w.Flush()
			return 0
		},
	}
}

func ltiDisableCommand(disable bool) command {
	var tenant string
	verb := map[bool]string{true: "disable", false: "enable"}[disable]
	return command{
		Summary:    verb + " an LTI registration: passport lti " + verb + " ID",
		NeedsStore: true,
		Flags:      func(fs *flag.FlagSet) { fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant") },
		Check: func(args []string) error {
			if len(args) != 1 {
				return errors.New("want exactly one registration ID")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, args []string) int {
			err := d.Store.SetRegistrationDisabled(ctx, tenant, args[0], disable)
			if errors.Is(err, store.ErrNotFound) {
				fmt.Fprintf(d.Stderr, "passport lti %s: tenant %q has no registration %q\n", verb, tenant, args[0])
				return 1
			}
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lti %s: %v\n", verb, err)
				return 1
			}
			fmt.Fprintf(d.Stdout, "%sd %s\n", verb, args[0])
			return 0
		},
	}
}

func ltiKeysRotateCommand() command {
	var force bool
	return command{
		Summary: "rotate the tool's signing key: publish a next key, or (after 24 h, or with --force) sign with it and retire the old one",
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&force, "force", false, "promote now (platforms that cached the old key set may refuse signatures until they refetch)")
		},
		NeedsStore: true,
		Run: func(ctx context.Context, d *deps, _ []string) int {
			keys := &lti.Keyring{Store: d.Store, Clock: d.Clock}
			if err := keys.Ensure(ctx); err != nil {
				fmt.Fprintf(d.Stderr, "passport lti rotate-key: %v\n", err)
				return 1
			}
			res, err := keys.Rotate(ctx, force)
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lti rotate-key: %v\n", err)
				return 1
			}
			if res.Published != "" {
				fmt.Fprintf(d.Stdout, "published next key: %s\n", res.Published)
			}
			if res.Activated != "" {
				fmt.Fprintf(d.Stdout, "signing with: %s\n", res.Activated)
			}
			if res.Retired != "" {
				fmt.Fprintf(d.Stdout, "retired (still published for the grace period): %s\n", res.Retired)
			}
			for _, k := range res.Removed {
				fmt.Fprintf(d.Stdout, "removed: %s\n", k)
			}
			if res.Published == "" && res.Activated == "" && len(res.Removed) == 0 {
				fmt.Fprintln(d.Stdout, "next key published less than 24 h ago; run again later or use --force")
			}
			return 0
		},
	}
}

func ltiKeysListCommand() command {
	return command{
		Summary:    "list the tool's signing keys and their status",
		NeedsStore: true,
		Run: func(ctx context.Context, d *deps, _ []string) int {
			keys, err := d.Store.ToolKeys(ctx, lti.InstallationKeys)
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lti keys: %v\n", err)
				return 1
			}
			w := tabwriter.NewWriter(d.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "KID\tSTATUS\tCREATED\tACTIVATED\tRETIRED")
			day := func(t time.Time) string {
				if t.IsZero() {
					return "-"
				}
				return t.UTC().Format(time.RFC3339)
			}
			for _, k := range keys {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", k.KID, k.Status, day(k.Created), day(k.Activated), day(k.Retired))
			}
			_ = w.Flush()
			return 0
		},
	}
}

func ltiContentPutCommand() command {
	var (
		tenant, id, title, description, launchURL, activityID, maxScore string
		tags                                                            stringList
	)
	return command{
		Summary:    "add or replace a catalogue activity",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant (created if missing)")
			fs.StringVar(&id, "id", "", "the activity's id (letters, digits, '.', '_', '-')")
			fs.StringVar(&title, "title", "", "title shown to teachers and learners")
			fs.StringVar(&description, "description", "", "one or two sentences")
			fs.StringVar(&launchURL, "launch-url", "", "where the activity's content lives (https)")
			fs.StringVar(&activityID, "activity-id", "", "the xAPI activity IRI (default: PUBLIC_URL/activities/ID)")
			fs.StringVar(&maxScore, "score-maximum", "", "maximum score; set it for scored activities")
			fs.Var(&tags, "tags", "subject tags, comma-separated (maths, science, literacy, social and emotional learning)")
		},
		Check: func(args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q", args[0])
			}
			if !auth.ValidTenantID(tenant) {
				return fmt.Errorf("--tenant %q: want 1-64 letters, digits, '-' or '_'", tenant)
			}
			if id == "" || title == "" || launchURL == "" {
				return errors.New("--id, --title and --launch-url are required")
			}
			if maxScore != "" {
				if f, err := strconv.ParseFloat(maxScore, 64); err != nil || f < 0 {
					return errors.New("--score-maximum: want a non-negative number")
				}
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			fail := func(err error) int {
				fmt.Fprintf(d.Stderr, "passport lti content-put: %v\n", err)
				return 1
			}
			c := lti.Content{Tenant: tenant, ID: id, Title: title, Description: description, LaunchURL: launchURL, ActivityID: activityID, Tags: tags}
			if c.ActivityID == "" {
				c.ActivityID = strings.TrimRight(d.Config.PublicURL, "/") + "/activities/" + id
			}
			if maxScore != "" {
				c.ScoreMaximum, _ = strconv.ParseFloat(maxScore, 64)
			}
			if err := c.Validate(); err != nil {
				return fail(err)
			}
			if err := d.Auth.EnsureTenant(ctx, tenant); err != nil {
				return fail(err)
			}
			now := d.Clock().UTC()
			c.Created, c.Updated = now, now
			if old, err := d.Store.Content(ctx, tenant, id); err == nil {
				c.Created = old.Created
			} else if !errors.Is(err, store.ErrNotFound) {
				return fail(err)
			}
			if err := d.Store.PutContent(ctx, c); err != nil {
				return fail(err)
			}
			fmt.Fprintf(d.Stdout, "saved %s\n", id)
			return 0
		},
	}
}

func ltiContentListCommand() command {
	var tenant, q string
	return command{
		Summary:    "list a tenant's catalogue activities",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant")
			fs.StringVar(&q, "q", "", "only items matching these words")
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			items, err := d.Store.Contents(ctx, tenant)
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lti content-list: %v\n", err)
				return 1
			}
			if q != "" {
				items = lti.SearchContents(items, q)
			}
			w := tabwriter.NewWriter(d.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tTITLE\tSCORE MAX\tTAGS")
			for _, c := range items {
				fmt.Fprintf(w, "%s\t%s\t%g\t%s\n", c.ID, c.Title, c.ScoreMaximum, strings.Join(c.Tags, ","))
			}
			_ = w.Flush()
			return 0
		},
	}
}

func ltiContentDeleteCommand() command {
	var tenant string
	return command{
		Summary:    "remove a catalogue activity: passport lti content-delete ID",
		NeedsStore: true,
		Flags:      func(fs *flag.FlagSet) { fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant") },
		Check: func(args []string) error {
			if len(args) != 1 {
				return errors.New("want exactly one activity ID")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, args []string) int {
			err := d.Store.DeleteContent(ctx, tenant, args[0])
			if errors.Is(err, store.ErrNotFound) {
				fmt.Fprintf(d.Stderr, "passport lti content-delete: tenant %q has no activity %q\n", tenant, args[0])
				return 1
			}
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lti content-delete: %v\n", err)
				return 1
			}
			fmt.Fprintf(d.Stdout, "deleted %s\n", args[0])
			return 0
		},
	}
}

// randomB64 returns n random bytes, base64url-encoded (client assertion jti).
func randomB64(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func ltiInviteCommand() command {
	var tenant string
	var ttl time.Duration
	return command{
		Summary:    "print a Dynamic Registration URL (with a signed invite) to paste into a platform",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant the platform registers into (created if missing)")
			fs.DurationVar(&ttl, "valid", 7*24*time.Hour, "how long the invite works")
		},
		Check: func(args []string) error {
			switch {
			case len(args) > 0:
				return fmt.Errorf("unexpected argument %q", args[0])
			case !auth.ValidTenantID(tenant):
				return fmt.Errorf("--tenant %q: want 1-64 letters, digits, '-' or '_'", tenant)
			case ttl <= 0:
				return errors.New("--valid must be positive")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			tool, err := ltiTool(d)
			if err == nil {
				err = d.Auth.EnsureTenant(ctx, tenant)
			}
			var u string
			if err == nil {
				u, err = tool.RegistrationInvite(ctx, tenant, ttl)
			}
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lti invite: %v\n", err)
				return 1
			}
			fmt.Fprintln(d.Stdout, u)
			return 0
		},
	}
}

// ltiLaunchRecorder records each launch as an xAPI statement in the
// tenant's LRS, with the tool as authority.
type ltiLaunchRecorder struct {
	d    *deps
	tool *lti.Tool
}

var _ lti.LaunchRecorder = (*ltiLaunchRecorder)(nil)

// RecordLaunch stores the launch statement.
func (r *ltiLaunchRecorder) RecordLaunch(ctx context.Context, li lti.LaunchInfo) error {
	body, err := r.tool.LaunchStatement(li)
	if err != nil {
		return err
	}
	m, err := lrs.ValidateStatement(body, lrs.V1)
	if err != nil {
		return fmt.Errorf("launch statement: %w", err)
	}
	authority := map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": r.tool.URL(""), "name": "passport-lti"}}
	st, err := lrs.Prepare(m, lrs.Prepared{Authority: authority, Version: lrs.V1})
	if err != nil {
		return fmt.Errorf("launch statement: %w", err)
	}
	if err := r.d.Store.SaveStatements(ctx, li.Tenant, r.d.Clock(), []*lrs.Statement{st}, nil); err != nil {
		return fmt.Errorf("save launch statement: %w", err)
	}
	return nil
}

// ltiOutcomeWatcher closes the grade loop from the LRS side: it reads the
// statements each tenant's LRS stored since the last look and reports the
// results of attempts launched from a platform to the grader (which ignores
// attempts it did not launch and queues each result once).
type ltiOutcomeWatcher struct {
	d      *deps
	grader *lti.Grader
	since  map[string]time.Time
}

func (w *ltiOutcomeWatcher) run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := w.poll(ctx); err != nil && ctx.Err() == nil {
			w.d.Logger.WarnContext(ctx, "lti outcome watch", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// poll reads every tenant's new statements once. On the first poll it looks
// back a day: reporting is idempotent, so a restart loses no result.
func (w *ltiOutcomeWatcher) poll(ctx context.Context) error {
	if w.since == nil {
		w.since = map[string]time.Time{}
	}
	tenants, err := w.d.Store.Tenants(ctx)
	if err != nil {
		return fmt.Errorf("tenants: %w", err)
	}
	for _, tn := range tenants {
		since, ok := w.since[tn.ID]
		if !ok {
			since = w.d.Clock().Add(-24 * time.Hour)
		}
		q := lrs.Query{Since: since.Add(-time.Millisecond), Ascending: true, Limit: 500}
		latest := since
		for range 100 {
			page, err := w.d.Store.QueryStatements(ctx, tn.ID, q)
			if err != nil {
				return fmt.Errorf("statements of %s: %w", tn.ID, err)
			}
			for _, st := range page.Statements {
				if st.Stored.After(latest) {
					latest = st.Stored
				}
				attempt, outcome, ok := lti.OutcomeFromStatement(st.JSON, st.Stored)
				if !ok {
					continue
				}
				if err := w.grader.Report(ctx, tn.ID, attempt, outcome); err != nil {
					return fmt.Errorf("report outcome: %w", err)
				}
			}
			if page.More == nil {
				break
			}
			q.After = page.More
		}
		w.since[tn.ID] = latest
	}
	return nil
}

// ltiMembersCommand syncs a course's roster through the platform's Names
// and Roles service. The first sync reads the whole roster; the platform's
// rel="differences" link is stored, and the next sync reads only the
// changes through it (members who left come back Inactive or Deleted).
// It prints user ids, statuses and roles only (no names or emails).
func ltiMembersCommand() command {
	var tenant, regID, membershipsURL string
	return command{
		Summary:    "sync a course roster (Names and Roles); later syncs read only the changes",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant")
			fs.StringVar(&regID, "registration", "", "platform registration id (passport lti list)")
			fs.StringVar(&membershipsURL, "url", "", "the course's context_memberships_url, as the platform sends it in launches")
		},
		Check: func([]string) error {
			if regID == "" || membershipsURL == "" {
				return errors.New("--registration and --url are required")
			}
			if u, err := url.Parse(membershipsURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
				return errors.New("--url: not an absolute http(s) url")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			reg, err := d.Store.Registration(ctx, tenant, regID)
			if errors.Is(err, store.ErrNotFound) {
				fmt.Fprintf(d.Stderr, "passport lti members: tenant %q has no registration %q\n", tenant, regID)
				return 1
			}
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lti members: %v\n", err)
				return 1
			}
			svc := &lti.Services{Client: ltiHTTPClient(d), Keys: &lti.Keyring{Store: d.Store, Clock: d.Clock}, Clock: d.Clock, Random: randomB64}
			claim := &lti.NRPSClaim{ContextMembershipsURL: membershipsURL}
			m, full, err := svc.SyncMemberships(ctx, d.Store, reg, claim, lti.MembershipQuery{})
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport lti members: %v\n", err)
				return 1
			}
			kind := "changes since the last sync"
			if full {
				kind = "whole roster"
			}
			fmt.Fprintf(d.Stdout, "%s: %d members\n", kind, len(m.Members))
			w := tabwriter.NewWriter(d.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "USER ID\tSTATUS\tROLES")
			for _, mem := range m.Members {
				status := mem.Status
				if status == "" {
					status = "Active"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", mem.UserID, status, strings.Join(mem.Roles, ","))
			}
			_ = w.Flush()
			return 0
		},
	}
}
