package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/viewer"
)

// idempotent is the @idempotent directive of the mutations that take an
// idempotencyKey argument: it runs the resolver under the signed-in
// viewer's key (idempotency.Keys.Do), with the field's name as the
// operation and a hash of its other arguments, so that a retry gets the
// first call's result. Without a key, or for an anonymous caller (whom the
// service refuses), the resolver runs as it is. Resolvers ignore the
// argument: the service records the key in its transaction.
func (r *Resolver) idempotent(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	key, _ := fc.Args[idempotency.Field].(*string)
	v := viewer.FromContext(ctx)
	if key == nil || !v.SignedIn() {
		return next(ctx)
	}
	hash, err := idempotency.Hash(fc.Args)
	if err != nil {
		return nil, err
	}
	use := idempotency.Use{ResidentID: v.ResidentID, Key: *key, Operation: fc.Field.Name, InputHash: hash}
	return r.keys.Do(ctx, use, next, r.replayed)
}

// replayed loads the result of a mutation done before under the same key:
// the same object, in its current state. It is loaded as the system, as
// the services load what they return: the resident was answered with it
// the first time.
func (r *Resolver) replayed(ctx context.Context, id int) (any, error) {
	return r.client.Noder(viewer.SystemContext(ctx), id)
}
