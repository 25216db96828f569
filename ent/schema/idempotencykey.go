package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/jimei-linli/linli/internal/authz"
)

// IdempotencyKey records that a signed-in resident's mutation sent with an
// idempotency key was done, in the transaction that did it, so that a retry
// with the same key returns the same result instead of doing it again
// (internal/idempotency). Kept for the retention window, then purged.
type IdempotencyKey struct {
	ent.Schema
}

// Fields of the IdempotencyKey.
func (IdempotencyKey) Fields() []ent.Field {
	return []ent.Field{
		// A plain column, not an edge: the key is bookkeeping of the API,
		// not data about the person (erasure deletes the person's keys).
		field.Int("resident_id").Immutable().
			Comment("The resident who sent the mutation."),
		field.String("key").NotEmpty().MaxLen(100).Immutable().
			Comment("The key the client chose, unique per resident."),
		field.String("operation").NotEmpty().Immutable().
			Comment("The mutation field the key was used for, e.g. placeMealOrder."),
		field.String("input_hash").NotEmpty().Immutable().
			Comment("SHA-256 of the mutation's arguments (without the key), canonical JSON."),
		field.Int("result_id").Default(0).
			Comment("The global ID of the object the mutation returned; 0 when it returned none."),
		field.Time("created_at").Immutable().
			Comment("When the mutation was done (the injected clock)."),
	}
}

// Indexes of the IdempotencyKey: one use of a key per resident; purging
// walks created_at.
func (IdempotencyKey) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("resident_id", "key").Unique(),
		index.Fields("created_at"),
	}
}

// Policy of the IdempotencyKey: see internal/authz.
func (IdempotencyKey) Policy() ent.Policy { return authz.InternalPolicy() }

// Annotations of the IdempotencyKey.
func (IdempotencyKey) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A used idempotency key; internal, never in the API."),
		entgql.Skip(entgql.SkipAll),
	}
}
