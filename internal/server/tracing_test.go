package server

import (
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/jimei-linli/linli/internal/tracing"
)

// TestTracedOperationInLogLine checks that with tracing on an operation
// is a span carrying its type, name and request id, that the request's log
// line carries that span's trace id, and that a traceparent header makes
// the operation part of the caller's trace.
func TestTracedOperationInLogLine(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	opts, logs := testOptions(t)
	opts.Tracing = tracing.NewProvider(sdktrace.NewSimpleSpanProcessor(exp), 1)
	h := New(opts)

	req := postQuery(`query Named { __typename }`, nil)
	req.Header.Set("X-Request-Id", "trace-1")
	h.ServeHTTP(httptest.NewRecorder(), req)
	spans := exp.GetSpans()
	if len(spans) != 1 || spans[0].Name != "query Named" {
		t.Fatalf("spans %v, want one \"query Named\"", spanNames(spans))
	}
	attrs := attribute.NewSet(spans[0].Attributes...)
	for k, want := range map[attribute.Key]string{"linli.request_id": "trace-1", "graphql.operation.name": "Named", "graphql.operation.type": "query"} {
		if v, _ := attrs.Value(k); v.AsString() != want {
			t.Errorf("span attribute %s = %q, want %q", k, v.AsString(), want)
		}
	}
	line := logLine(t, logs.String(), "request_id=trace-1")
	if want := "trace_id=" + spans[0].SpanContext.TraceID().String(); !strings.Contains(line, want) {
		t.Errorf("log line lacks %s: %s", want, line)
	}

	exp.Reset()
	req = postQuery(`{ __typename }`, nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), req)
	spans = exp.GetSpans()
	if len(spans) != 1 || spans[0].SpanContext.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" || spans[0].Parent.SpanID().String() != "00f067aa0ba902b7" {
		t.Errorf("span with a traceparent: %+v, want it in the caller's trace", spans)
	}
}

// TestUntracedLogLine checks that without tracing the log line has no
// trace id.
func TestUntracedLogLine(t *testing.T) {
	opts, logs := testOptions(t)
	req := postQuery(`{ __typename }`, nil)
	req.Header.Set("X-Request-Id", "untraced")
	New(opts).ServeHTTP(httptest.NewRecorder(), req)
	if line := logLine(t, logs.String(), "request_id=untraced"); strings.Contains(line, "trace_id") {
		t.Errorf("untraced log line has a trace id: %s", line)
	}
}

// spanNames lists the names of spans.
func spanNames(spans tracetest.SpanStubs) []string {
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.Name
	}
	return names
}
