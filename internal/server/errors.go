package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/store"
)

// internalMessage is the only message a client ever sees for an INTERNAL error.
const internalMessage = "internal error"

// errInternal is what the recover func returns: the panic is already logged,
// so the presenter passes it on without logging it again.
var errInternal = &apperr.Error{Code: apperr.Internal, Message: internalMessage}

// presenter is the one place where errors become what clients see: every
// error gets an extensions.code from internal/apperr and a safe message.
// Code anywhere below the resolvers may return an *apperr.Error (wrapped or
// not) to choose the code and message; other errors are classified here.
type presenter struct {
	logger     *slog.Logger
	production bool
}

// present is the gqlgen error presenter (handler.Server.SetErrorPresenter).
func (p *presenter) present(ctx context.Context, err error) *gqlerror.Error {
	if err == nil {
		return nil
	}
	gqlErr, ok := errors.AsType[*gqlerror.Error](err)
	if !ok {
		gqlErr = gqlerror.WrapPath(graphql.GetPath(ctx), err)
	}
	out := &gqlerror.Error{
		Err:       err,
		Path:      gqlErr.Path,
		Locations: gqlErr.Locations,
	}
	var code apperr.Code
	code, out.Message = p.classify(ctx, err, gqlErr, out)
	if out.Extensions == nil {
		out.Extensions = map[string]any{}
	}
	out.Extensions["code"] = string(code)
	if e, ok := errors.AsType[*apperr.Error](err); ok {
		if e.Field != "" {
			out.Extensions["field"] = e.Field
		}
		if e.RetryAfter > 0 {
			out.Extensions["retryAfter"] = retryAfterSeconds(e.RetryAfter)
		}
	}
	if limit := limitOf(err); limit != "" {
		out.Extensions["limit"] = limit
	}
	requestInfoFrom(ctx).noteCode(string(code))
	return out
}

// classify returns the code and client message for err; gqlErr is the
// *gqlerror.Error in err's chain (or a wrapper of err), and out the error
// being presented, whose path classify may correct.
func (p *presenter) classify(ctx context.Context, err error, gqlErr *gqlerror.Error, out *gqlerror.Error) (apperr.Code, string) {
	if e, ok := errors.AsType[*apperr.Error](err); ok {
		return e.Code, e.Message
	}
	switch {
	case errors.Is(err, privacy.Deny):
		// Hidden is indistinguishable from missing.
		return apperr.NotFound, "not found"
	case ent.IsNotFound(err):
		return apperr.NotFound, "not found"
	case ent.IsValidationError(err):
		ve, _ := errors.AsType[*ent.ValidationError](err)
		return apperr.BadUserInput, fmt.Sprintf("invalid value for field %q", ve.Name)
	case ent.IsConstraintError(err):
		return apperr.Conflict, "the change conflicts with existing data"
	case store.IsUnavailable(err):
		p.logger.WarnContext(ctx, "database unavailable", logAttrs(ctx, err)...)
		out.Extensions = map[string]any{"retryAfter": retryAfterSeconds(databaseRetryAfter)}
		return apperr.Unavailable, "the service is briefly unavailable; try again shortly"
	case isEmptyFilter(err):
		out.Extensions = map[string]any{"field": "where"}
		return apperr.BadUserInput, "an empty filter ({}) inside not, and or or selects nothing; leave it out"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		p.logger.WarnContext(ctx, "request ended before its work", logAttrs(ctx, err)...)
		return apperr.Internal, internalMessage
	}
	switch gqlErr.Extensions["code"] {
	case string(apperr.NotFound):
		// entgql's Noders report a missing (or hidden) ID with this code.
		return apperr.NotFound, "not found"
	case errcode.ParseFailed, errcode.ValidationFailed, "INVALID_PAGINATION":
		// gqlparser's messages (and entgql's pagination checks) describe the
		// request only, so they are safe to send.
		return apperr.BadUserInput, p.userMessage(gqlErr.Message)
	}
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Args == nil && len(fc.Field.Arguments) > 0 {
		// The generated code failed to coerce an argument, literal or
		// variable (e.g. node(id: "garbage") with ID mapped to int): fc.Args
		// is only nil for a field with arguments when that failed.
		out.Path = fc.Path()
		if pos := fc.Field.Position; pos != nil && len(out.Locations) == 0 {
			out.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
		}
		return apperr.BadUserInput, argumentMessage(fc, gqlErr)
	}
	p.logger.ErrorContext(ctx, "internal error", logAttrs(ctx, err)...)
	return apperr.Internal, internalMessage
}

// userMessage returns msg as sent to clients: without gqlparser's
// "Did you mean" suggestions in production, which would reveal the schema.
func (p *presenter) userMessage(msg string) string {
	if p.production {
		if i := strings.Index(msg, " Did you mean"); i >= 0 {
			return msg[:i]
		}
	}
	return msg
}

// argumentMessage describes the failed coercion of an argument of the field
// fc. The path of gqlErr is the field's path followed by the argument's name
// (and, inside lists and input objects, more).
func argumentMessage(fc *graphql.FieldContext, gqlErr *gqlerror.Error) string {
	i := len(fc.Path())
	if i >= len(gqlErr.Path) {
		return "invalid argument: " + gqlErr.Message
	}
	name, ok := gqlErr.Path[i].(ast.PathName)
	if !ok {
		return "invalid argument: " + gqlErr.Message
	}
	numErr, isNum := errors.AsType[*strconv.NumError](gqlErr)
	if arg := fc.Field.Arguments.ForName(string(name)); isNum && arg != nil &&
		arg.Value.ExpectedType != nil && arg.Value.ExpectedType.Name() == "ID" {
		return fmt.Sprintf("argument %q: %q is not a valid ID", string(name), numErr.Num)
	}
	return fmt.Sprintf("argument %q: %s", string(name), gqlErr.Message)
}

// recover is the gqlgen recover func (handler.Server.SetRecoverFunc): it
// logs the panic with its stack and reports an INTERNAL error.
func (p *presenter) recover(ctx context.Context, v any) error {
	attrs := append(logAttrs(ctx, nil), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	p.logger.ErrorContext(ctx, "panic while serving GraphQL", attrs...)
	return errInternal
}

// logAttrs returns the attributes that locate an error: the operation and
// the field path, plus the error itself when err is not nil.
func logAttrs(ctx context.Context, err error) []any {
	var attrs []any
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	if graphql.HasOperationContext(ctx) {
		if name := operationName(graphql.GetOperationContext(ctx)); name != "" {
			attrs = append(attrs, "operation", name)
		}
	}
	if path := graphql.GetPath(ctx); len(path) > 0 {
		attrs = append(attrs, "path", path.String())
	}
	return attrs
}

// operationName returns the name of the operation being run, or "".
func operationName(opCtx *graphql.OperationContext) string {
	if opCtx.OperationName == "" && opCtx.Operation != nil {
		return opCtx.Operation.Name
	}
	return opCtx.OperationName
}

// databaseRetryAfter is what a client is told to wait when the database is
// not answering: about how long a PostgreSQL restart or failover takes.
const databaseRetryAfter = 2 * time.Second

// emptyFilterPrefix begins the message of entgql's ErrEmpty…WhereInput
// errors (one variable per type in ent/gql_where_input.go), which a where
// input's P() returns, wrapped with the operator, when an operand of not,
// and or or is an empty object.
const emptyFilterPrefix = "ent: empty predicate "

// isEmptyFilter reports whether err's chain holds an empty where-input
// error: a client's filter, not a fault of the server.
func isEmptyFilter(err error) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		if msg := err.Error(); strings.HasPrefix(msg, emptyFilterPrefix) && strings.HasSuffix(msg, "WhereInput") {
			return true
		}
	}
	return false
}
