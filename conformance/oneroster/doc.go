// Package oneroster is the black-box OneRoster REST conformance suite.
package oneroster
