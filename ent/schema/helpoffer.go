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

// HelpOffer is a volunteer's offer to answer a help request.
type HelpOffer struct {
	ent.Schema
}

// Fields of the HelpOffer.
func (HelpOffer) Fields() []ent.Field {
	return []ent.Field{
		field.Int("help_request_id").Immutable().
			Comment("The request it answers.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("volunteer_id").Immutable().
			Comment("The volunteer who offers.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("note").MaxLen(500).Default("").Immutable().
			Comment("What the volunteer says (when they can come)."),
		field.Enum("status").
			Values("OFFERED", "ACCEPTED", "NOT_CHOSEN", "WITHDRAWN").
			Default("OFFERED").
			Comment("OFFERED: waiting; ACCEPTED: this volunteer helps; NOT_CHOSEN: another was accepted or the request ended; WITHDRAWN: the volunteer took it back."),
		field.Time("created_at").Immutable().
			Comment("When it was offered."),
	}
}

// Edges of the HelpOffer.
func (HelpOffer) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("help_request", HelpRequest.Type).Field("help_request_id").Unique().Required().Immutable().
			Comment("The request it answers.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("volunteer", Resident.Type).Field("volunteer_id").Unique().Required().Immutable().
			Comment("The volunteer who offers.").
			Annotations(entgql.Skip(entgql.SkipAll)), // exposed nullable in graph/redneighbor.graphql
	}
}

// Indexes of the HelpOffer: one offer per volunteer and request.
func (HelpOffer) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("help_request_id", "volunteer_id").Unique(),
		index.Fields("volunteer_id"),
	}
}

// Policy of the HelpOffer: see internal/authz.
func (HelpOffer) Policy() ent.Policy { return authz.HelpOfferPolicy() }

// Annotations of the HelpOffer.
func (HelpOffer) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A volunteer's offer to answer a help request."),
	}
}
