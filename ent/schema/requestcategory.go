package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"github.com/jimei-linli/linli/internal/appeal/form"
	"github.com/jimei-linli/linli/internal/authz"
)

// RequestCategory is one kind of request residents file (repair,
// sanitation, a safety hazard, a neighbor dispute, help for an elder,
// property service for a compound without a property company): the
// catalogue street admins keep. It says which grid role handles such a
// request first and which extra fields the app asks for.
type RequestCategory struct {
	ent.Schema
}

// Mixin of the RequestCategory.
func (RequestCategory) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the RequestCategory.
func (RequestCategory) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").NotEmpty().MaxLen(32).Unique().Immutable().
			Comment("Stable short code, e.g. `repair`.").
			Annotations(entgql.OrderField("CODE")),
		field.String("name").NotEmpty().MaxLen(100).
			Comment("Display name, e.g. 維修."),
		field.String("description").MaxLen(1000).Default("").
			Comment("What belongs in this category, for the resident choosing one."),
		field.Enum("first_role").
			Values("GRID_WORKER", "GRID_LEADER", "RED_STEWARD", "SAFETY_INFORMANT").
			Default("GRID_WORKER").
			Comment("The grid role that handles such a request first: its holders in the request's grid are told at once and may claim it, besides the grid's leader and workers."),
		field.JSON("form_fields", []form.Field{}).Optional().
			Comment("The extra fields the app asks for when filing a request of this category.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("active").Default(true).
			Comment("Whether residents may file new requests in this category."),
		field.Int("position").Default(0).
			Comment("Where the category appears in the app's list (smaller first).").
			Annotations(entgql.OrderField("POSITION")),
	}
}

// Edges of the RequestCategory.
func (RequestCategory) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("requests", Request.Type).
			Comment("The requests filed in this category.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Policy of the RequestCategory: see internal/authz.
func (RequestCategory) Policy() ent.Policy { return authz.PublicPolicy() }

// Annotations of the RequestCategory.
func (RequestCategory) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A kind of request residents file, with the grid role that handles it first and the extra fields its form asks for."),
		entgql.RelayConnection(),
		entgql.QueryField("requestCategories").Description("The request catalogue, for everyone (also signed out): the app renders the filing form from it."),
	}
}
