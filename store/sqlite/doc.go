// Package sqlite is the embedded default store: one SQLite file in WAL mode, pure Go, durable group commits.
package sqlite
