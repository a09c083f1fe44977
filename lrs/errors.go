package lrs

import "fmt"

// ValidationError says which part of a request broke which rule of the xAPI
// specification. Its message is shown to the client, so it names only the
// field and the rule, never stored data.
type ValidationError struct {
	// Field is the JSON path of the offending property (e.g. "actor.mbox")
	// or the name of the request parameter or header.
	Field string
	// Reason states the rule that was broken.
	Reason string
	// Status is the HTTP status to answer with; zero means 400.
	Status int
}

// Error returns "field: reason".
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// HTTPStatus returns the status the error maps to (400 unless set).
func (e *ValidationError) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	return 400
}

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
