// Package store holds the error values every storage backend returns, so that
// domain packages and the HTTP error handler can tell outcomes apart.
package store

import "errors"

// ErrNotFound means the requested record does not exist in the caller's tenant.
var ErrNotFound = errors.New("not found")

// ErrConflict means the write collides with an existing record (same id,
// different content; a key already taken; a nonce already used).
var ErrConflict = errors.New("conflict")

// ErrPrecondition means a conditional write's precondition (an ETag, a
// version) did not hold.
var ErrPrecondition = errors.New("precondition failed")
