package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/jimei-linli/linli/internal/authz"
)

// Grid is a grid (網格) of a community: the unit that owns residents'
// requests, with one leader, several workers and 6–7 safety informants.
type Grid struct {
	ent.Schema
}

// Mixin of the Grid.
func (Grid) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Grid.
func (Grid) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").
			NotEmpty().MaxLen(32).Unique().Immutable().
			Comment("Stable short code of the grid, e.g. `shengguang-01`.").
			Annotations(entgql.OrderField("CODE")),
		field.String("name").
			NotEmpty().MaxLen(100).
			Comment("Display name, e.g. 盛光第1網格.").
			Annotations(entgql.OrderField("NAME")),
		field.Int("number").
			Positive().
			Comment("Number of the grid within its community, from 1.").
			Annotations(entgql.OrderField("NUMBER")),
		field.String("area_description").
			MaxLen(500).Default("").
			Comment("The compounds or streets the grid covers, in words."),
		field.Int("community_id").
			Immutable().
			Comment("The community the grid belongs to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Grid.
func (Grid) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("broadcasts", Broadcast.Type).
			Comment("Broadcasts sent to the whole grid.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("requests", Request.Type).
			Comment("Requests filed in the grid.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("community", Community.Type).
			Ref("grids").Field("community_id").Unique().Required().Immutable().
			Comment("The community the grid belongs to."),
		edge.To("places", Place.Type).
			Comment("The places (compounds, buildings, self-built houses, shops) in the grid.").
			Annotations(entgql.RelayConnection()),
		edge.To("residents", Resident.Type).
			Comment("The residents registered in households at the grid's places (those the viewer may see).").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput)),
		edge.To("staff", RoleAssignment.Type).
			Comment("The grid's staff: leader, workers, safety informants and other grid roles.").
			Annotations(entgql.RelayConnection(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the Grid.
func (Grid) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "number").Unique(),
	}
}

// Policy of the Grid: see internal/authz.
func (Grid) Policy() ent.Policy { return authz.PublicPolicy() }

// Annotations of the Grid.
func (Grid) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A grid (網格) of a community: it owns its residents' requests and has one leader, several workers and 6–7 safety informants."),
		entgql.RelayConnection(),
	}
}
