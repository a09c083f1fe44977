// Package oneroster is the OneRoster 1.1/1.2 roster model: records, snapshots, deltas and the storage interface.
package oneroster
