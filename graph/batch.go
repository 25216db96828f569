package graph

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/resident"
)

// A reference to a resident that the viewer may not be allowed to see (a
// request's filer, a meal order's beneficiary, a volunteer) is not an ent
// edge in the API: it must resolve to null, not fail, when it is hidden, so
// it has a resolver. Resolved one row at a time, a page of 20 orders would
// cost 20 statements for its beneficiaries. Instead, the first element of a
// list to resolve such a field loads the residents of every element of the
// list in one statement, as the viewer (privacy decides, and a hidden one is
// simply not there), and the others take theirs from that batch. Batches
// live for one response (each event of a subscription is one), so nothing
// read is served stale to the next.

// residentBatches are the batches of one response.
type residentBatches struct {
	mu sync.Mutex
	m  map[batchKey]*residentBatch
}

// batchKey names one field of one type of object in one list of a
// response.
type batchKey struct {
	list   *graphql.FieldContext
	object string
	field  string
}

// residentBatch is the residents one field references across one list.
type residentBatch struct {
	once sync.Once
	rows map[int]*ent.Resident
	ids  map[int]bool // the ids the batch asked for
	err  error
}

type residentBatchesKey struct{}

// batchExtension gives each response its residentBatches.
type batchExtension struct{}

var (
	_ graphql.HandlerExtension    = batchExtension{}
	_ graphql.ResponseInterceptor = batchExtension{}
)

// ExtensionName names the extension.
func (batchExtension) ExtensionName() string { return "ResidentBatches" }

// Validate accepts every schema.
func (batchExtension) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse runs the response with batches of its own.
func (batchExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	return next(context.WithValue(ctx, residentBatchesKey{}, &residentBatches{m: map[batchKey]*residentBatch{}}))
}

// visibleResidentOf resolves the resident that obj references by ref (0 for
// none) as the viewer, or nil when they may not see them. Within a list,
// it loads the residents of every element of the list at once.
func visibleResidentOf[T any](ctx context.Context, r *Resolver, obj T, ref func(T) int) (*ent.Resident, error) {
	id := ref(obj)
	if id == 0 {
		return nil, nil
	}
	if b := residentBatchOf(ctx, r, ref); b != nil && b.ids[id] {
		return b.rows[id], nil
	}
	return r.visibleResident(ctx, id)
}

// residentBatchOf returns the loaded batch of the field being resolved, or
// nil when it is not resolved in a list whose elements can be reached, or
// the batch failed (each element then loads its own).
func residentBatchOf[T any](ctx context.Context, r *Resolver, ref func(T) int) *residentBatch {
	bs, _ := ctx.Value(residentBatchesKey{}).(*residentBatches)
	fc := graphql.GetFieldContext(ctx)
	if bs == nil || fc == nil {
		return nil
	}
	list, objs, ok := siblings[T](fc)
	if !ok {
		return nil
	}
	key := batchKey{list: list, object: fc.Object, field: fc.Field.Name}
	bs.mu.Lock()
	b := bs.m[key]
	if b == nil {
		b = &residentBatch{}
		bs.m[key] = b
	}
	bs.mu.Unlock()
	b.once.Do(func() {
		ids := map[int]bool{}
		for _, o := range objs {
			if id := ref(o); id != 0 {
				ids[id] = true
			}
		}
		if len(ids) == 0 {
			b.err = errNothingToLoad
			return
		}
		rows, err := loadResidents(ctx, r.client, ids)
		b.ids, b.rows, b.err = ids, rows, err
	})
	if b.err != nil {
		return nil
	}
	return b
}

// loadResidents loads the residents ids the viewer may see, with the
// fields the operation asks for, by id.
func loadResidents(ctx context.Context, client *ent.Client, ids map[int]bool) (map[int]*ent.Resident, error) {
	keys := make([]int, 0, len(ids))
	for id := range ids {
		keys = append(keys, id)
	}
	q, err := client.Resident.Query().Where(resident.IDIn(keys...)).CollectFields(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int]*ent.Resident, len(rows))
	for _, res := range rows {
		byID[res.ID] = res
	}
	return byID, nil
}

// errNothingToLoad marks a batch that found no references to load.
var errNothingToLoad = errors.New("graph: no resident referenced in the list")

// step is one step from a field's value down to what the response shows
// under it: a field by name, or each element of a list.
type step struct {
	field, alias string
	each         bool
}

// siblings returns the outermost list above the object whose field fc
// resolves from which every object of that type at the same place can be
// reached, with those objects (fc's among them). It follows plain struct
// fields and ent's eager-loaded edges (Edges.X), so the volunteers of every
// offer of every help request on a page are one batch.
func siblings[T any](fc *graphql.FieldContext) (*graphql.FieldContext, []T, bool) {
	var chain []*graphql.FieldContext // from the root down to the object
	for c := fc.Parent; c != nil; c = c.Parent {
		chain = append([]*graphql.FieldContext{c}, chain...)
	}
	for i, c := range chain {
		if c.Index == nil || i == 0 || chain[i-1].Result == nil {
			continue
		}
		steps := make([]step, 0, len(chain)-i)
		for _, d := range chain[i:] {
			if d.Index != nil {
				steps = append(steps, step{each: true})
			} else if d.Field.Field != nil {
				steps = append(steps, step{field: d.Field.Name, alias: d.Field.Alias})
			}
		}
		var objs []T
		if follow(reflect.ValueOf(chain[i-1].Result), steps, &objs) {
			return chain[i-1], objs, true
		}
	}
	return nil, nil, false
}

// follow walks steps down from v and appends the objects of type T it
// reaches to out; false when a step cannot be taken (a field that a
// resolver computes). Nil values and objects of other types (in a list of
// nodes) are passed over.
func follow[T any](v reflect.Value, steps []step, out *[]T) bool {
	if len(steps) == 0 {
		if v = indirect(v); v.IsValid() {
			if o, ok := v.Interface().(T); ok {
				*out = append(*out, o)
			} else if v.CanAddr() {
				if o, ok := v.Addr().Interface().(T); ok {
					*out = append(*out, o)
				}
			}
		}
		return true
	}
	if st := steps[0]; st.each {
		if v = indirect(v); !v.IsValid() {
			return true
		}
		if v.Kind() != reflect.Slice {
			return false
		}
		for i := range v.Len() {
			if !follow(v.Index(i), steps[1:], out) {
				return false
			}
		}
		return true
	}
	ptr := v
	if v = indirect(v); !v.IsValid() {
		return true
	}
	if v.Kind() != reflect.Struct {
		return false
	}
	named := func(n string) bool { return strings.EqualFold(n, steps[0].field) }
	f := v.FieldByNameFunc(named)
	if !f.IsValid() {
		if edges := v.FieldByName("Edges"); edges.IsValid() && edges.Kind() == reflect.Struct {
			f = edges.FieldByNameFunc(named)
		}
	}
	if f.IsValid() && f.CanInterface() && !f.IsZero() {
		return follow(f, steps[1:], out)
	}
	// An edge entgql loaded under the field's alias: ent keeps it as a
	// named edge (NamedOffers("offers")); a connection's edges are its
	// nodes.
	nodes, ok := namedEdge(ptr, steps[0])
	if !ok {
		return false
	}
	rest := steps[1:]
	switch {
	case len(rest) >= 3 && rest[0].field == "edges" && rest[1].each && rest[2].field == "node":
		rest = append([]step{{each: true}}, rest[3:]...)
	case len(rest) >= 2 && rest[0].field == "nodes" && rest[1].each:
		rest = append([]step{{each: true}}, rest[2:]...)
	}
	return follow(nodes, rest, out)
}

// namedEdge returns the edge ent loaded for st's field under its alias
// (the Named<Edge> method of an entity), and whether there is one.
func namedEdge(ptr reflect.Value, st step) (reflect.Value, bool) {
	if ptr.Kind() != reflect.Pointer || st.field == "" {
		return reflect.Value{}, false
	}
	m := ptr.MethodByName("Named" + strings.ToUpper(st.field[:1]) + st.field[1:])
	if !m.IsValid() || m.Type().NumIn() != 1 || m.Type().In(0).Kind() != reflect.String || m.Type().NumOut() != 2 {
		return reflect.Value{}, false
	}
	res := m.Call([]reflect.Value{reflect.ValueOf(st.alias)})
	if err, _ := res[1].Interface().(error); err != nil {
		return reflect.Value{}, false // not loaded with its parent
	}
	return res[0], true
}

// indirect follows pointers (and interfaces) to the value they hold; the
// zero Value for nil.
func indirect(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}
