package httperr

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/store"
)

// Error is an HTTP error with a message that is safe to show the client.
// Err, when set, is the internal cause: logged, never shown.
type Error struct {
	Status  int
	Message string
	// Code is an optional machine-readable code (a OneRoster imsx codeMinor,
	// an OAuth error code).
	Code string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a status and a public message.
func New(status int, msg string) *Error { return &Error{Status: status, Message: msg} }

// Wrap returns an error with a status and a public message around an
// internal cause.
func Wrap(status int, msg string, cause error) *Error {
	return &Error{Status: status, Message: msg, Err: cause}
}

// WithCode returns a copy of e with a machine-readable code.
func (e *Error) WithCode(code string) *Error {
	c := *e
	c.Code = code
	return &c
}

// Resolved is what a client is told about an error.
type Resolved struct {
	Status  int
	Message string
	Code    string
}

// Resolve decides the status and public message of err:
//   - *Error: its own;
//   - an error with an HTTPStatus() int method (domain validation errors):
//     that status, and its Error() text as the message;
//   - store.ErrNotFound, ErrConflict, ErrPrecondition: 404, 409, 412;
//   - *fiber.Error (routing, body limit): its code and message;
//   - anything else: 500 with a generic message, so internals never leak.
func Resolve(err error) Resolved {
	var he *Error
	if errors.As(err, &he) {
		return Resolved{Status: he.Status, Message: he.Message, Code: he.Code}
	}
	var hs interface{ HTTPStatus() int }
	if errors.As(err, &hs) {
		return Resolved{Status: hs.HTTPStatus(), Message: hs.(error).Error()}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Resolved{Status: http.StatusNotFound, Message: "not found"}
	case errors.Is(err, store.ErrConflict):
		return Resolved{Status: http.StatusConflict, Message: "conflict with an existing record"}
	case errors.Is(err, store.ErrPrecondition):
		return Resolved{Status: http.StatusPreconditionFailed, Message: "precondition failed"}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return Resolved{Status: fe.Code, Message: fe.Message}
	}
	return Resolved{Status: http.StatusInternalServerError, Message: "internal error"}
}
