// Package lrshttp serves the xAPI resources under /xapi/ over fiber.
package lrshttp
