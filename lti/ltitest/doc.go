// Package ltitest holds test helpers for the LTI tool: an in-memory lti.Store.
package ltitest
