package main

import "github.com/passportbridge/passport/internal/server"

// syncCommands are the sync subcommands, keyed by their words (such as "lti register").
func syncCommands() map[string]command { return nil }

// syncMounts are the sync HTTP handlers serve mounts.
func syncMounts(_ *deps) []server.Mounter { return nil }

// syncWorkers are the sync background loops serve runs.
func syncWorkers(_ *deps) []worker { return nil }
