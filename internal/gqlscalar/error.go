// Package gqlscalar holds Linli's GraphQL scalars, bound in gqlgen.yml in
// place of gqlgen's lenient defaults: String, Int, ID and Boolean coerce
// their input the way the GraphQL specification says (an Int where a
// String is expected is refused, and so on), Time is RFC 3339 with one
// precision, and Date is a calendar day of the street (YYYY-MM-DD in
// Asia/Shanghai). Their input errors are *Error: a message about the value,
// safe to show a client, which the error presenter puts after the argument.
package gqlscalar

import "fmt"

// Error is a scalar's refusal of an input value: Message says what is
// wrong with the value in words for an app developer, never how Go parsed
// it ("is not a valid Date (YYYY-MM-DD)").
type Error struct {
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Message }

// errorf returns an *Error with the formatted message.
func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}
