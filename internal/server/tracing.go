package server

import (
	"context"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/jimei-linli/linli/internal/tracing"
)

// operationTracing is the gqlgen extension that traces GraphQL: one span
// per operation response (a query's or mutation's execution, each event
// of a subscription) with the operation's type, name and the request id,
// and a child span per field that has a resolver (the fields that may
// reach the database or Redis, whose own spans nest under it); fields
// read off a loaded value get none, to keep tracing cheap.
type operationTracing struct{ tracer trace.Tracer }

var (
	_ graphql.HandlerExtension    = operationTracing{}
	_ graphql.ResponseInterceptor = operationTracing{}
	_ graphql.FieldInterceptor    = operationTracing{}
)

// ExtensionName implements graphql.HandlerExtension.
func (operationTracing) ExtensionName() string { return "OperationTracing" }

// Validate implements graphql.HandlerExtension.
func (operationTracing) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse runs a response's execution in the operation's span
// and notes the trace id for the request log.
func (o operationTracing) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	opCtx := graphql.GetOperationContext(ctx)
	kind := "unknown"
	if opCtx.Operation != nil {
		kind = string(opCtx.Operation.Operation)
	}
	name := operationName(opCtx)
	spanName := kind
	if name != "" {
		spanName += " " + name
	}
	attrs := []attribute.KeyValue{attribute.String("graphql.operation.type", kind)}
	if name != "" {
		attrs = append(attrs, attribute.String("graphql.operation.name", name))
	}
	info := requestInfoFrom(ctx)
	if info != nil {
		attrs = append(attrs, attribute.String("linli.request_id", info.id))
	}
	ctx, span := o.tracer.Start(ctx, spanName, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
	defer span.End()
	if info != nil && span.SpanContext().IsSampled() {
		id := span.SpanContext().TraceID().String()
		info.traceID.CompareAndSwap(nil, &id)
	}
	resp := next(ctx)
	if resp != nil && len(resp.Errors) > 0 {
		code := "UNKNOWN"
		if c, ok := resp.Errors[0].Extensions["code"].(string); ok {
			code = c
		}
		span.SetAttributes(attribute.String("graphql.error.code", code))
		span.SetStatus(codes.Error, code)
	}
	return resp
}

// InterceptField runs a resolver in a span named Type.field.
func (o operationTracing) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver || !trace.SpanContextFromContext(ctx).IsValid() {
		return next(ctx)
	}
	ctx, span := o.tracer.Start(ctx, fc.Object+"."+fc.Field.Name,
		trace.WithAttributes(attribute.String("graphql.field.path", fc.Path().String())))
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		span.SetStatus(codes.Error, "resolver error")
	}
	return res, err
}

// continueTraces makes a request that carries a W3C traceparent header
// continue that trace (tp nil: next as it is).
func continueTraces(tp trace.TracerProvider, next http.Handler) http.Handler {
	if tp == nil {
		return next
	}
	prop := propagation.TraceContext{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Traceparent") != "" {
			r = r.WithContext(prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header)))
		}
		next.ServeHTTP(w, r)
	})
}

// newOperationTracing returns the extension tracing to tp.
func newOperationTracing(tp trace.TracerProvider) operationTracing {
	return operationTracing{tracer: tracing.Tracer(tp)}
}
