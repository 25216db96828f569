package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/jimei-linli/linli/internal/viewer"
)

// requestIDHeader carries a request's id in and out.
const requestIDHeader = "X-Request-Id"

// maxRequestIDLen is the longest X-Request-Id taken from a client.
const maxRequestIDLen = 128

// requestInfo collects what the GraphQL layer knows about a request for its
// log line. Its fields are written by operations (several, on a websocket)
// while the line may be read, hence atomics.
type requestInfo struct {
	id        string
	operation atomic.Pointer[string]
	// resident is the signed-in viewer's resident id (never a phone).
	resident atomic.Int64
	// code is the extensions.code of the first error presented.
	code atomic.Pointer[string]
	// traceID is the trace of the request's first sampled operation span
	// (tracing on).
	traceID atomic.Pointer[string]
}

// requestInfoFrom returns the *requestInfo of ctx, or nil.
func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// noteCode records code as the request's error code unless one is noted.
func (i *requestInfo) noteCode(code string) {
	if i != nil {
		i.code.CompareAndSwap(nil, &code)
	}
}

// attrs returns the request id, operation, resident and error code for a
// log line.
func (i *requestInfo) attrs() []slog.Attr {
	attrs := []slog.Attr{slog.String("request_id", i.id)}
	if op := i.operation.Load(); op != nil {
		attrs = append(attrs, slog.String("operation", *op))
	}
	if id := i.resident.Load(); id != 0 {
		attrs = append(attrs, slog.Int64("resident", id))
	}
	if code := i.code.Load(); code != nil {
		attrs = append(attrs, slog.String("code", *code))
	}
	if id := i.traceID.Load(); id != nil {
		attrs = append(attrs, slog.String("trace_id", *id))
	}
	return attrs
}

// requestID returns the client's X-Request-Id when it is short printable
// ASCII without spaces, else a new random one.
func requestID(r *http.Request) string {
	if id := r.Header.Get(requestIDHeader); id != "" && len(id) <= maxRequestIDLen && printableToken(id) {
		return id
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// printableToken says whether s has only visible ASCII characters.
func printableToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// durationMS is d in milliseconds, to the microsecond.
func durationMS(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// requestInfoKey is the context key of a request's *requestInfo.
type requestInfoKey struct{}

// logRequests logs one line per request: request id (the client's
// X-Request-Id or a new one, returned in the response's X-Request-Id),
// method, path, status, duration in ms and, for GraphQL, the operation
// name, the viewer's resident id, the first error's code and, when tracing
// is on, the trace id. Probes log at
// debug level, the rest at info. A websocket's line is written at the
// upgrade, and another ("websocket closed") when it closes.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: requestID(r)}
		w.Header().Set(requestIDHeader, info.id)
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
			slog.Float64("duration_ms", durationMS(time.Since(start))),
		}
		attrs = append(attrs, info.attrs()...)
		logger.LogAttrs(ctx, level, "http request", attrs...)
	})
}

// recordOperation is operation middleware that notes the operation's name
// and the viewer's resident id for the request log.
func recordOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if info := requestInfoFrom(ctx); info != nil {
		if name := operationName(graphql.GetOperationContext(ctx)); name != "" {
			info.operation.Store(&name)
		}
		if v := viewer.FromContext(ctx); v.SignedIn() {
			info.resident.Store(int64(v.ResidentID))
		}
	}
	return next(ctx)
}

// logWebsocketClosed writes a websocket's closing line: its request's
// attributes and how long the connection lived.
func logWebsocketClosed(ctx context.Context, logger *slog.Logger, opened time.Time) {
	attrs := []slog.Attr{slog.Float64("lifetime_ms", durationMS(time.Since(opened)))}
	if info := requestInfoFrom(ctx); info != nil {
		attrs = append(info.attrs(), attrs...)
	}
	logger.LogAttrs(ctx, slog.LevelInfo, "websocket closed", attrs...)
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
