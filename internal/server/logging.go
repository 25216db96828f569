package server

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// requestInfo collects what the GraphQL layer knows about a request for its
// log line.
type requestInfo struct {
	operation atomic.Pointer[string]
}

// requestInfoKey is the context key of a request's *requestInfo.
type requestInfoKey struct{}

// logRequests logs one line per request: method, path, status, duration
// and, for GraphQL, the operation name. Probes log at debug level, the rest
// at info.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))

		level := slog.LevelInfo
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			level = slog.LevelDebug
		}
		ctx := r.Context()
		if !logger.Enabled(ctx, level) {
			return
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
		}
		if op := info.operation.Load(); op != nil {
			attrs = append(attrs, slog.String("operation", *op))
		}
		logger.LogAttrs(ctx, level, "http request", attrs...)
	})
}

// recordOperation is operation middleware that notes the operation's name
// for the request log.
func recordOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		if name := operationName(graphql.GetOperationContext(ctx)); name != "" {
			info.operation.Store(&name)
		}
	}
	return next(ctx)
}

// statusRecorder remembers the status a handler writes.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status and passes it on.
func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

// Write passes b on; the status is 200 unless written before.
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush implements http.Flusher for streaming transports.
func (r *statusRecorder) Flush() {
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Hijack implements http.Hijacker for websocket transports.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(r.ResponseWriter).Hijack()
}
