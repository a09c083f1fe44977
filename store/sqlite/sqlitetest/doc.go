// Package sqlitetest opens throwaway SQLite stores for tests.
package sqlitetest
