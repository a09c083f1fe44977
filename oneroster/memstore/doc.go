// Package memstore is an in-memory oneroster.Store: the reference semantics the real backends are tested against, and a fast store for tests.
package memstore
