package lti

import (
	"errors"
	"fmt"
	"net/http"
)

// Reason is a machine-readable code for why the tool refused a login,
// launch or registration. It is logged and safe to show.
type Reason string

// Reasons the tool refuses a message. Each maps to one plain-words message.
const (
	ReasonBadRequest          Reason = "bad_request"
	ReasonUnknownPlatform     Reason = "unknown_platform"
	ReasonAmbiguousPlatform   Reason = "ambiguous_platform"
	ReasonRegistrationOff     Reason = "registration_disabled"
	ReasonTargetNotAllowed    Reason = "target_not_allowed"
	ReasonStateMismatch       Reason = "state_mismatch"
	ReasonPlatformError       Reason = "platform_error"
	ReasonMalformedToken      Reason = "malformed_token"
	ReasonAlgorithm           Reason = "algorithm_not_allowed"
	ReasonKeyID               Reason = "unknown_key"
	ReasonSignature           Reason = "bad_signature"
	ReasonIssuer              Reason = "wrong_issuer"
	ReasonAudience            Reason = "wrong_audience"
	ReasonExpired             Reason = "expired"
	ReasonNotYetValid         Reason = "not_yet_valid"
	ReasonNonce               Reason = "nonce"
	ReasonReplay              Reason = "replay"
	ReasonDeployment          Reason = "unknown_deployment"
	ReasonMissingClaim        Reason = "missing_claim"
	ReasonInvalidClaim        Reason = "invalid_claim"
	ReasonUnsupportedMessage  Reason = "unsupported_message"
	ReasonKeyFetch            Reason = "platform_keys_unavailable"
	ReasonDynamicRegistration Reason = "dynamic_registration"
)

// Error is a refusal of untrusted input: the login, launch or registration
// cannot go on. Error() holds the technical detail for the log; Public()
// holds the plain-words sentence for the user.
type Error struct {
	Status int
	Reason Reason
	Detail string
	Err    error
}

// Error returns the technical reason, for logs.
func (e *Error) Error() string {
	s := "lti: " + string(e.Reason)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus is the 4xx status the refusal deserves.
func (e *Error) HTTPStatus() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// Public is the plain-words explanation shown to the person in the LMS frame.
func (e *Error) Public() string {
	switch e.Reason {
	case ReasonUnknownPlatform:
		return "This learning platform is not registered with Passport. Ask your administrator to register it."
	case ReasonAmbiguousPlatform:
		return "Several registrations share this platform address and the platform did not say which one it is. Ask your administrator to check the registration."
	case ReasonRegistrationOff:
		return "This learning platform's registration is switched off. Ask your administrator."
	case ReasonTargetNotAllowed:
		return "The platform asked to open a page that does not belong to Passport."
	case ReasonStateMismatch:
		return "We could not confirm that this launch came from your browser. If your browser blocks third-party cookies, try opening the activity in a new window, then launch it again."
	case ReasonPlatformError:
		return "The learning platform could not sign you in. Please sign in to the platform again, then relaunch the activity."
	case ReasonExpired, ReasonNotYetValid:
		return "The launch took too long or the clocks disagree. Please launch the activity again."
	case ReasonNonce, ReasonReplay:
		return "This launch link was already used. Please launch the activity again from the learning platform."
	case ReasonDeployment:
		return "This installation of Passport in the learning platform is not registered. Ask your administrator to add the deployment."
	case ReasonUnsupportedMessage:
		return "Passport does not support this kind of launch from the learning platform."
	case ReasonKeyFetch:
		return "We could not reach the learning platform to check this launch. Please try again in a moment."
	case ReasonDynamicRegistration:
		return "The registration with the learning platform did not complete. Ask your administrator to check the details below and try again."
	case ReasonMissingClaim, ReasonInvalidClaim, ReasonMalformedToken, ReasonAlgorithm,
		ReasonKeyID, ReasonSignature, ReasonIssuer, ReasonAudience:
		return "The learning platform sent a launch that Passport cannot trust or read. Ask your administrator to check the platform's LTI settings."
	default:
		return "The request to Passport was incomplete. Please launch the activity again from the learning platform."
	}
}

func refuse(status int, r Reason, format string, args ...any) *Error {
	return &Error{Status: status, Reason: r, Detail: fmt.Sprintf(format, args...)}
}

func refuseErr(status int, r Reason, err error, format string, args ...any) *Error {
	return &Error{Status: status, Reason: r, Detail: fmt.Sprintf(format, args...), Err: err}
}

// ReasonOf returns the refusal reason carried by err, or "" if err is not a refusal.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}
