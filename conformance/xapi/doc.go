// Package xapi is the black-box xAPI 1.0.3 and 2.0 conformance suite.
package xapi
