package main

import "github.com/passportbridge/passport/internal/server"

// lrsCommands are the lrs subcommands, keyed by their words (such as "lti register").
func lrsCommands() map[string]command { return nil }

// lrsMounts are the lrs HTTP handlers serve mounts.
func lrsMounts(_ *deps) []server.Mounter { return nil }

// lrsWorkers are the lrs background loops serve runs.
func lrsWorkers(_ *deps) []worker { return nil }
