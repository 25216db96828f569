package server

import (
	"errors"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/jimei-linli/linli/internal/apperr"
)

// Limits bounds the dimensions of a request that the depth and complexity
// limits do not see: the size of its document and of its input values, and
// the subscriptions of a websocket. A zero field means its default
// (DefaultLimits). Every limit is checked before the operation runs, and a
// request over one is answered with BAD_USER_INPUT and extensions.limit set
// to the limit's name (the Limit* constants).
type Limits struct {
	// Tokens is the most lexical tokens a document may have.
	Tokens int
	// Operations is the most operations a document may define.
	Operations int
	// Aliases is the most aliased fields a document may have.
	Aliases int
	// FieldRepeats is how many times one response key (a field or alias)
	// may be selected in one selection set, fragments included.
	FieldRepeats int
	// InputDepth is how deeply lists and input objects may nest in one
	// argument or variable value.
	InputDepth int
	// InputNodes is the most values (scalars, lists and input objects) the
	// arguments of an operation, or its variables, may hold in all.
	InputNodes int
	// FilterBranches is the most boolean branches (elements of and/or
	// lists, and not) one argument or variable value may hold.
	FilterBranches int
	// SubscriptionsPerSocket is the most operations one websocket may
	// run at once.
	SubscriptionsPerSocket int
	// SubscriptionsPerViewer is the most operations one signed-in viewer
	// may run at once over all their websockets in this process.
	SubscriptionsPerViewer int
	// SubscribesPerSecond is how many subscribe (or start) messages a
	// websocket may send per second, with a burst of as many.
	SubscribesPerSecond int
}

// DefaultLimits are the limits used for Limits' zero fields.
var DefaultLimits = Limits{
	Tokens:                 15000,
	Operations:             10,
	Aliases:                30,
	FieldRepeats:           10,
	InputDepth:             10,
	InputNodes:             2000,
	FilterBranches:         50,
	SubscriptionsPerSocket: 20,
	SubscriptionsPerViewer: 50,
	SubscribesPerSecond:    10,
}

// The names of the limits, as sent in extensions.limit.
const (
	LimitDepth                  = "depth"
	LimitComplexity             = "complexity"
	LimitPageSize               = "pageSize"
	LimitIntrospection          = "introspection"
	LimitTokens                 = "tokens"
	LimitOperations             = "operations"
	LimitAliases                = "aliases"
	LimitFieldRepeats           = "fieldRepeats"
	LimitInputDepth             = "inputDepth"
	LimitInputNodes             = "inputNodes"
	LimitFilterBranches         = "filterBranches"
	LimitSubscriptionsPerSocket = "subscriptionsPerSocket"
	LimitSubscriptionsPerViewer = "subscriptionsPerViewer"
	LimitSubscribesPerSecond    = "subscribesPerSecond"
)

// withDefaults returns l with its zero (or negative) fields set to the
// defaults.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	for _, f := range []struct{ v, d *int }{
		{&l.Tokens, &d.Tokens}, {&l.Operations, &d.Operations}, {&l.Aliases, &d.Aliases},
		{&l.FieldRepeats, &d.FieldRepeats}, {&l.InputDepth, &d.InputDepth},
		{&l.InputNodes, &d.InputNodes}, {&l.FilterBranches, &d.FilterBranches},
		{&l.SubscriptionsPerSocket, &d.SubscriptionsPerSocket},
		{&l.SubscriptionsPerViewer, &d.SubscriptionsPerViewer},
		{&l.SubscribesPerSecond, &d.SubscribesPerSecond},
	} {
		if *f.v <= 0 {
			*f.v = *f.d
		}
	}
	return l
}

// limitExceeded is the error of a request over a limit: BAD_USER_INPUT,
// and the presenter adds the limit's name as extensions.limit.
type limitExceeded struct {
	app   apperr.Error
	limit string
}

// Error implements the error interface.
func (e *limitExceeded) Error() string { return e.app.Error() }

// Unwrap gives the application error, for apperr.CodeOf and the presenter.
func (e *limitExceeded) Unwrap() error { return &e.app }

// limitOf returns the name of the limit err exceeds, or "".
func limitOf(err error) string {
	if e, ok := errors.AsType[*limitExceeded](err); ok {
		return e.limit
	}
	return ""
}

// newLimitError returns the error for a request over the limit named limit,
// at pos (which may be nil).
func newLimitError(pos *ast.Position, limit, msg string) *gqlerror.Error {
	err := &gqlerror.Error{Message: msg, Err: &limitExceeded{
		app:   apperr.Error{Code: apperr.BadUserInput, Message: msg},
		limit: limit,
	}}
	if pos != nil {
		err.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}
	return err
}
