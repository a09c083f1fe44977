package main

import (
	"fmt"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func versionString() string {
	s := "passport " + version
	if bi, ok := debug.ReadBuildInfo(); ok {
		s += " " + bi.GoVersion
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				s += fmt.Sprintf(" commit %.12s", kv.Value)
			case "vcs.modified":
				if kv.Value == "true" {
					s += " (modified)"
				}
			}
		}
	}
	return s
}
