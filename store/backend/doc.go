// Package backend names the full storage contract a Passport Bridge backend implements.
package backend
