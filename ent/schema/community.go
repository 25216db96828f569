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

// Community is a residents' community (社區) of a street, divided into grids.
type Community struct {
	ent.Schema
}

// Mixin of the Community.
func (Community) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Community.
func (Community) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").
			NotEmpty().MaxLen(32).Unique().Immutable().
			Comment("Stable short code of the community, e.g. `shengguang`.").
			Annotations(entgql.OrderField("CODE")),
		field.String("name").
			NotEmpty().MaxLen(100).
			Comment("Display name, e.g. 盛光社區.").
			Annotations(entgql.OrderField("NAME")),
		field.Int("street_id").
			Immutable().
			Comment("The street the community belongs to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Community.
func (Community) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("broadcasts", Broadcast.Type).
			Comment("Broadcasts sent to the whole community.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("street", Street.Type).
			Ref("communities").Field("street_id").Unique().Required().Immutable().
			Comment("The street the community belongs to."),
		edge.To("grids", Grid.Type).
			Comment("The grids of the community.").
			Annotations(entgql.RelayConnection()),
		edge.To("role_assignments", RoleAssignment.Type).
			Comment("Community-level roles (community admins and community-wide staff).").
			Annotations(entgql.RelayConnection(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Policy of the Community: see internal/authz.
func (Community) Policy() ent.Policy { return authz.PublicPolicy() }

// Annotations of the Community.
func (Community) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A residents' community (社區) of a street, divided into grids."),
		entgql.RelayConnection(),
		entgql.QueryField(),
	}
}
