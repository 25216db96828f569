package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// requestLimits is the handler extension that bounds a request before gqlgen
// coerces its variables or validates its document, the two steps whose cost
// grows with what a client sends (validation compares every pair of fields
// with one response key; coercion and ent's filters recurse per level):
//   - the variables: depth, values and boolean branches (Limits.InputDepth,
//     InputNodes, FilterBranches);
//   - a document not in the query cache (one that is was checked when it was
//     added): its tokens, operations, aliases, repeated fields and literal
//     argument values, checked on the parsed document before validation.
type requestLimits struct {
	Limits
	// cached reports whether a document is in the query cache.
	cached func(ctx context.Context, query string) bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = &requestLimits{}

// ExtensionName implements graphql.HandlerExtension.
func (*requestLimits) ExtensionName() string { return "LinliRequestLimits" }

// Validate implements graphql.HandlerExtension.
func (*requestLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator: it
// refuses a request over a limit, changing nothing.
func (l *requestLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	in := inputMeter{Limits: l.Limits}
	for name, v := range params.Variables {
		if err := in.value(nil, "variable $"+name, v); err != nil {
			return err
		}
	}
	if l.cached != nil && l.cached(ctx, params.Query) {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, l.Tokens)
	if err != nil {
		if e, ok := errors.AsType[*gqlerror.Error](err); ok && strings.HasPrefix(e.Message, "exceeded token limit") {
			return newLimitError(nil, LimitTokens, fmt.Sprintf("document exceeds the limit of %d tokens", l.Tokens))
		}
		return nil // the executor reports the syntax error
	}
	return l.document(doc)
}

// document checks a parsed, not yet validated document.
func (l *requestLimits) document(doc *ast.QueryDocument) *gqlerror.Error {
	if n := len(doc.Operations); n > l.Operations {
		return newLimitError(doc.Operations[l.Operations].Position, LimitOperations,
			fmt.Sprintf("document has %d operations, which exceeds the limit of %d", n, l.Operations))
	}
	d := documentMeter{Limits: l.Limits, doc: doc, in: inputMeter{Limits: l.Limits}, fragments: map[string]map[string]int{}}
	for _, op := range doc.Operations {
		if err := d.selectionSet(op.SelectionSet); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := d.selectionSet(f.SelectionSet); err != nil {
			return err
		}
	}
	return nil
}

// documentMeter counts the aliases of a document and its literal argument
// values, and checks each selection set's repeated fields.
type documentMeter struct {
	Limits
	doc     *ast.QueryDocument
	in      inputMeter
	aliases int
	// fragments holds the response keys a fragment selects at its top level
	// (its own and its spreads'), with how many times; nil while it is
	// being counted (a cycle, which the validator reports).
	fragments map[string]map[string]int
}

// selectionSet checks the fields of set and of the selection sets below it.
func (d *documentMeter) selectionSet(set ast.SelectionSet) *gqlerror.Error {
	keys := map[string]int{}
	if err := d.keys(set, keys); err != nil {
		return err
	}
	for _, sel := range set {
		var err *gqlerror.Error
		switch sel := sel.(type) {
		case *ast.Field:
			err = d.field(sel)
		case *ast.InlineFragment:
			err = d.selectionSet(sel.SelectionSet)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// field checks f's alias and arguments and its selections.
func (d *documentMeter) field(f *ast.Field) *gqlerror.Error {
	if f.Alias != "" && f.Alias != f.Name {
		if d.aliases++; d.aliases > d.Aliases {
			return newLimitError(f.Position, LimitAliases,
				fmt.Sprintf("document has more than %d aliases", d.Aliases))
		}
	}
	for _, arg := range f.Arguments {
		if err := d.in.literal(arg.Position, "argument "+arg.Name, arg.Value); err != nil {
			return err
		}
	}
	return d.selectionSet(f.SelectionSet)
}

// keys adds to counts the response keys set selects at its own level,
// inline fragments and fragment spreads included, and fails when one is
// selected more than FieldRepeats times.
func (d *documentMeter) keys(set ast.SelectionSet, counts map[string]int) *gqlerror.Error {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			key := sel.Alias
			if key == "" {
				key = sel.Name
			}
			if err := d.count(sel.Position, counts, key, 1); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := d.keys(sel.SelectionSet, counts); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			own, err := d.fragmentKeys(sel.Name)
			if err != nil {
				return err
			}
			for key, n := range own {
				if err := d.count(sel.Position, counts, key, n); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// fragmentKeys returns the response keys the named fragment selects at its
// top level, counted once per fragment.
func (d *documentMeter) fragmentKeys(name string) (map[string]int, *gqlerror.Error) {
	if own, seen := d.fragments[name]; seen {
		return own, nil // nil for a cycle
	}
	def := d.doc.Fragments.ForName(name)
	if def == nil {
		return nil, nil // the validator reports it
	}
	d.fragments[name] = nil
	own := map[string]int{}
	if err := d.keys(def.SelectionSet, own); err != nil {
		return nil, err
	}
	d.fragments[name] = own
	return own, nil
}

// count adds n selections of key to counts.
func (d *documentMeter) count(pos *ast.Position, counts map[string]int, key string, n int) *gqlerror.Error {
	if counts[key] += n; counts[key] > d.FieldRepeats {
		return newLimitError(pos, LimitFieldRepeats,
			fmt.Sprintf("%q is selected more than %d times in one selection set", key, d.FieldRepeats))
	}
	return nil
}

// inputMeter measures input values: each value's depth and boolean
// branches, and the values of all it has measured.
type inputMeter struct {
	Limits
	nodes int
}

// value checks v, a decoded JSON value named what (e.g. variable $where).
func (m *inputMeter) value(pos *ast.Position, what string, v any) *gqlerror.Error {
	branches := 0
	return m.walk(pos, what, 1, &branches, v)
}

// walk checks v, at the given depth (1 at the top) of the value named what.
func (m *inputMeter) walk(pos *ast.Position, what string, depth int, branches *int, v any) *gqlerror.Error {
	if err := m.node(pos, what, depth); err != nil {
		return err
	}
	switch v := v.(type) {
	case map[string]any:
		for key, child := range v {
			if err := m.branch(pos, what, key, branches, child); err != nil {
				return err
			}
			if err := m.walk(pos, what, depth+1, branches, child); err != nil {
				return err
			}
		}
	case []any:
		for _, child := range v {
			if err := m.walk(pos, what, depth+1, branches, child); err != nil {
				return err
			}
		}
	}
	return nil
}

// literal checks a literal argument value named what (variables in it are
// checked with the request's variables).
func (m *inputMeter) literal(pos *ast.Position, what string, v *ast.Value) *gqlerror.Error {
	branches := 0
	return m.walkLiteral(pos, what, 1, &branches, v)
}

// walkLiteral checks the literal v at the given depth of the value named what.
func (m *inputMeter) walkLiteral(pos *ast.Position, what string, depth int, branches *int, v *ast.Value) *gqlerror.Error {
	if v == nil {
		return nil
	}
	if err := m.node(pos, what, depth); err != nil {
		return err
	}
	for _, child := range v.Children {
		if v.Kind == ast.ObjectValue {
			var n any
			if child.Value != nil && child.Value.Kind == ast.ListValue {
				n = make([]any, len(child.Value.Children))
			}
			if err := m.branch(pos, what, child.Name, branches, n); err != nil {
				return err
			}
		}
		if err := m.walkLiteral(pos, what, depth+1, branches, child.Value); err != nil {
			return err
		}
	}
	return nil
}

// node counts one value at depth.
func (m *inputMeter) node(pos *ast.Position, what string, depth int) *gqlerror.Error {
	if depth > m.InputDepth {
		return newLimitError(pos, LimitInputDepth,
			fmt.Sprintf("%s nests deeper than the limit of %d", what, m.InputDepth))
	}
	if m.nodes++; m.nodes > m.InputNodes {
		return newLimitError(pos, LimitInputNodes,
			fmt.Sprintf("%s brings the request over the limit of %d input values", what, m.InputNodes))
	}
	return nil
}

// branch counts the boolean branches of an input object's field key whose
// value is v: one for not, one per element for and and or.
func (m *inputMeter) branch(pos *ast.Position, what, key string, branches *int, v any) *gqlerror.Error {
	switch key {
	case "not":
		*branches++
	case "and", "or":
		list, _ := v.([]any)
		*branches += max(len(list), 1)
	default:
		return nil
	}
	if *branches > m.FilterBranches {
		return newLimitError(pos, LimitFilterBranches,
			fmt.Sprintf("%s has more than %d boolean branches", what, m.FilterBranches))
	}
	return nil
}
