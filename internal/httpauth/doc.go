// Package httpauth authenticates fiber requests (HTTP Basic and bearer tokens) and enforces scopes.
package httpauth
