package server

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/realtime"
)

// streamSchema is an executable schema for the streaming transports, built
// like gqlgen's handler/testserver (whose schema is not exported) so that
// these tests do not depend on Linli's domain schema. Its subscriptions:
//
//	name     an event for every publish, until end
//	ticks    "tick" at once, then like name
//	viewer   one event: the test viewer in the context, then complete
//	fail     one event with a FORBIDDEN and an internal error, then complete
//	node     never emits (for the limits)
type streamSchema struct {
	schema *ast.Schema

	mu      sync.Mutex
	subs    map[chan string]func() // each with its realtime.Ready signal
	changed chan struct{}          // closed and replaced whenever subs changes
	started int
}

// testViewerKey is the context key of the test viewer, a name.
type testViewerKey struct{}

// newStreamSchema returns a stream schema without subscribers.
func newStreamSchema() *streamSchema {
	return &streamSchema{
		schema: gqlparser.MustLoadSchema(&ast.Source{Input: `
			type Query { name: String! viewer: String! }
			type Subscription {
				name: String!
				ticks: String!
				viewer: String!
				fail: String
				node: Node
			}
			type Node { child: Node name: String }
		`}),
		subs:    map[chan string]func(){},
		changed: make(chan struct{}),
	}
}

// executable returns the schema as gqlgen's executable schema.
func (s *streamSchema) executable() graphql.ExecutableSchema {
	return &graphql.ExecutableSchemaMock{
		ExecFunc:   s.exec,
		SchemaFunc: func() *ast.Schema { return s.schema },
		ComplexityFunc: func(_ context.Context, _, _ string, child int, _ map[string]any) (int, bool) {
			return child + 1, true
		},
	}
}

// exec runs an operation.
func (s *streamSchema) exec(ctx context.Context) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx).Operation
	field, _ := op.SelectionSet[0].(*ast.Field)
	if field == nil {
		return graphql.OneShot(graphql.ErrorResponse(ctx, "the test schema wants a field first"))
	}
	viewer, _ := ctx.Value(testViewerKey{}).(string)
	if op.Operation == ast.Query {
		value := "test"
		if field.Name == "viewer" {
			value = viewer
		}
		return graphql.OneShot(&graphql.Response{Data: fieldData(field, value)})
	}
	switch field.Name {
	case "viewer":
		return graphql.OneShot(&graphql.Response{Data: fieldData(field, viewer)})
	case "fail":
		done := false
		return func(ctx context.Context) *graphql.Response {
			if done {
				return nil
			}
			done = true
			graphql.AddError(ctx, apperr.New(apperr.Forbidden, "not yours"))
			graphql.AddError(ctx, errors.New("database password is hunter2"))
			return &graphql.Response{Data: json.RawMessage(`{"` + field.Alias + `":null}`)}
		}
	}
	ch := s.subscribe(ctx)
	first := field.Name == "ticks"
	if first {
		s.mu.Lock()
		s.subs[ch]() // the tick is ready at once
		s.mu.Unlock()
	}
	return func(ctx context.Context) *graphql.Response {
		if first {
			first = false
			return &graphql.Response{Data: fieldData(field, "tick")}
		}
		select {
		case <-ctx.Done():
			return nil
		case v, ok := <-ch:
			if !ok {
				return nil
			}
			return &graphql.Response{Data: fieldData(field, v)}
		}
	}
}

// fieldData returns {"<alias>": value}.
func fieldData(field *ast.Field, value string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{field.Alias: value})
	return b
}

// subscribe registers a subscriber until ctx ends. Like Linli's own
// streams, it signals each value it sends (realtime.Ready), so that the
// graphql-transport-ws transport serves it without a waiting goroutine.
func (s *streamSchema) subscribe(ctx context.Context) chan string {
	ch := make(chan string, 16)
	s.mu.Lock()
	s.subs[ch] = realtime.Ready(ctx)
	s.started++
	s.notifyLocked()
	s.mu.Unlock()
	context.AfterFunc(ctx, func() {
		s.mu.Lock()
		if _, ok := s.subs[ch]; ok {
			delete(s.subs, ch)
			s.notifyLocked()
		}
		s.mu.Unlock()
	})
	return ch
}

// notifyLocked wakes those waiting for a change of subscribers.
func (s *streamSchema) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// publish sends v to every subscriber.
func (s *streamSchema) publish(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch, ready := range s.subs {
		select {
		case ch <- v:
			ready()
		default:
		}
	}
}

// end ends every subscription.
func (s *streamSchema) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch, ready := range s.subs {
		close(ch)
		ready()
		delete(s.subs, ch)
	}
	s.notifyLocked()
}

// count returns the number of subscribers and of subscriptions started.
func (s *streamSchema) count() (active, started int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs), s.started
}

// waitSubscribers waits until there are n subscribers.
func (s *streamSchema) waitSubscribers(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		s.mu.Lock()
		got, changed := len(s.subs), s.changed
		s.mu.Unlock()
		if got == n {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%d subscribers, want %d", got, n)
		}
	}
}
