// Package lti is the black-box LTI 1.3 conformance suite: it drives the tool
// over real HTTP against the platform simulator, for every platform profile.
package lti
