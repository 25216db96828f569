package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// maxPageSize is the largest page a connection returns, and the page size of
// a connection queried without first or last.
const maxPageSize = 100

// costCap is where the complexity estimate stops growing (no overflow).
const costCap = math.MaxInt / 4

// limits is the handler extension that bounds an operation before it runs.
// It sees the validated document and the coerced variables, and checks:
//   - every argument named first or last is between 0 and maxPageSize, and a
//     connection does not get both;
//   - the depth: the longest chain of nested fields, at most maxDepth;
//   - the complexity, at most maxComplexity, where
//     cost(field) = 1 + n × Σ cost(children), with n the length of its
//     longest list argument for a list field (e.g. nodes(ids:)) and 1
//     otherwise; a connection's page size (first, else last, else
//     maxPageSize) multiplies only its edges and nodes, so totalCount and
//     pageInfo cost what they cost: one count, not a page of rows. Fragments count as if spread inline, @skip and @include are
//     ignored, so the estimate is an upper bound.
//
// A connection queried without first or last (or with null) is given
// first: maxPageSize in a copy of the operation. The copy is what runs, so
// entgql's eager loading of nested connections, which reads arguments from
// the document rather than from the resolvers, is limited too. The cached
// document is never modified.
//
// Introspection fields (__schema, __type, __typename) cost nothing; outside
// development, __schema and __type are refused here, before execution.
type limits struct {
	maxComplexity int
	maxDepth      int
	introspection bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &limits{}

// ExtensionName implements graphql.HandlerExtension.
func (*limits) ExtensionName() string { return "LinliLimits" }

// Validate implements graphql.HandlerExtension.
func (*limits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator: it
// rejects an operation that exceeds a limit, and gives connections without
// first or last their default page size.
func (l *limits) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	w := newWalker(opCtx.Doc, opCtx.Variables, l.introspection)
	m, set, err := w.selectionSet(opCtx.Operation.SelectionSet)
	if err != nil {
		return err
	}
	if m.depth > l.maxDepth {
		return limitError(opCtx.Operation.Position, LimitDepth,
			"operation has depth %d, which exceeds the limit of %d", m.depth, l.maxDepth)
	}
	if m.cost > l.maxComplexity {
		return limitError(opCtx.Operation.Position, LimitComplexity,
			"operation has complexity %d, which exceeds the limit of %d", m.cost, l.maxComplexity)
	}
	opCtx.Doc, opCtx.Operation = w.rewrite(opCtx.Operation, set)
	return nil
}

// measurement is the cost and depth of a selection set.
type measurement struct {
	cost  int
	depth int
}

// walker measures a selection set and rewrites it where a connection needs
// its default page size. A rewritten selection set is a copy; selection sets
// and fields that need no change are shared with the original document.
type walker struct {
	doc           *ast.QueryDocument
	vars          map[string]any
	introspection bool
	// fragments holds each fragment walked: its cost and depth do not depend
	// on where it is spread, so a document of fragments spread many times
	// does not make the walk exponential.
	fragments map[string]walkedFragment
	// page is the page size of the connection whose selection set is being
	// walked (-1 elsewhere): it multiplies that connection's edges and nodes.
	page int
}

// walkedFragment is a fragment's measurement and its rewritten copy (nil
// when it needs no change).
type walkedFragment struct {
	measurement
	copy *ast.FragmentDefinition
	page int // the page size it was measured under
}

// newWalker returns a walker over doc with the coerced variables vars.
func newWalker(doc *ast.QueryDocument, vars map[string]any, introspection bool) *walker {
	return &walker{doc: doc, vars: vars, introspection: introspection, fragments: map[string]walkedFragment{}, page: -1}
}

// rewrite returns the document and operation to execute: the originals when
// nothing changed, else copies with op's selection set replaced by set (when
// not nil) and the rewritten fragments in place of the originals.
func (w *walker) rewrite(op *ast.OperationDefinition, set ast.SelectionSet) (*ast.QueryDocument, *ast.OperationDefinition) {
	changed := set != nil
	for _, f := range w.fragments {
		changed = changed || f.copy != nil
	}
	if !changed {
		return w.doc, op
	}
	doc := *w.doc
	if set != nil {
		newOp := *op
		newOp.SelectionSet = set
		doc.Operations = slices.Clone(doc.Operations)
		for i := range doc.Operations {
			if doc.Operations[i] == op {
				doc.Operations[i] = &newOp
			}
		}
		op = &newOp
	}
	doc.Fragments = slices.Clone(doc.Fragments)
	for i, f := range doc.Fragments {
		if walked := w.fragments[f.Name]; walked.copy != nil {
			doc.Fragments[i] = walked.copy
		}
	}
	return &doc, op
}

// selectionSet measures a selection set: the sum of its fields' costs and the
// largest of their depths. It returns the rewritten copy of set, or nil when
// set needs no change.
func (w *walker) selectionSet(set ast.SelectionSet) (measurement, ast.SelectionSet, *gqlerror.Error) {
	var (
		total measurement
		out   ast.SelectionSet
	)
	for i, sel := range set {
		var (
			m    measurement
			repl ast.Selection
			err  *gqlerror.Error
		)
		switch sel := sel.(type) {
		case *ast.Field:
			var f *ast.Field
			if m, f, err = w.field(sel); f != nil {
				repl = f
			}
		case *ast.InlineFragment:
			var children ast.SelectionSet
			if m, children, err = w.selectionSet(sel.SelectionSet); children != nil {
				c := *sel
				c.SelectionSet = children
				repl = &c
			}
		case *ast.FragmentSpread:
			var def *ast.FragmentDefinition
			if m, def, err = w.fragment(sel.Name); def != nil {
				c := *sel
				c.Definition = def
				repl = &c
			}
		}
		if err != nil {
			return measurement{}, nil, err
		}
		total.cost = addCapped(total.cost, m.cost)
		total.depth = max(total.depth, m.depth)
		if repl != nil {
			if out == nil {
				out = slices.Clone(set)
			}
			out[i] = repl
		}
	}
	return total, out, nil
}

// fragment walks the named fragment, once for each page size it is spread
// under (its edges cost that many times).
func (w *walker) fragment(name string) (measurement, *ast.FragmentDefinition, *gqlerror.Error) {
	if f, ok := w.fragments[name]; ok && f.page == w.page {
		return f.measurement, f.copy, nil
	}
	def := w.doc.Fragments.ForName(name)
	if def == nil {
		return measurement{}, nil, nil // the validator has reported it
	}
	m, set, err := w.selectionSet(def.SelectionSet)
	if err != nil {
		return measurement{}, nil, err
	}
	f := walkedFragment{measurement: m, page: w.page}
	if set != nil {
		c := *def
		c.SelectionSet = set
		f.copy = &c
	}
	w.fragments[name] = f
	return f.measurement, f.copy, nil
}

// field measures a field and its selections. It returns the rewritten copy
// of f, or nil when f needs no change.
func (w *walker) field(f *ast.Field) (measurement, *ast.Field, *gqlerror.Error) {
	if strings.HasPrefix(f.Name, "__") {
		if !w.introspection && f.Name != "__typename" {
			return measurement{}, nil, limitError(f.Position, LimitIntrospection, "introspection is disabled")
		}
		return measurement{}, nil, nil
	}
	n, defaultFirst, err := w.multiplier(f)
	if err != nil {
		return measurement{}, nil, err
	}
	if w.page >= 0 && (f.Name == "edges" || f.Name == "nodes") {
		n = w.page
	}
	outer := w.page
	w.page = -1
	if isConnection(f.Definition) {
		w.page, n = n, 1
	}
	children, set, err := w.selectionSet(f.SelectionSet)
	w.page = outer
	if err != nil {
		return measurement{}, nil, err
	}
	m := measurement{
		cost:  addCapped(1, mulCapped(n, children.cost)),
		depth: 1 + children.depth,
	}
	if set == nil && defaultFirst == nil {
		return m, nil, nil
	}
	c := *f
	if set != nil {
		c.SelectionSet = set
	}
	if defaultFirst != nil {
		c.Arguments = make(ast.ArgumentList, 0, len(f.Arguments)+1)
		for _, arg := range f.Arguments {
			if arg.Name != "first" { // a null or a variable without a value
				c.Arguments = append(c.Arguments, arg)
			}
		}
		c.Arguments = append(c.Arguments, &ast.Argument{
			Name:     "first",
			Position: f.Position,
			Value: &ast.Value{
				Kind:         ast.IntValue,
				Raw:          strconv.Itoa(maxPageSize),
				Position:     f.Position,
				ExpectedType: defaultFirst.Type,
			},
		})
	}
	return m, &c, nil
}

// multiplier checks f's first and last arguments and returns how many times
// f's selections are resolved, and, for a connection that has neither, the
// definition of its first argument (to be set to maxPageSize).
func (w *walker) multiplier(f *ast.Field) (int, *ast.ArgumentDefinition, *gqlerror.Error) {
	first, hasFirst, err := w.pageArgument(f, "first")
	if err != nil {
		return 0, nil, err
	}
	last, hasLast, err := w.pageArgument(f, "last")
	if err != nil {
		return 0, nil, err
	}
	if f.Definition == nil || f.Definition.Type == nil {
		return 1, nil, nil
	}
	if isConnection(f.Definition) {
		switch {
		case hasFirst && hasLast:
			err := limitError(f.Position, LimitPageSize, "first and last cannot be used together")
			err.Err.(*limitExceeded).app.Field = "last"
			return 0, nil, err
		case hasFirst:
			return first, nil, nil
		case hasLast:
			return last, nil, nil
		default:
			return maxPageSize, f.Definition.Arguments.ForName("first"), nil
		}
	}
	n := 1
	if f.Definition.Type.Elem != nil {
		for _, arg := range f.Arguments {
			if v, err := arg.Value.Value(w.vars); err == nil {
				if list, ok := v.([]any); ok {
					n = max(n, len(list))
				}
			}
		}
	}
	return n, nil, nil
}

// pageArgument returns the value of f's argument name (first or last), and
// whether it has one; a value outside [0, maxPageSize] is an error.
func (w *walker) pageArgument(f *ast.Field, name string) (int, bool, *gqlerror.Error) {
	arg := f.Arguments.ForName(name)
	if arg == nil {
		return 0, false, nil
	}
	v, err := arg.Value.Value(w.vars)
	if err != nil || v == nil {
		return 0, false, nil // absent variable or null: no limit given
	}
	n, ok := toInt(v)
	if !ok {
		return 0, true, nil // not an Int: refused when the argument is coerced (and never rewritten)
	}
	if n < 0 || n > maxPageSize {
		err := limitError(arg.Position, LimitPageSize, "%s must be between 0 and %d", name, maxPageSize)
		err.Err.(*limitExceeded).app.Field = name
		return 0, false, err
	}
	return int(n), true, nil
}

// toInt converts a coerced Int value to an int64.
func toInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case float64:
		return int64(v), v == math.Trunc(v) && math.Abs(v) < 1<<53
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	}
	return 0, false
}

// isConnection reports whether def returns a Relay connection.
func isConnection(def *ast.FieldDefinition) bool {
	return def != nil && def.Type != nil && def.Type.Elem == nil &&
		strings.HasSuffix(def.Type.Name(), "Connection")
}

// limitError returns the BAD_USER_INPUT error at pos of an operation over
// the limit named limit.
func limitError(pos *ast.Position, limit, format string, args ...any) *gqlerror.Error {
	return newLimitError(pos, limit, fmt.Sprintf(format, args...))
}

// addCapped returns a+b, at most costCap (both are non-negative).
func addCapped(a, b int) int {
	return min(a+b, costCap) // a, b ≤ costCap, so a+b does not overflow
}

// mulCapped returns a×b, at most costCap (both are non-negative).
func mulCapped(a, b int) int {
	if a != 0 && b > costCap/a {
		return costCap
	}
	return min(a*b, costCap)
}
