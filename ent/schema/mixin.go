// Package schema holds Linli's hand-written ent schemas: the entities of the
// neighborhood map, their indexes, hooks and (from the sign-in issue on)
// privacy policies. Everything else under ent/ is generated from here.
package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// TimeMixin adds created_at and updated_at to an entity. Both are set by the
// server, never by a client: the store's Timestamps hook fills them from the
// injected clock (internal/store), so they have no default here that would
// read the wall clock behind a test's fixed instant.
type TimeMixin struct {
	mixin.Schema
}

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Immutable().
			Comment("When the record was created.").
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").
			Comment("When the record was last changed.").
			Annotations(entgql.OrderField("UPDATED_AT")),
	}
}
