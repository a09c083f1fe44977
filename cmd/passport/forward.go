package main

import "github.com/passportbridge/passport/internal/server"

// forwardCommands are the forwarding, export and erasure subcommands, keyed
// by their words (such as "lrs export").
func forwardCommands() map[string]command { return nil }

// forwardMounts are the forwarding and erasure HTTP handlers serve mounts.
func forwardMounts(_ *deps) []server.Mounter { return nil }

// forwardWorkers are the forwarding loops serve runs.
func forwardWorkers(_ *deps) []worker { return nil }
