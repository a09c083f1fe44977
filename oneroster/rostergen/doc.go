// Package rostergen writes synthetic OneRoster 1.1 CSV packages of any size, for benchmarks and load tests.
package rostergen
