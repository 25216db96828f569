package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Metrics receives what the HTTP layer measures (internal/metrics
// implements it). Label values it is given are bounded here (routes,
// operation types) or must be bounded by it (operation names, codes).
type Metrics interface {
	// HTTPRequest counts a request to route that answered status after d;
	// upgrade says it was a websocket upgrade (whose d means nothing).
	HTTPRequest(route, method string, status int, upgrade bool, d time.Duration)
	// GraphQLOperation counts an operation result: kind is query,
	// mutation, subscription or unknown, name the operation's name (""
	// for anonymous), code "OK" or the first error's extensions.code, d
	// its latency (0: not measured).
	GraphQLOperation(kind, name, code string, d time.Duration)
	// SubscriptionStarted counts a subscription that starts; ended is
	// called once when it ends.
	SubscriptionStarted(name string) (ended func())
	// WebsocketOpened and WebsocketClosed count websocket connections.
	WebsocketOpened()
	// WebsocketClosed counts a websocket that closed.
	WebsocketClosed()
}

// routeOf maps a path to the bounded route label of its endpoint.
func routeOf(path string) string {
	switch {
	case path == "/graphql", path == "/healthz", path == "/readyz", path == "/":
		return path
	case strings.HasPrefix(path, "/graphiql/"):
		return "/graphiql/"
	}
	return "other"
}

// countRequests counts every request with m (nil: next as it is).
func countRequests(m Metrics, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		upgrade := strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
		if upgrade && rec.status == 0 {
			status = http.StatusSwitchingProtocols // hijacked: nothing written through w
		}
		m.HTTPRequest(routeOf(r.URL.Path), methodLabel(r.Method), status, upgrade, time.Since(start))
	})
}

// methodLabel bounds the method label to the methods Linli answers.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodHead, http.MethodOptions:
		return m
	}
	return "other"
}

// operationMetrics is the gqlgen extension that counts operations: each
// query's or mutation's response (and each refused operation's) with its
// code and latency, and each subscription from start to end.
type operationMetrics struct{ m Metrics }

var (
	_ graphql.HandlerExtension     = operationMetrics{}
	_ graphql.OperationInterceptor = operationMetrics{}
	_ graphql.ResponseInterceptor  = operationMetrics{}
)

// ExtensionName implements graphql.HandlerExtension.
func (operationMetrics) ExtensionName() string { return "OperationMetrics" }

// Validate implements graphql.HandlerExtension.
func (operationMetrics) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation counts a subscription until its context ends (the
// operation's end on every transport).
func (o operationMetrics) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if opCtx := graphql.GetOperationContext(ctx); opCtx.Operation != nil && opCtx.Operation.Operation == ast.Subscription {
		context.AfterFunc(ctx, o.m.SubscriptionStarted(operationName(opCtx)))
	}
	return next(ctx)
}

// InterceptResponse counts the responses of queries and mutations, and
// the error responses of operations refused before they ran (parse,
// validation, limits), whatever their type.
func (o operationMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	opCtx := graphql.GetOperationContext(ctx)
	kind := "unknown"
	if opCtx.Operation != nil {
		kind = string(opCtx.Operation.Operation)
	}
	code := "OK"
	if len(resp.Errors) > 0 {
		code = "UNKNOWN"
		if c, ok := resp.Errors[0].Extensions["code"].(string); ok {
			code = c
		}
	}
	switch {
	case kind == string(ast.Subscription) && code == "OK":
		return resp // an event of a running subscription: counted at its start
	case kind == string(ast.Subscription):
		o.m.GraphQLOperation(kind, operationName(opCtx), code, 0)
	default:
		var d time.Duration
		if start := opCtx.Stats.OperationStart; !start.IsZero() {
			d = time.Since(start)
		}
		o.m.GraphQLOperation(kind, operationName(opCtx), code, d)
	}
	return resp
}

// websocketOpened counts an accepted websocket.
func (t *websocketTransport) websocketOpened() {
	if t.metrics != nil {
		t.metrics.WebsocketOpened()
	}
}

// websocketClosed logs a websocket's closing line and counts its close.
func (t *websocketTransport) websocketClosed(ctx context.Context, opened time.Time) {
	logWebsocketClosed(ctx, t.logger, opened)
	if t.metrics != nil {
		t.metrics.WebsocketClosed()
	}
}
