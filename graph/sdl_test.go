package graph

import (
	"bytes"
	"os"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestCommittedSDLIsCurrent fails when api/schema.graphql, the SDL app teams
// generate clients from, is not the schema the server serves: run
// `go generate ./...` and commit the result.
func TestCommittedSDLIsCurrent(t *testing.T) {
	committed, err := os.ReadFile("../api/schema.graphql")
	if err != nil {
		t.Fatalf("read the committed SDL: %v", err)
	}
	if !bytes.Equal(committed, SDL()) {
		t.Fatal("api/schema.graphql is out of step with the schema; run `go generate ./...` and commit it")
	}
}

// TestCommittedSDLIsComplete loads api/schema.graphql on its own, as a client
// code generator would, and finds in it every type, field and argument of
// the served schema.
func TestCommittedSDLIsComplete(t *testing.T) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "api/schema.graphql", Input: string(SDL())})
	if err != nil {
		t.Fatalf("the printed SDL does not load on its own: %v", err)
	}
	served := NewSchema(nil).Schema()
	for name, def := range served.Types {
		got := s.Types[name]
		if got == nil {
			t.Errorf("type %s is missing from the SDL", name)
			continue
		}
		for _, f := range def.Fields {
			g := got.Fields.ForName(f.Name)
			if g == nil {
				t.Errorf("%s.%s is missing from the SDL", name, f.Name)
				continue
			}
			if g.Type.String() != f.Type.String() || len(g.Arguments) != len(f.Arguments) {
				t.Errorf("%s.%s is %s with %d arguments in the SDL, served as %s with %d",
					name, f.Name, g.Type, len(g.Arguments), f.Type, len(f.Arguments))
			}
		}
	}
	for name := range served.Directives {
		if s.Directives[name] == nil {
			t.Errorf("directive @%s is missing from the SDL", name)
		}
	}
	if s.Query == nil || s.Mutation == nil || s.Subscription == nil {
		t.Error("the SDL lacks a root operation type")
	}
}
