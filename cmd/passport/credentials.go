package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/store"
)

func credentialsCreateCommand() command {
	var tenant, name, scopes string
	var asJSON bool
	var oauth1 oauth1Flag
	return command{
		Summary:    "create an API credential; prints its key and secret once",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant the credential belongs to (created if missing)")
			fs.StringVar(&name, "name", "", "a name saying who uses the credential")
			fs.StringVar(&scopes, "scopes", "", "comma-separated scopes, e.g. statements/write,statements/read/mine")
			fs.BoolVar(&asJSON, "json", false, "print one JSON object instead of two lines")
			fs.Var(&oauth1, "oauth1", "also let the credential sign OneRoster 1.1 requests with OAuth 1.0a: hmac-sha256 (the default) or hmac-sha1 (allows HMAC-SHA1 too); its secret is then derived from the OAuth 1.0a master key")
		},
		Check: func(args []string) error {
			args = oauth1.takeMethod(args)
			if oauth1.on {
				if _, err := oauth1.methods(); err != nil {
					return err
				}
			}
			switch {
			case len(args) > 0:
				return fmt.Errorf("unexpected argument %q", args[0])
			case name == "":
				return errors.New("--name is required")
			case !auth.ValidTenantID(tenant):
				return fmt.Errorf("--tenant %q: want 1-64 letters, digits, '-' or '_'", tenant)
			}
			list, err := auth.ParseScopes(scopes)
			if err != nil {
				return fmt.Errorf("--scopes: %w", err)
			}
			if len(list) == 0 {
				return errors.New("--scopes is required")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			list, _ := auth.ParseScopes(scopes) // checked by Check
			var opts []auth.CredentialOption
			if oauth1.on {
				methods, _ := oauth1.methods() // checked by Check
				on, err := enableOAuth1(d, true)
				if err != nil {
					fmt.Fprintf(d.Stderr, "passport credentials create: %v\n", err)
					return 1
				}
				if !on {
					fmt.Fprintf(d.Stderr, "passport credentials create: --oauth1 with --store %s needs %s (the same master key on every server)\n", d.Config.Store, config.OAuth1KeyEnv)
					return 1
				}
				opts = append(opts, auth.WithOAuth1(methods))
			}
			nc, err := d.Auth.CreateCredential(ctx, tenant, name, list, opts...)
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport credentials create: %v\n", err)
				return 1
			}
			if asJSON {
				out, _ := json.Marshal(map[string]any{"key": nc.Key, "secret": nc.Secret, "tenant": nc.Tenant, "scopes": nc.Scopes})
				fmt.Fprintln(d.Stdout, string(out))
				return 0
			}
			fmt.Fprintf(d.Stdout, "key: %s\nsecret: %s\n", nc.Key, nc.Secret)
			return 0
		},
	}
}

func credentialsListCommand() command {
	var tenant string
	return command{
		Summary:    "list a tenant's credentials (never their secrets)",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant")
		},
		Run: func(ctx context.Context, d *deps, _ []string) int {
			list, err := d.Store.Credentials(ctx, tenant)
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport credentials list: %v\n", err)
				return 1
			}
			w := tabwriter.NewWriter(d.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "KEY\tNAME\tSCOPES\tCREATED\tDISABLED\tOAUTH1")
			for _, c := range list {
				oauth1 := strings.ToLower(strings.Join(c.OAuth1Methods, ","))
				if oauth1 == "" {
					oauth1 = "-"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%t\t%s\n", c.Key, c.Name, strings.Join(c.Scopes, ","), c.Created.Format("2006-01-02"), c.Disabled, oauth1)
			}
			_ = w.Flush()
			return 0
		},
	}
}

func credentialsDisableCommand(disable bool) command {
	var tenant string
	verb := map[bool]string{true: "disable", false: "enable"}[disable]
	return command{
		Summary:    verb + " a credential: passport credentials " + verb + " KEY",
		NeedsStore: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tenant, "tenant", auth.DefaultTenant, "tenant")
		},
		Check: func(args []string) error {
			if len(args) != 1 {
				return errors.New("want exactly one KEY")
			}
			return nil
		},
		Run: func(ctx context.Context, d *deps, args []string) int {
			err := d.Store.SetCredentialDisabled(ctx, tenant, args[0], disable)
			if errors.Is(err, store.ErrNotFound) {
				fmt.Fprintf(d.Stderr, "passport credentials %s: tenant %q has no credential %q\n", verb, tenant, args[0])
				return 1
			}
			if err != nil {
				fmt.Fprintf(d.Stderr, "passport credentials %s: %v\n", verb, err)
				return 1
			}
			fmt.Fprintf(d.Stdout, "%sd %s\n", verb, args[0])
			return 0
		},
	}
}
