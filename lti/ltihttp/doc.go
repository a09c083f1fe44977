// Package ltihttp serves the LTI tool's endpoints under /lti/ over fiber.
package ltihttp
