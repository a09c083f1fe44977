// Package httperr defines typed HTTP errors with public messages, mapped to status codes in one place.
package httperr
