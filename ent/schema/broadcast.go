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

// Broadcast is a message staff send to every resident of a grid, a
// community or the street: the app's version of the grid's 平安微信群, for
// notices and emergency alerts (typhoons).
type Broadcast struct {
	ent.Schema
}

// Fields of the Broadcast.
func (Broadcast) Fields() []ent.Field {
	return []ent.Field{
		field.Int("sender_id").Immutable().
			Comment("The staff member who sent it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("grid_id").Optional().Nillable().Immutable().
			Comment("The grid it went to, when it went to a grid.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("community_id").Optional().Nillable().Immutable().
			Comment("The community it went to, when it went to a community.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("street_id").Optional().Nillable().Immutable().
			Comment("The street it went to, when it went to the whole street.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("level").
			Values("NORMAL", "URGENT", "EMERGENCY").
			Default("NORMAL").Immutable().
			Comment("How loudly phones announce it.").
			Annotations(entgql.OrderField("LEVEL")),
		field.String("title").NotEmpty().MaxLen(200).Immutable().
			Comment("One line for the notification."),
		field.String("body").NotEmpty().MaxLen(4000).Immutable().
			Comment("The message."),
		field.Int("recipient_count").NonNegative().Immutable().
			Comment("How many residents it was sent to."),
		field.Time("created_at").Immutable().
			Comment("When it was sent.").
			Annotations(entgql.OrderField("CREATED_AT")),
	}
}

// Edges of the Broadcast.
func (Broadcast) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("sender", Resident.Type).
			Ref("broadcasts").Field("sender_id").Unique().Required().Immutable().
			Comment("The staff member who sent it."),
		edge.From("grid", Grid.Type).
			Ref("broadcasts").Field("grid_id").Unique().Immutable().
			Comment("The grid it went to, when it went to a grid."),
		edge.From("community", Community.Type).
			Ref("broadcasts").Field("community_id").Unique().Immutable().
			Comment("The community it went to, when it went to a community."),
		edge.From("street", Street.Type).
			Ref("broadcasts").Field("street_id").Unique().Immutable().
			Comment("The street it went to, when it went to the whole street."),
	}
}

// Indexes of the Broadcast.
func (Broadcast) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("grid_id", "created_at"),
		index.Fields("community_id", "created_at"),
		index.Fields("street_id", "created_at"),
	}
}

// Policy of the Broadcast: see internal/authz.
func (Broadcast) Policy() ent.Policy { return authz.BroadcastPolicy() }

// Annotations of the Broadcast.
func (Broadcast) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A message staff sent to every resident of a grid, a community or the street."),
		entgql.RelayConnection(),
	}
}
