// Package auth holds tenants, API credentials and bearer tokens, and checks a
// request's credential and scopes; it knows nothing of HTTP.
package auth
