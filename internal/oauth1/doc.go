// Package oauth1 signs and verifies OAuth 1.0a (RFC 5849) requests with
// HMAC-SHA256 or HMAC-SHA1 consumer signatures, as OneRoster 1.1 requires.
package oauth1
