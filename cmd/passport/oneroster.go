package main

import "github.com/passportbridge/passport/internal/server"

// onerosterCommands are the oneroster subcommands, keyed by their words (such as "lti register").
func onerosterCommands() map[string]command { return nil }

// onerosterMounts are the oneroster HTTP handlers serve mounts.
func onerosterMounts(_ *deps) []server.Mounter { return nil }

// onerosterWorkers are the oneroster background loops serve runs.
func onerosterWorkers(_ *deps) []worker { return nil }
