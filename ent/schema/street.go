package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"github.com/jimei-linli/linli/internal/authz"
)

// Street is a street office (街道), the top of the map: it holds communities
// and the departments that requests are escalated to.
type Street struct {
	ent.Schema
}

// Mixin of the Street.
func (Street) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Street.
func (Street) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").
			NotEmpty().MaxLen(32).Unique().Immutable().
			Comment("Stable short code of the street, e.g. `jimei`."),
		field.String("name").
			NotEmpty().MaxLen(100).
			Comment("Display name, e.g. 集美街道.").
			Annotations(entgql.OrderField("NAME")),
		field.String("district").
			MaxLen(100).Default("").
			Comment("The district and city the street belongs to."),
	}
}

// Edges of the Street.
func (Street) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("broadcasts", Broadcast.Type).
			Comment("Broadcasts sent to the whole street.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("communities", Community.Type).
			Comment("The communities of the street.").
			Annotations(entgql.RelayConnection()),
		edge.To("departments", Department.Type).
			Comment("Departments and co-building units serving the street.").
			Annotations(entgql.RelayConnection()),
		edge.To("role_assignments", RoleAssignment.Type).
			Comment("Street-level roles (street admins).").
			Annotations(entgql.RelayConnection(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Policy of the Street: see internal/authz.
func (Street) Policy() ent.Policy { return authz.PublicPolicy() }

// Annotations of the Street.
func (Street) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A street office (街道): the top of the neighborhood map."),
		entgql.RelayConnection(),
		entgql.QueryField(),
	}
}
