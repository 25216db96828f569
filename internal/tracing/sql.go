package tracing

import (
	"context"

	"entgo.io/ent/dialect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Driver wraps drv so that every statement it runs (in a transaction or
// not), and every transaction's commit, is a client span named after the
// statement's verb, with db.system and the statement text (its
// placeholders, never its arguments) as attributes. A statement outside
// any trace starts none: SQL spans are children of a request's spans.
func Driver(drv dialect.Driver, tp trace.TracerProvider) dialect.Driver {
	return &tracedDriver{Driver: drv, tracer: Tracer(tp), system: dbSystem(drv.Dialect())}
}

// dbSystem is the db.system attribute for an ent dialect.
func dbSystem(d string) string {
	if d == dialect.Postgres {
		return "postgresql"
	}
	return d
}

// tracedDriver is the dialect.Driver that Driver returns.
type tracedDriver struct {
	dialect.Driver
	tracer trace.Tracer
	system string
}

// Exec runs a statement in a span.
func (d *tracedDriver) Exec(ctx context.Context, query string, args, v any) error {
	ctx, span := d.start(ctx, query)
	return end(span, d.Driver.Exec(ctx, query, args, v))
}

// Query runs a query in a span.
func (d *tracedDriver) Query(ctx context.Context, query string, args, v any) error {
	ctx, span := d.start(ctx, query)
	return end(span, d.Driver.Query(ctx, query, args, v))
}

// Tx begins a transaction whose statements are traced.
func (d *tracedDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &tracedTx{Tx: tx, d: d, ctx: ctx}, nil
}

// start begins a statement's span when ctx is in a trace.
func (d *tracedDriver) start(ctx context.Context, query string) (context.Context, trace.Span) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx, nil
	}
	return d.tracer.Start(ctx, "sql "+verb(query), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system", d.system), attribute.String("db.statement", query)))
}

// end records err on span (if any) and ends it.
func end(span trace.Span, err error) error {
	if span == nil {
		return err
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
	return err
}

// verb is a statement's first word (SELECT, INSERT, ...), for span names
// of bounded cardinality.
func verb(query string) string {
	i := 0
	for i < len(query) && (query[i] == ' ' || query[i] == '\n' || query[i] == '\t') {
		i++
	}
	j := i
	for j < len(query) && query[j] != ' ' && query[j] != '\n' && query[j] != '\t' && query[j] != '(' {
		j++
	}
	if j-i > 16 {
		j = i + 16
	}
	return query[i:j]
}

// tracedTx is a transaction of a tracedDriver; ctx is the context it was
// begun with, whose trace its commit and rollback belong to.
type tracedTx struct {
	dialect.Tx
	d   *tracedDriver
	ctx context.Context
}

// Exec runs a statement of the transaction in a span.
func (t *tracedTx) Exec(ctx context.Context, query string, args, v any) error {
	ctx, span := t.d.start(ctx, query)
	return end(span, t.Tx.Exec(ctx, query, args, v))
}

// Query runs a query of the transaction in a span.
func (t *tracedTx) Query(ctx context.Context, query string, args, v any) error {
	ctx, span := t.d.start(ctx, query)
	return end(span, t.Tx.Query(ctx, query, args, v))
}

// Commit commits in a span.
func (t *tracedTx) Commit() error {
	_, span := t.d.start(t.ctx, "COMMIT")
	return end(span, t.Tx.Commit())
}

// Rollback rolls back in a span.
func (t *tracedTx) Rollback() error {
	_, span := t.d.start(t.ctx, "ROLLBACK")
	return end(span, t.Tx.Rollback())
}
