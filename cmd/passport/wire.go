package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store/backend"
)

// deps is what every command and protocol hook may use, built once per process.
type deps struct {
	Config  config.Config
	File    config.File // the YAML file named by --config (zero when none)
	Store   backend.Store
	Auth    *auth.Authenticator
	Logger  *slog.Logger
	Metrics prometheus.Registerer
	Clock   func() time.Time
	// HTTPClient returns a retrying client for outbound calls (forwarding,
	// AGS, connectors), logging through logger.
	HTTPClient func(logger *slog.Logger) *retryablehttp.Client
	Stdout     io.Writer
	Stderr     io.Writer
	// Getenv reads the process environment (secrets named by *_env keys).
	Getenv func(string) string
}

// worker is a background loop that serve runs until its context ends.
type worker struct {
	Name string
	Run  func(ctx context.Context) error
}

// command is one subcommand, keyed by its words ("serve", "lti register").
// Run returns the process exit status: 0 ok, 1 failure, 2 usage error.
type command struct {
	Summary string
	// Flags adds the command's own flags beside the common ones; nil if none.
	Flags func(fs *flag.FlagSet)
	// Check, when set, validates the flags and arguments before the store
	// is opened; its error is a usage error (one line, exit status 2).
	Check func(args []string) error
	// NeedsStore says whether d.Store and d.Auth are opened before Run.
	NeedsStore bool
	// Run gets the arguments left after the flags.
	Run func(ctx context.Context, d *deps, args []string) int
}

// mounts lists every protocol's HTTP handlers, in one place.
func mounts(d *deps) []server.Mounter {
	var m []server.Mounter
	m = append(m, lrsMounts(d)...)
	m = append(m, forwardMounts(d)...)
	m = append(m, ltiMounts(d)...)
	m = append(m, onerosterMounts(d)...)
	m = append(m, syncMounts(d)...)
	return m
}

// workers lists every background loop serve runs.
func workers(d *deps) []worker {
	var w []worker
	w = append(w, lrsWorkers(d)...)
	w = append(w, forwardWorkers(d)...)
	w = append(w, ltiWorkers(d)...)
	w = append(w, onerosterWorkers(d)...)
	w = append(w, syncWorkers(d)...)
	return w
}

// checkConfigFile validates every part of the --config file strictly before
// anything is opened or started, so a bad key is one line and exit status 2.
func checkConfigFile(d *deps) error {
	if err := syncCheck(d); err != nil {
		return err
	}
	if err := forwardCheck(d); err != nil {
		return err
	}
	if _, _, err := oneroster.ParseRetention(d.Getenv(tombstoneRetentionEnv)); err != nil {
		return &config.UsageError{Msg: fmt.Sprintf("%s: %v", tombstoneRetentionEnv, err)}
	}
	return nil
}
