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
	"github.com/jimei-linli/linli/internal/gqlscalar"
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
	// schema, when set, names the expected type of an argument that
	// failed coercion in its message.
	schema *ast.Schema
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
	if (code == apperr.RateLimited || code == apperr.Unavailable) && out.Extensions["retryAfter"] == nil {
		// An app backs off by extensions.retryAfter: never leave it out.
		out.Extensions["retryAfter"] = retryAfterSeconds(defaultRetryAfter)
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
		field := lowerCamel(ve.Name)
		setField(out, field)
		return apperr.BadUserInput, fmt.Sprintf("invalid value for field %q", field)
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
	case errcode.ParseFailed:
		// gqlparser's messages describe the request only, so they are safe
		// to send.
		return apperr.ParseFailed, p.userMessage(gqlErr.Message)
	case errcode.ValidationFailed:
		if field, ok := variableField(gqlErr.Path); ok {
			// A variable's value does not fit its declared type: the
			// document is fine, the input is not.
			out.Path = nil
			setField(out, field)
			return apperr.BadUserInput, variableMessage(field, gqlErr.Message)
		}
		return apperr.ValidationFailed, p.userMessage(gqlErr.Message)
	case string(apperr.PersistedQueryNotFound):
		// Automatic persisted queries: the client then sends the text. The
		// message is the protocol's (Apollo's link matches it too).
		return apperr.PersistedQueryNotFound, "PersistedQueryNotFound"
	case "INVALID_PAGINATION":
		// entgql's pagination checks (first and last, after and before).
		if fc := graphql.GetFieldContext(ctx); fc != nil {
			setField(out, paginationField(gqlErr.Message))
		}
		return apperr.BadUserInput, p.userMessage(gqlErr.Message)
	}
	switch gqlErr.Message {
	case "provided APQ hash does not match query", "unsupported APQ version", "invalid APQ extension data":
		// gqlgen's APQ extension: the request's persistedQuery is wrong.
		setField(out, "extensions.persistedQuery")
		return apperr.BadUserInput, "extensions.persistedQuery: " + gqlErr.Message
	}
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Args == nil && len(fc.Field.Arguments) > 0 {
		// The generated code failed to coerce an argument, literal or
		// variable (e.g. node(id: "garbage") with ID mapped to int): fc.Args
		// is only nil for a field with arguments when that failed.
		out.Path = fc.Path()
		if pos := fc.Field.Position; pos != nil && len(out.Locations) == 0 {
			out.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
		}
		setField(out, argumentField(fc, gqlErr))
		return apperr.BadUserInput, p.argumentMessage(fc, gqlErr)
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
// (and, inside lists and input objects, more). Only Linli's own scalars
// (internal/gqlscalar) word their errors for clients; any other coercion
// error (a Go parser's, a decoder's) is replaced by what the argument
// expects, so that no implementation detail reaches a client.
func (p *presenter) argumentMessage(fc *graphql.FieldContext, gqlErr *gqlerror.Error) string {
	i := len(fc.Path())
	if i >= len(gqlErr.Path) {
		return "invalid argument"
	}
	name, ok := gqlErr.Path[i].(ast.PathName)
	if !ok {
		return "invalid argument"
	}
	arg := fc.Field.Arguments.ForName(string(name))
	what := fmt.Sprintf("argument %q", string(name))
	if rest := gqlErr.Path[i+1:]; len(rest) > 0 {
		what += " at " + inputPath(rest)
	}
	if e, ok := errors.AsType[*gqlscalar.Error](gqlErr); ok {
		return what + ": " + e.Message
	}
	numErr, isNum := errors.AsType[*strconv.NumError](gqlErr)
	if isNum && arg != nil && arg.Value.ExpectedType != nil && arg.Value.ExpectedType.Name() == "ID" {
		return fmt.Sprintf("argument %q: %q is not a valid ID", string(name), numErr.Num)
	}
	var def *ast.ArgumentDefinition
	if fc.Field.Definition != nil {
		def = fc.Field.Definition.Arguments.ForName(string(name))
	}
	if typ := p.inputTypeAt(def, gqlErr.Path[i+1:]); typ != "" {
		return fmt.Sprintf("%s: not a valid %s%s", what, typ, formatHint(typ))
	}
	return what + ": not a valid value"
}

// inputTypeAt returns the name of the type expected at path inside the
// argument def ("" when it cannot tell).
func (p *presenter) inputTypeAt(def *ast.ArgumentDefinition, path ast.Path) string {
	if def == nil {
		return ""
	}
	typ := def.Type
	for _, el := range path {
		switch el := el.(type) {
		case ast.PathIndex:
			if typ.Elem == nil {
				return ""
			}
			typ = typ.Elem
		case ast.PathName:
			if p.schema == nil {
				return ""
			}
			d := p.schema.Types[typ.Name()]
			if d == nil {
				return ""
			}
			f := d.Fields.ForName(string(el))
			if f == nil {
				return ""
			}
			typ = f.Type
		}
	}
	for typ.Elem != nil {
		typ = typ.Elem
	}
	return typ.Name()
}

// formatHint says, after a type's name, what a value of it looks like, for
// the scalars whose format is not obvious.
func formatHint(typ string) string {
	switch typ {
	case "Cursor":
		return " (pass a cursor this API returned, unchanged)"
	case "Time":
		return " (RFC 3339, e.g. 2026-12-03T08:30:00+08:00)"
	case "Date":
		return " (YYYY-MM-DD)"
	}
	return ""
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

// defaultRetryAfter is what a client is told to wait after a RATE_LIMITED
// or UNAVAILABLE error whose source did not say how long.
const defaultRetryAfter = time.Second

// lowerCamel writes an ent field name (birth_date) as the API names it
// (birthDate).
func lowerCamel(name string) string {
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		if p := parts[i]; p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

// setField sets out's extensions.field (the input path at fault), unless
// field is empty.
func setField(out *gqlerror.Error, field string) {
	if field == "" {
		return
	}
	if out.Extensions == nil {
		out.Extensions = map[string]any{}
	}
	out.Extensions["field"] = field
}

// inputPath writes an input path the way extensions.field reports it:
// names joined by dots, list indexes as numbers ("input.items.2.dishId").
func inputPath(path ast.Path) string {
	var b strings.Builder
	for i, el := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		switch el := el.(type) {
		case ast.PathName:
			b.WriteString(string(el))
		case ast.PathIndex:
			b.WriteString(strconv.Itoa(int(el)))
		}
	}
	return b.String()
}

// variableField returns the extensions.field of a variable-value error
// from gqlparser (whose path is "variable", the variable's name, then the
// path inside its value): the variable as the document names it, "$id" or
// "$input.name"; ok is false for any other error.
func variableField(path ast.Path) (field string, ok bool) {
	if len(path) < 2 || path[0] != ast.PathName("variable") {
		return "", false
	}
	return "$" + inputPath(path[1:]), true
}

// variableMessage is the client message of a variable-value error whose
// gqlparser message msg says what is wrong ("must be defined").
func variableMessage(field, msg string) string {
	if strings.HasPrefix(msg, "cannot use ") {
		// "cannot use string as Int": Go's kind of the decoded value.
		if _, typ, ok := strings.Cut(msg, " as "); ok {
			return fmt.Sprintf("variable %s: not a valid %s%s", field, typ, formatHint(typ))
		}
	}
	return fmt.Sprintf("variable %s: %s", field, msg)
}

// paginationField names the argument an entgql pagination error is about.
func paginationField(msg string) string {
	for _, arg := range []string{"first", "last", "after", "before"} {
		if strings.Contains(msg, arg) {
			return arg
		}
	}
	return ""
}

// argumentField returns the input path (extensions.field) of a failed
// argument coercion of the field fc: the part of gqlErr's path after the
// field's own path, e.g. "id", "ids.1" or "input.birthDate".
func argumentField(fc *graphql.FieldContext, gqlErr *gqlerror.Error) string {
	i := len(fc.Path())
	if i >= len(gqlErr.Path) {
		return ""
	}
	return inputPath(gqlErr.Path[i:])
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
