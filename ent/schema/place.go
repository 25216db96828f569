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

// Place is an addressable place in a grid: a compound (小區), a stand-alone
// building (樓棟), a self-built house (自建房) or a shop (店鋪).
type Place struct {
	ent.Schema
}

// Mixin of the Place.
func (Place) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Place.
func (Place) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").
			NamedValues(
				"Compound", "COMPOUND",
				"Building", "BUILDING",
				"SelfBuiltHouse", "SELF_BUILT_HOUSE",
				"Shop", "SHOP",
			).
			Comment("What kind of place this is.").
			Annotations(entgql.OrderField("KIND")),
		field.String("name").
			NotEmpty().MaxLen(200).
			Comment("Display name, e.g. 盛光花園 or 3號自建房.").
			Annotations(entgql.OrderField("NAME")),
		field.String("address").
			NotEmpty().MaxLen(300).
			Comment("Postal address of the place.").
			Annotations(entgql.OrderField("ADDRESS")),
		field.Float("latitude").
			Optional().Nillable().Min(-90).Max(90).
			Comment("WGS-84 latitude, when known."),
		field.Float("longitude").
			Optional().Nillable().Min(-180).Max(180).
			Comment("WGS-84 longitude, when known."),
		field.Int("grid_id").
			Immutable().
			Comment("The grid the place belongs to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Place.
func (Place) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("grid", Grid.Type).
			Ref("places").Field("grid_id").Unique().Required().Immutable().
			Comment("The grid the place belongs to."),
		edge.To("requests", Request.Type).
			Comment("Requests filed about the place.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("households", Household.Type).
			Comment("The households registered at the place (those the viewer may see).").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the Place.
func (Place) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("grid_id", "kind"),
	}
}

// Policy of the Place: see internal/authz.
func (Place) Policy() ent.Policy { return authz.PublicPolicy() }

// Annotations of the Place.
func (Place) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An addressable place in a grid: a compound, a stand-alone building, a self-built house or a shop."),
		entgql.RelayConnection(),
	}
}
