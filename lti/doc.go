// Package lti is the LTI 1.3 / LTI Advantage tool: login initiation, launch validation, deep linking, AGS and NRPS.
package lti
