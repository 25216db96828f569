package accesslog

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// Extension is the gqlgen handler extension that gives each operation a Log
// and writes what it collected before each response leaves: after a query
// or mutation is executed and before its response is written, and before
// each payload of a subscription. If the write fails the client gets an
// INTERNAL error instead of the data.
type Extension struct {
	log *Service
}

// Extension returns the gqlgen extension that writes through s.
func (s *Service) Extension() Extension { return Extension{log: s} }

var (
	_ graphql.HandlerExtension     = Extension{}
	_ graphql.OperationInterceptor = Extension{}
	_ graphql.ResponseInterceptor  = Extension{}
)

// ExtensionName names the extension.
func (Extension) ExtensionName() string { return "AccessLog" }

// Validate accepts every schema.
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation gives the operation its Log, so that what a
// subscription loads outside a payload's execution is collected too.
func (e Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(NewContext(ctx, &Log{client: e.log.client}))
}

// InterceptResponse builds the response, then writes the reads it made
// before handing it on.
func (e Extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	l := FromContext(ctx)
	if l == nil {
		l = &Log{client: e.log.client}
		ctx = NewContext(ctx, l)
	}
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	if err := e.log.Flush(ctx, l); err != nil {
		// The data must not leave without its access records.
		graphql.AddError(ctx, err)
		return &graphql.Response{Errors: graphql.GetErrors(ctx)}
	}
	return resp
}
