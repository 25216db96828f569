package authz_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestEveryEntityHasAPolicy fails when an ent schema has no privacy policy:
// without one, ent allows every read and write of that entity.
func TestEveryEntityHasAPolicy(t *testing.T) {
	pkgs, err := parser.ParseDir(token.NewFileSet(), "../../ent/schema", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	entities := map[string]bool{}
	policies := map[string]bool{}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, decl := range f.Decls {
				switch d := decl.(type) {
				case *ast.GenDecl:
					for _, spec := range d.Specs {
						ts, ok := spec.(*ast.TypeSpec)
						if !ok {
							continue
						}
						st, ok := ts.Type.(*ast.StructType)
						if !ok {
							continue
						}
						for _, field := range st.Fields.List {
							if sel, ok := field.Type.(*ast.SelectorExpr); ok && len(field.Names) == 0 && sel.Sel.Name == "Schema" {
								if x, ok := sel.X.(*ast.Ident); ok && x.Name == "ent" {
									entities[ts.Name.Name] = true
								}
							}
						}
					}
				case *ast.FuncDecl:
					if d.Name.Name == "Policy" && d.Recv != nil && len(d.Recv.List) == 1 {
						if id, ok := d.Recv.List[0].Type.(*ast.Ident); ok {
							policies[id.Name] = true
						}
					}
				}
			}
		}
	}
	if len(entities) < 10 {
		t.Fatalf("found only %d entities in ent/schema; the test is not reading them", len(entities))
	}
	for e := range entities {
		if !policies[e] {
			t.Errorf("ent schema %s has no Policy(): every read and write of it is allowed", e)
		}
	}
}
