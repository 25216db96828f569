// Package tracing is Linli's optional OpenTelemetry tracing: a tracer
// provider that exports spans over OTLP/HTTP when an endpoint is
// configured (LINLI_OTLP_ENDPOINT), and the ent driver wrapper that gives
// every SQL statement a span. Off (no endpoint), Setup returns no provider
// and the composition root wires in nothing, so tracing costs nothing.
//
// The GraphQL operation and resolver spans are made by internal/server;
// Redis commands are traced by go-redis's own hook (redisotel).
package tracing

import (
	"context"
	"fmt"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// ServiceName is the service.name every span is exported under.
const ServiceName = "linli"

// InstrumentationName names the tracers Linli's own spans come from.
const InstrumentationName = "github.com/jimei-linli/linli"

// Setup builds the tracer provider that exports to the OTLP/HTTP endpoint
// (a URL such as http://collector:4318; its path, if any, replaces
// /v1/traces), sampling ratio of the traces that start here (0 to 1; a
// request that arrives inside a sampled trace stays sampled). An empty
// endpoint turns tracing off: Setup returns a nil provider and a shutdown
// that does nothing. Shutdown flushes the spans still batched.
func Setup(endpoint string, ratio float64) (*sdktrace.TracerProvider, func(context.Context) error, error) {
	if endpoint == "" {
		return nil, func(context.Context) error { return nil }, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("tracing: the OTLP endpoint must be an http(s) URL, not %q", endpoint)
	}
	opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(endpoint)}
	if u.Path == "" || u.Path == "/" {
		opts = []otlptracehttp.Option{otlptracehttp.WithEndpoint(u.Host)}
		if u.Scheme == "http" {
			opts = append(opts, otlptracehttp.WithInsecure())
		}
	}
	exp, err := otlptracehttp.New(context.Background(), opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: %w", err)
	}
	tp := NewProvider(sdktrace.NewBatchSpanProcessor(exp), ratio)
	return tp, tp.Shutdown, nil
}

// NewProvider returns a tracer provider that hands Linli's spans to sp,
// sampling ratio of new traces (tests pass a tracetest exporter's syncer
// and 1).
func NewProvider(sp sdktrace.SpanProcessor, ratio float64) *sdktrace.TracerProvider {
	return sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(sp),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", ServiceName))),
	)
}

// Tracer returns Linli's tracer from tp.
func Tracer(tp trace.TracerProvider) trace.Tracer {
	return tp.Tracer(InstrumentationName)
}

// ChildrenOnly returns a provider whose tracers start spans only inside a
// trace (under a request's spans): elsewhere, e.g. in background jobs or
// the real-time relay's Redis traffic, they return ctx's no-op span and
// nothing is exported. Libraries that trace on their own (redisotel) get it
// so that they add to requests' traces instead of starting their own.
func ChildrenOnly(tp trace.TracerProvider) trace.TracerProvider {
	return childrenOnlyProvider{tp}
}

// childrenOnlyProvider is the provider that ChildrenOnly returns.
type childrenOnlyProvider struct{ trace.TracerProvider }

// Tracer returns a tracer that starts spans only under a valid parent.
func (p childrenOnlyProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return childrenOnlyTracer{p.TracerProvider.Tracer(name, opts...)}
}

// childrenOnlyTracer is a tracer of a childrenOnlyProvider.
type childrenOnlyTracer struct{ trace.Tracer }

// Start starts a span when ctx is in a trace; otherwise it returns ctx and
// ctx's (no-op) span.
func (t childrenOnlyTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx, trace.SpanFromContext(ctx)
	}
	return t.Tracer.Start(ctx, name, opts...)
}
