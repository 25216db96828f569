package apitest_test

import (
	"testing"

	"entgo.io/ent/dialect"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/server"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/tracing"
)

// TestTracing runs `me` through the real handler on each database with
// tracing wired as serve wires it: the operation is a span, its resolver
// a child of it, and the SQL statements the resolver runs are children of
// the resolver. With the server's tracing off (the driver still wrapped),
// nothing at all is exported: statements outside a trace start none.
func TestTracing(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			exp := tracetest.NewInMemoryExporter()
			tp := tracing.NewProvider(sdktrace.NewSimpleSpanProcessor(exp), 1)
			s := storetest.OpenWith(t, b, func(d dialect.Driver) dialect.Driver { return tracing.Driver(d, tp) })

			off := apitest.New(t, s)
			access, _ := off.SignIn(t, "13700000099")
			off.Do(t, access, `query Me { me { id } }`, nil).Must(t)
			if spans := exp.GetSpans(); len(spans) != 0 {
				t.Fatalf("tracing off exported %d spans: %v", len(spans), names(spans))
			}

			on := apitest.New(t, s, apitest.WithServerOptions(func(o *server.Options) { o.Tracing = tp }))
			on.Do(t, access, `query Me { me { id } }`, nil).Must(t)
			spans := exp.GetSpans()
			byID := map[string]tracetest.SpanStub{}
			for _, sp := range spans {
				byID[sp.SpanContext.SpanID().String()] = sp
			}
			var op, me tracetest.SpanStub
			sqlUnderMe := 0
			for _, sp := range spans {
				switch {
				case sp.Name == "query Me":
					op = sp
				case sp.Name == "Query.me":
					me = sp
				}
			}
			if !op.SpanContext.IsValid() || !me.SpanContext.IsValid() {
				t.Fatalf("spans %v, want \"query Me\" and \"Query.me\"", names(spans))
			}
			if me.Parent.SpanID() != op.SpanContext.SpanID() {
				t.Errorf("Query.me's parent is %s, want the operation", byID[me.Parent.SpanID().String()].Name)
			}
			for _, sp := range spans {
				if len(sp.Name) > 4 && sp.Name[:4] == "sql " && sp.Parent.SpanID() == me.SpanContext.SpanID() {
					sqlUnderMe++
				}
			}
			if sqlUnderMe == 0 {
				t.Errorf("no SQL span under Query.me: %v", names(spans))
			}
		})
	}
}

// names lists the names of spans.
func names(spans tracetest.SpanStubs) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}
