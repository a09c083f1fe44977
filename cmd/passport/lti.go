package main

import "github.com/passportbridge/passport/internal/server"

// ltiCommands are the lti subcommands, keyed by their words (such as "lti register").
func ltiCommands() map[string]command { return nil }

// ltiMounts are the lti HTTP handlers serve mounts.
func ltiMounts(_ *deps) []server.Mounter { return nil }

// ltiWorkers are the lti background loops serve runs.
func ltiWorkers(_ *deps) []worker { return nil }
