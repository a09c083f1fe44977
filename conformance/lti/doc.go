// Package lti is the black-box LTI 1.3 conformance suite run against the platform simulator.
package lti
