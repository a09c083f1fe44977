package main

import (
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs/lrshttp"
)

// lrsCommands are the lrs subcommands, keyed by their words (such as "lti register").
func lrsCommands() map[string]command { return nil }

// lrsMounts are the lrs HTTP handlers serve mounts.
func lrsMounts(d *deps) []server.Mounter {
	return []server.Mounter{&lrshttp.Handler{
		Store:     d.Store,
		Auth:      d.Auth,
		Logger:    d.Logger.With("component", "lrs"),
		Clock:     d.Clock,
		PublicURL: d.Config.PublicURL,
		BodyLimit: d.Config.BodyLimit,
	}}
}

// lrsWorkers are the lrs background loops serve runs.
func lrsWorkers(_ *deps) []worker { return nil }
