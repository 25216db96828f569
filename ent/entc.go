//go:build ignore

// Command entc generates the ent client and the GraphQL types of Linli's
// entities (graph/ent.graphql) from ent/schema. Run it with `go generate ./...`.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithConfigPath("./gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("./graph/ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(false),
		entgql.WithSchemaHook(describeTypes),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./ent/schema", &gen.Config{
		Hooks: []gen.Hook{linliCursors},
		Features: []gen.Feature{
			gen.FeaturePrivacy,
			gen.FeatureIntercept,
			gen.FeatureVersionedMigration,
			gen.FeatureGlobalID,
			gen.FeatureLock,
			gen.FeatureUpsert,
			gen.FeatureModifier,
		},
	}, entc.Extensions(ex))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// entgqlCursorArgs is how entgql's gql_collection.go reads the cursor
// arguments of an edge it loads with its parent, and linliCursorArgs how
// Linli's must: with the Cursor scalar's own encoding (internal/cursor, via
// ent/cursor.go), dropping a cursor that does not decode (the field's
// argument then fails as BAD_USER_INPUT; left in place, it would panic).
const (
	entgqlCursorArgs = `		c := &Cursor{}
		if c.UnmarshalGQL(v) == nil {
			args[k] = c
		}
`
	linliCursorArgs = `		c := &Cursor{}
		if unmarshalCursor(c, v) == nil {
			args[k] = c
		} else {
			delete(args, k)
		}
`
)

// linliCursors runs after the generator and makes gql_collection.go read
// cursors as the GraphQL Cursor scalar does (gqlgen.yml binds it to
// internal/cursor). It fails when entgql's code changed and the patch no
// longer applies, so an upgrade cannot silently bring entgql's reading
// back.
func linliCursors(next gen.Generator) gen.Generator {
	return gen.GenerateFunc(func(g *gen.Graph) error {
		if err := next.Generate(g); err != nil {
			return err
		}
		path := filepath.Join(g.Config.Target, "gql_collection.go")
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Count(src, []byte(entgqlCursorArgs)) != 1 {
			return fmt.Errorf("%s: entgql's cursor arguments changed; update linliCursors in ent/entc.go", path)
		}
		src = bytes.Replace(src, []byte(entgqlCursorArgs), []byte(linliCursorArgs), 1)
		if src, err = format.Source(src); err != nil {
			return err
		}
		return os.WriteFile(path, src, 0o644)
	})
}

// describeTypes gives every generated GraphQL type, field, argument and enum
// value a description: entity types take the schema.Comment of their ent
// schema, generated plumbing gets a sentence that says what it is.
func describeTypes(g *gen.Graph, s *ast.Schema) error {
	comments := map[string]string{}
	for _, t := range g.Nodes {
		if c, ok := t.Annotations["Comment"].(map[string]any); ok {
			comments[t.Name], _ = c["Text"].(string)
		}
	}
	for name, def := range s.Types {
		if def.BuiltIn {
			continue
		}
		if def.Description == "" {
			def.Description = typeDescription(name, comments)
		}
		for _, f := range def.Fields {
			if f.Description == "" {
				f.Description = fieldDescription(name, f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					a.Description = argumentDescription(a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				v.Description = fmt.Sprintf("The value %s.", v.Name)
			}
		}
	}
	return nil
}

func typeDescription(name string, comments map[string]string) string {
	if c := comments[name]; c != "" {
		return c
	}
	for _, suffix := range []string{"Connection", "Edge", "Order", "OrderField", "WhereInput"} {
		base, ok := strings.CutSuffix(name, suffix)
		if !ok || base == "" {
			continue
		}
		switch suffix {
		case "Connection":
			return fmt.Sprintf("A Relay connection: one page of %s items.", base)
		case "Edge":
			return fmt.Sprintf("An edge in a %s connection: the item and its cursor.", base)
		case "Order":
			return fmt.Sprintf("Ordering options for %s connections.", base)
		case "OrderField":
			return fmt.Sprintf("Properties by which %s connections can be ordered.", base)
		case "WhereInput":
			return fmt.Sprintf("Filters for %s lists; all given conditions must hold.", base)
		}
	}
	return "The " + name + " type."
}

func fieldDescription(typeName, field string) string {
	switch field {
	case "edges":
		return "The items of this page, each with its cursor."
	case "pageInfo":
		return "Information to fetch the next or previous page."
	case "totalCount":
		return "The number of items in the whole list, across all pages."
	case "node":
		return "The item at the end of the edge."
	case "cursor":
		return "A cursor for use in pagination: pass it as `after` or `before`."
	case "direction":
		return "The ordering direction."
	case "field":
		return "The field by which to order."
	case "not":
		return "Matches when the given filter does not."
	case "and":
		return "Matches when all the given filters do."
	case "or":
		return "Matches when any of the given filters does."
	}
	if strings.HasSuffix(typeName, "WhereInput") {
		return describePredicate(field)
	}
	return "The " + field + " of the " + typeName + "."
}

// predicateSuffixes maps the suffixes entgql gives predicate fields to words.
var predicateSuffixes = []struct{ suffix, words string }{
	{"NEQ", "is not equal to"}, {"NotIn", "is none of"}, {"In", "is one of"},
	{"GTE", "is at least"}, {"GT", "is greater than"}, {"LTE", "is at most"},
	{"LT", "is less than"}, {"ContainsFold", "contains, ignoring case,"},
	{"Contains", "contains"}, {"HasPrefix", "starts with"}, {"HasSuffix", "ends with"},
	{"EqualFold", "equals, ignoring case,"}, {"IsNil", "is empty"}, {"NotNil", "is set"},
}

func describePredicate(field string) string {
	if base, ok := strings.CutPrefix(field, "has"); ok && base != "" {
		if b, ok := strings.CutSuffix(base, "With"); ok {
			return fmt.Sprintf("Matches items with a %s that matches any of the given filters.", lowerFirst(b))
		}
		return fmt.Sprintf("Matches items that have a %s.", lowerFirst(base))
	}
	for _, p := range predicateSuffixes {
		if base, ok := strings.CutSuffix(field, p.suffix); ok && base != "" {
			if p.suffix == "IsNil" || p.suffix == "NotNil" {
				return fmt.Sprintf("Matches items whose %s %s.", base, p.words)
			}
			return fmt.Sprintf("Matches items whose %s %s the given value.", base, p.words)
		}
	}
	return fmt.Sprintf("Matches items whose %s equals the given value.", field)
}

func argumentDescription(name string) string {
	switch name {
	case "after":
		return "Returns the items after this cursor."
	case "first":
		return "Returns at most this many items from the start (at most 100)."
	case "before":
		return "Returns the items before this cursor."
	case "last":
		return "Returns at most this many items from the end (at most 100)."
	case "orderBy":
		return "How to order the items."
	case "where":
		return "Filters the items."
	}
	return "The " + name + "."
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
