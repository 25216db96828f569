package main

import (
	"context"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/jimei-linli/linli/internal/config"
	"github.com/jimei-linli/linli/internal/tracing"
)

// tracer is serve's tracing: off (a nil provider) unless
// LINLI_OTLP_ENDPOINT is set.
type tracer struct {
	tp       *sdktrace.TracerProvider
	shutdown func(context.Context) error
}

// startTracing builds the tracer provider cfg asks for.
func startTracing(cfg config.Config, log *slog.Logger) (*tracer, error) {
	tp, shutdown, err := tracing.Setup(cfg.OTLPEndpoint, cfg.TraceSample)
	if err != nil {
		return nil, err
	}
	if tp != nil {
		log.Info("tracing is on", "otlp_endpoint", cfg.OTLPEndpoint, "sample", cfg.TraceSample)
	}
	return &tracer{tp: tp, shutdown: shutdown}, nil
}

// provider is the tracer provider for server.Options.Tracing (nil: off).
func (t *tracer) provider() trace.TracerProvider {
	if t.tp == nil {
		return nil
	}
	return t.tp
}

// wrapDriver traces the SQL statements of the database's client (nil: off).
func (t *tracer) wrapDriver() func(dialect.Driver) dialect.Driver {
	if t.tp == nil {
		return nil
	}
	return func(d dialect.Driver) dialect.Driver { return tracing.Driver(d, t.tp) }
}

// instrumentRedis traces rdb's commands made for a request (a span
// under its operation) with go-redis's own hook; background traffic
// (pub/sub, jobs) starts no traces.
func (t *tracer) instrumentRedis(rdb *redis.Client) error {
	if t.tp == nil || rdb == nil {
		return nil
	}
	return redisotel.InstrumentTracing(rdb, redisotel.WithTracerProvider(tracing.ChildrenOnly(t.tp)))
}

// stop flushes the spans still batched, for at most 5 s.
func (t *tracer) stop(log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := t.shutdown(ctx); err != nil {
		log.Warn("tracing shutdown", "err", err)
	}
}
