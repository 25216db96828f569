package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/jimei-linli/linli/internal/authz"
)

// Household is a registered household (戶) living at a place.
type Household struct {
	ent.Schema
}

// Mixin of the Household.
func (Household) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Household.
func (Household) Fields() []ent.Field {
	return []ent.Field{
		field.String("unit").
			MaxLen(100).Default("").
			Comment("Unit within the place, e.g. `2-302` (building 2, room 302); empty for a whole house.").
			Annotations(entgql.OrderField("UNIT")),
		field.Int("place_id").
			Immutable().
			Comment("The place the household lives at.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Household.
func (Household) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("place", Place.Type).
			Ref("households").Field("place_id").Unique().Required().Immutable().
			Comment("The place the household lives at."),
		edge.To("members", Resident.Type).
			Comment("The residents registered in the household (those the viewer may see).").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the Household.
func (Household) Indexes() []ent.Index {
	return []ent.Index{index.Fields("place_id")}
}

// Policy of the Household: see internal/authz.
func (Household) Policy() ent.Policy { return authz.HouseholdPolicy() }

// Annotations of the Household.
func (Household) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A registered household (戶) living at a place."),
		entgql.RelayConnection(),
	}
}
