// Package apperr defines Linli's application errors: an error with a stable
// code that clients can act on and a message that is safe to show them.
// Every error that leaves the API carries one of the codes below in
// `extensions.code`; anything else is reported as INTERNAL and logged.
//
// Messages have one style, whichever capability composes them: a state is
// written as the API names it (the GraphQL enum value, e.g. CHECKED_IN, never
// checked_in), a duration in words (Duration: "1 hour 30 minutes", never
// 1h30m0s), and a verb is never built by adding endings to another word.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code is a stable, machine-readable error code sent to clients.
type Code string

// The error codes of the API (ARCHITECTURE.md, "Errors and time").
const (
	Unauthenticated Code = "UNAUTHENTICATED" // no valid credentials
	Forbidden       Code = "FORBIDDEN"       // credentials valid, action not allowed
	NotFound        Code = "NOT_FOUND"       // no such object, or hidden from the viewer
	BadUserInput    Code = "BAD_USER_INPUT"  // the request or its arguments are invalid
	Conflict        Code = "CONFLICT"        // the action conflicts with the current state
	RateLimited     Code = "RATE_LIMITED"    // too many requests; try again later
	Internal        Code = "INTERNAL"        // a fault on the server; details are logged only
	Unavailable     Code = "UNAVAILABLE"     // the server cannot answer now (shutting down, its database down); retry after extensions.retryAfter seconds

	// ParseFailed: the document is not GraphQL (a syntax error). The
	// request was not executed; fix the query, not the user's input.
	ParseFailed Code = "GRAPHQL_PARSE_FAILED"
	// ValidationFailed: the document does not fit the schema (an unknown
	// field, a missing operation, an argument of the wrong type written in
	// the document). The request was not executed.
	ValidationFailed Code = "GRAPHQL_VALIDATION_FAILED"
	// PersistedQueryNotFound: the request named an automatic persisted
	// query by its hash alone and the server does not know the hash; send
	// it again with the query's text (Apollo's PersistedQueryLink and urql's
	// persistedExchange do so by themselves).
	PersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"
)

// Error is an application error: a code and a message safe for clients.
type Error struct {
	Code    Code
	Message string
	// Field names the argument or input field at fault (sent as
	// extensions.field), e.g. "acceptNoCancellation"; empty when the error
	// is not about one input.
	Field string
	// RetryAfter, when positive, says how soon a retry may succeed (sent
	// as extensions.retryAfter, in whole seconds, rounded up).
	RetryAfter time.Duration

	// format and args are what New or OnField composed Message from (an
	// English format string), kept so that the message can be rendered
	// in the reader's language (Localize).
	format string
	args   []any
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// New returns an application error with the given code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// OnField returns an application error about the input field named field
// (extensions.field), with the given code and message.
func OnField(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// Localize returns e's message rendered by sprintf (a printer of the
// reader's language, e.g. i18n.ErrorMessage in a closure) from the English
// format and arguments New or OnField made it from; an Error built
// otherwise keeps its Message.
func (e *Error) Localize(sprintf func(format string, args ...any) string) string {
	if e.format == "" {
		return e.Message
	}
	return sprintf(e.format, e.args...)
}

// CodeOf returns the code of the first *Error in err's chain, or Internal
// when there is none (and "" for a nil error).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the client-safe message of the first *Error in err's
// chain, or a generic message for an internal error.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
