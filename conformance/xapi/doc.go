// Package xapi is the black-box xAPI 1.0.3 and 2.0 conformance suite: Run drives any LRS through a Target (in-process in this package's tests, against both stores), with the specification section in each case's name.
package xapi
