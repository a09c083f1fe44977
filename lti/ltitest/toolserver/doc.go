// Package toolserver starts the LTI tool over real HTTP (internal/server
// with the ltihttp handler) on a loopback port, for tests and benchmarks.
package toolserver
