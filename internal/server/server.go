// Package server is Linli's HTTP layer: the GraphQL endpoint, GraphiQL in
// development, and the health and readiness probes.
//
// Routes:
//
//	POST /graphql   a JSON body {query, operationName, variables, extensions}
//	POST /graphql   with Accept: text/event-stream: the same body, answered
//	                as GraphQL over Server-Sent Events (sse.go)
//	GET  /graphql   ?query=...&variables=... for queries only
//	GET  /graphql   a websocket upgrade: graphql-transport-ws, or the legacy
//	                graphql-ws (websocket.go)
//	GET  /          GraphiQL (development only; 404 in production), from
//	                assets embedded in the binary (graphiql.go)
//	GET  /healthz   200 "ok" while the process is alive
//	GET  /readyz    200 when Options.Ready succeeds within 2 s, else 503
//
// Every error a client sees, from a malformed body to a panic in a resolver,
// carries a stable extensions.code (see internal/apperr) and a message that is
// safe to show; internal details are logged, never sent. Pagination is
// bounded (first/last at most 100, connections default to 100 items), and so
// are a query's depth and its complexity.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/trace"
)

// Defaults for the zero values of Options.
const (
	DefaultMaxBodyBytes  = 1 << 20 // 1 MiB
	DefaultMaxComplexity = 10000
	DefaultMaxDepth      = 15
	DefaultKeepAlive     = 25 * time.Second
	DefaultInitTimeout   = 10 * time.Second
	DefaultWriteTimeout  = 10 * time.Second
)

// Sizes that are not worth an option.
const (
	// queryCacheSize is how many parsed and validated documents are kept.
	queryCacheSize = 1000
)

// Options configures the HTTP handler that New returns.
type Options struct {
	// Schema is the executable GraphQL schema, from graph.NewSchema. Required.
	Schema graphql.ExecutableSchema
	// Ready is the readiness probe behind /readyz, e.g. a store's Ping.
	// It gets a context that expires after 2 s. Nil means always ready.
	Ready func(ctx context.Context) error
	// Logger receives request logs, internal errors and panics.
	// Nil means slog.Default().
	Logger *slog.Logger
	// Production turns off GraphiQL, introspection and "Did you mean"
	// suggestions in error messages.
	Production bool
	// MaxBodyBytes limits the size of a request body; 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxComplexity limits an operation's estimated cost (see limits.go);
	// 0 means DefaultMaxComplexity.
	MaxComplexity int
	// MaxDepth limits how deeply an operation's fields nest; 0 means
	// DefaultMaxDepth.
	MaxDepth int
	// Limits bounds a request's document, input values and websocket
	// subscriptions (limits_config.go); zero fields mean DefaultLimits.
	Limits Limits
	// Authenticate turns a GraphQL request's credentials into the context
	// its operations run with (the viewer). An error ends the request with
	// the error's code (UNAUTHENTICATED for a bad token). Nil means every
	// request is anonymous. It also runs on websocket upgrades and SSE
	// requests.
	Authenticate func(r *http.Request) (context.Context, error)
	// Streams ends when the server shuts down: open websockets then close
	// with 1001 (http.Server.Shutdown leaves hijacked connections alone).
	// Nil means never.
	Streams context.Context
	// Stopping closes when the server begins to shut down: from then on a
	// new GraphQL request is answered 503 UNAVAILABLE with Retry-After (the
	// client retries, on another instance), while requests already in
	// flight finish. Nil means never.
	Stopping <-chan struct{}
	// AuthenticateInit turns the payload of a websocket's connection_init
	// into the context the connection's operations run with, and says when
	// its credentials expire (the zero time: never); the socket is closed
	// with 4403 "token expired" at that moment. ctx is the upgrade
	// request's context (after Authenticate); the returned context must be
	// derived from it. A payload without a token must give an anonymous
	// context, not an error. When the payload carries no token but the
	// upgrade request had an Authorization header, the payload is given
	// that header as "authorization". An error refuses the connection:
	// 4403 Forbidden, or 4500 for an INTERNAL error (which is logged).
	// AuthenticateInitToken builds one from a token check. Nil means every
	// websocket connection runs with the upgrade request's context.
	AuthenticateInit func(ctx context.Context, payload map[string]any) (context.Context, time.Time, error)
	// Now is the clock that credentials' expiry (from AuthenticateInit) is
	// read on: the one that issued the tokens, so that a token the clock
	// finds expired is refused and a live one closes its socket after the
	// time it has left on that clock. Nil means time.Now.
	Now func() time.Time
	// WatchSession, if set, is called when a websocket has been initialized,
	// with the context AuthenticateInit returned (it ends with the socket):
	// it calls closeWith if the credentials behind ctx are revoked before
	// they expire (a sign-out, a deleted account) or the viewer's rights
	// change (a role, a household, a guardianship), and the socket then
	// closes with 4403 and that reason. Clients reconnect: with a valid
	// token they get the new rights.
	WatchSession func(ctx context.Context, closeWith func(reason string))
	// AllowedOrigins lists the browser origins that may open a websocket,
	// as host patterns ("app.example.com", "*.example.com") or
	// scheme://host patterns ("https://*.example.com") in path.Match
	// syntax, compared case-insensitively. The server's own origin and
	// requests without an Origin header (native apps) are always allowed.
	// Empty means same-origin only in production and any origin in
	// development. New panics on a malformed pattern.
	AllowedOrigins []string
	// TrustedProxies are the load balancers in front of the server: from
	// a peer within them, the client address (on which rate limits count)
	// is the rightmost untrusted hop of X-Forwarded-For (clientaddr.go).
	// Empty means the TCP peer is the client, whatever the header says.
	TrustedProxies []netip.Prefix
	// KeepAlive is how often an idle stream is pinged: websocket pings
	// and graphql-transport-ws "ping" messages (a client that has not
	// answered by the next ping is dropped), "ka" messages on graphql-ws,
	// and comments on SSE. 0 means DefaultKeepAlive; negative turns
	// keepalive off.
	KeepAlive time.Duration
	// InitTimeout is how long a websocket may go without connection_init
	// before it is closed (4408 on graphql-transport-ws). 0 means
	// DefaultInitTimeout.
	InitTimeout time.Duration
	// WriteTimeout is how long one websocket write may wait for a client
	// that does not read before the socket is closed with 4499 "too slow:
	// resume with your cursor" (websocket.go). 0 means
	// DefaultWriteTimeout.
	WriteTimeout time.Duration
	// Metrics, if set, counts requests, GraphQL operations, websockets and
	// subscriptions (metrics.go).
	Metrics Metrics
	// PersistedQueries keeps the texts of automatic persisted queries
	// (persisted.go), e.g. RedisPersistedQueries when several instances
	// serve. Nil means an in-process cache.
	PersistedQueries graphql.Cache[string]
	// Tracing, if set, traces every GraphQL operation and its resolvers
	// (tracing.go), and lets a request's traceparent header continue its
	// caller's trace. Nil turns tracing off.
	Tracing trace.TracerProvider
}

// withDefaults returns o with its zero values replaced by the defaults.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Streams == nil {
		o.Streams = context.Background()
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxComplexity <= 0 {
		o.MaxComplexity = DefaultMaxComplexity
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	o.Limits = o.Limits.withDefaults()
	if o.KeepAlive == 0 {
		o.KeepAlive = DefaultKeepAlive
	}
	if o.InitTimeout <= 0 {
		o.InitTimeout = DefaultInitTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PersistedQueries == nil {
		o.PersistedQueries = newPersistedQueries()
	}
	return o
}

// New returns Linli's HTTP handler configured by opts. It panics when
// opts.Schema is nil or opts.AllowedOrigins has a malformed pattern.
func New(opts Options) http.Handler {
	opts = opts.withDefaults()
	return routes(opts, newGraphQL(opts))
}

// newGraphQL builds the GraphQL server with explicit transports and
// extensions (tests add field middleware to it before serving).
func newGraphQL(opts Options) *handler.Server {
	if opts.Schema == nil {
		panic("server: Options.Schema is nil")
	}
	srv := handler.New(opts.Schema)
	// gqlgen picks the first transport that supports a request: the
	// websocket and SSE transports come before POST, which would take an
	// SSE request (a JSON POST) for its own.
	srv.AddTransport(newWebsocketTransport(opts))
	srv.AddTransport(newSSETransport(opts))
	srv.AddTransport(getTransport{tokens: opts.Limits.Tokens, persisted: opts.PersistedQueries})
	srv.AddTransport(postTransport{maxBodyBytes: opts.MaxBodyBytes})
	srv.AddTransport(unsupportedTransport{}) // last: answers everything else with a coded error

	cache := lru.New[*ast.QueryDocument](queryCacheSize)
	srv.SetQueryCache(cache)
	srv.SetParserTokenLimit(opts.Limits.Tokens)

	p := &presenter{logger: opts.Logger, production: opts.Production, schema: opts.Schema.Schema()}
	srv.SetErrorPresenter(p.present)
	srv.SetRecoverFunc(p.recover)

	if opts.Production {
		srv.SetDisableSuggestion(true)
	} else {
		srv.Use(extension.Introspection{})
	}
	// Before the limits: they measure the query text APQ puts in place.
	srv.Use(extension.AutomaticPersistedQuery{Cache: opts.PersistedQueries})
	srv.Use(&requestLimits{Limits: opts.Limits, cached: func(ctx context.Context, query string) bool {
		_, ok := cache.Get(ctx, query)
		return ok
	}})
	srv.Use(&limits{
		maxComplexity: opts.MaxComplexity,
		maxDepth:      opts.MaxDepth,
		introspection: !opts.Production,
	})
	srv.AroundOperations(recordOperation)
	if opts.Metrics != nil {
		srv.Use(operationMetrics{opts.Metrics})
	}
	if opts.Tracing != nil {
		srv.Use(newOperationTracing(opts.Tracing))
	}
	// Last, innermost: a schema's own extensions (graph.NewSchema's access
	// log) see the response after it is built, before the transports send it.
	if x, ok := opts.Schema.(extendedSchema); ok {
		for _, e := range x.HandlerExtensions() {
			srv.Use(e)
		}
	}
	return srv
}

// extendedSchema is a schema that brings gqlgen handler extensions it
// needs to be served with (graph.NewSchema: the access log, which must
// write before each response leaves).
type extendedSchema interface {
	HandlerExtensions() []graphql.HandlerExtension
}

// routes mounts the GraphQL server gql and the other endpoints, wrapped in
// request logging; API responses carry the headers of headers.go and
// answer CORS (cors.go), and the client address is resolved first
// (clientaddr.go).
func routes(opts Options, gql http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", withAPIHeaders(withCORS(opts.AllowedOrigins, refuseWhenStopping(opts.Stopping, continueTraces(opts.Tracing, authenticate(opts, gql))))))
	mux.Handle("GET /healthz", withAPIHeaders(http.HandlerFunc(healthz)))
	mux.Handle("GET /readyz", withAPIHeaders(readyz(opts.Ready, opts.Logger)))
	if !opts.Production {
		mux.Handle("GET /{$}", graphiqlPage())
		mux.Handle("GET /graphiql/", graphiqlAssets())
	}
	return withClientAddr(opts.TrustedProxies, logRequests(opts.Logger, countRequests(opts.Metrics, mux)))
}
