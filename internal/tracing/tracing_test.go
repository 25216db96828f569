package tracing_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/extra/redisotel/v9"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/tracing"
)

// TestOffWithoutEndpoint checks that no endpoint means no provider.
func TestOffWithoutEndpoint(t *testing.T) {
	tp, shutdown, err := tracing.Setup("", 1)
	if err != nil || tp != nil {
		t.Fatalf("Setup(\"\") = %v, %v; want no provider", tp, err)
	}
	if err := shutdown(context.Background()); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if _, _, err := tracing.Setup("collector:4318", 1); err == nil {
		t.Errorf("Setup took an endpoint that is not a URL")
	}
}

// TestRedisCommandsUnderRequests checks that Redis, instrumented as serve
// does, traces a command made inside a trace as a child span and one made
// outside any trace not at all. It needs LINLI_TEST_REDIS_URL.
func TestRedisCommandsUnderRequests(t *testing.T) {
	rdb := storetest.Redis(t)
	exp := tracetest.NewInMemoryExporter()
	tp := tracing.NewProvider(sdktrace.NewSimpleSpanProcessor(exp), 1)
	if err := redisotel.InstrumentTracing(rdb, redisotel.WithTracerProvider(tracing.ChildrenOnly(tp))); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if spans := exp.GetSpans(); len(spans) != 0 {
		t.Fatalf("a command outside a trace exported %d spans", len(spans))
	}
	ctx, op := tracing.Tracer(tp).Start(ctx, "operation")
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	op.End()
	spans := exp.GetSpans()
	found := false
	for _, s := range spans {
		if s.Name == "ping" && s.Parent.SpanID() == op.SpanContext().SpanID() {
			found = true
		}
	}
	if !found {
		var names []string
		for _, s := range spans {
			names = append(names, s.Name)
		}
		t.Errorf("no ping span under the operation: %v", names)
	}
}
