// Package rostersync runs connectors: it turns roster changes into deltas, pushes them, pulls rosters and progress, records run reports and schedules runs.
package rostersync
