// Package conformance holds black-box protocol conformance suites that run over HTTP.
package conformance
