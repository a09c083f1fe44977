// Command passport runs Passport Bridge: the LRS, the LTI tool, the OneRoster
// provider and the connectors, from one binary.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/httpclient"
	"github.com/passportbridge/passport/internal/logctx"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// allCommands is every subcommand, the core ones and each domain's.
func allCommands() map[string]command {
	cmds := map[string]command{
		"serve":               serveCommand(),
		"credentials create":  credentialsCreateCommand(),
		"credentials list":    credentialsListCommand(),
		"credentials disable": credentialsDisableCommand(true),
		"credentials enable":  credentialsDisableCommand(false),
		"version":             versionCommand(),
		"backup":              backupCommand(),
	}
	for _, domain := range []map[string]command{lrsCommands(), forwardCommands(), ltiCommands(), onerosterCommands(), syncCommands()} {
		maps.Copy(cmds, domain)
	}
	return cmds
}

// run is main without the process: it picks the subcommand, loads its
// configuration, opens the store when the command needs it, and runs it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmds := allCommands()
	name, rest := pick(cmds, args)
	if name == "" {
		if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			printHelp(stdout, cmds)
			return 0
		}
		fmt.Fprintf(stderr, "passport: unknown command %q (see passport help)\n", commandWords(args))
		return 2
	}
	cmd := cmds[name]
	cfg, positional, err := config.Load(name, rest, getenv, cmd.Flags)
	if err != nil {
		fmt.Fprintf(stderr, "passport %s: %v\n", name, err)
		return 2
	}
	file, err := config.LoadFile(cfg.ConfigFile)
	if err != nil {
		fmt.Fprintf(stderr, "passport %s: %v\n", name, err)
		return 2
	}
	if cmd.Check != nil {
		if err := cmd.Check(positional); err != nil {
			fmt.Fprintf(stderr, "passport %s: %v\n", name, err)
			return 2
		}
	}
	if name != "serve" && cfg.LogLevel == slog.LevelInfo {
		cfg.LogLevel = slog.LevelWarn // one-shot commands print results, not progress
	}
	logger := newLogger(cfg, stderr)
	d := &deps{
		Config:  cfg,
		File:    file,
		Logger:  logger,
		Metrics: prometheus.NewRegistry(),
		Clock:   time.Now,
		HTTPClient: func(l *slog.Logger) *retryablehttp.Client {
			return httpclient.New(l)
		},
		Stdout: stdout,
		Stderr: stderr,
		Getenv: getenv,
	}
	if err := checkConfigFile(d); err != nil {
		fmt.Fprintf(stderr, "passport %s: %v\n", name, err)
		return 2
	}
	if cmd.NeedsStore {
		s, err := openStore(ctx, cfg, logger)
		if err != nil {
			fmt.Fprintf(stderr, "passport %s: %v\n", name, err)
			return 1
		}
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := s.Close(cctx); err != nil {
				logger.Error("close store", "err", err)
			}
		}()
		d.Store = s
		d.Auth = auth.NewAuthenticator(s, d.Clock)
		if _, err := enableOAuth1(d, name == "serve"); err != nil {
			fmt.Fprintf(stderr, "passport %s: %v\n", name, err)
			return 1
		}
	}
	return cmd.Run(ctx, d, positional)
}

// commandWords is the leading words of args before any flag, at most three.
func commandWords(args []string) string {
	n := 0
	for n < len(args) && n < 3 && !strings.HasPrefix(args[n], "-") {
		n++
	}
	return strings.Join(args[:n], " ")
}

// pick finds the longest command name (up to three words) that args begin with.
func pick(cmds map[string]command, args []string) (string, []string) {
	for n := min(3, len(args)); n >= 1; n-- {
		name := strings.Join(args[:n], " ")
		if _, ok := cmds[name]; ok {
			return name, args[n:]
		}
	}
	return "", nil
}

func printHelp(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "passport: Passport Bridge, the learning-record bridge for displaced and out-of-school children")
	fmt.Fprintln(w, "\nusage: passport COMMAND [flags]   (passport COMMAND --help lists a command's flags)")
	fmt.Fprintln(w, "\ncommands:")
	for _, name := range slices.Sorted(maps.Keys(cmds)) {
		fmt.Fprintf(w, "  %-22s %s\n", name, cmds[name].Summary)
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(logctx.Handler{Handler: h})
}
