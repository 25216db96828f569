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

// RequestEvent is one entry of a request's timeline: every change to a
// request (filing, claims, hand-overs, notes, escalations, resolution,
// confirmation, rating) writes one, with who did it and when. Entries are
// never changed or deleted.
type RequestEvent struct {
	ent.Schema
}

// Fields of the RequestEvent.
func (RequestEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("request_id").Immutable().
			Comment("The request.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("actor_id").Optional().Nillable().Immutable().
			Comment("Who did it; empty for the 54321 clock.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("kind").
			Values("FILED", "CLAIMED", "HANDED_OVER", "NOTE", "DEPARTMENT_CALLED", "DEPARTMENT_ACKNOWLEDGED",
				"RESOLVED", "REOPENED", "CONFIRMED", "RATED", "ESCALATED").
			Immutable().
			Comment("What happened."),
		field.String("body").MaxLen(8000).Default("").Immutable().
			Comment("What was said: the note, the reason, the resolution, the comment."),
		field.Bool("internal").Default(false).Immutable().
			Comment("An internal note: staff see it, the requester does not."),
		field.Bool("contact").Default(false).Immutable().
			Comment("A note that records contact with the requester or a visit on site."),
		field.Enum("stage").
			Values("ACKNOWLEDGE", "CONTACT", "RESOLVE", "DEPARTMENT_ACKNOWLEDGE", "FOLLOW_UP", "RATING").
			Optional().Nillable().Immutable().
			Comment("For an escalation: the stage that was overdue."),
		field.Int("level").Optional().Nillable().Immutable().
			Comment("For an escalation: 1 the grid leader, 2 the community admins, 3 the street admins."),
		field.Time("created_at").Immutable().
			Comment("When it happened.").
			Annotations(entgql.OrderField("CREATED_AT")),
	}
}

// Edges of the RequestEvent.
func (RequestEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("request", Request.Type).
			Ref("timeline").Field("request_id").Unique().Required().Immutable().
			Comment("The request."),
		edge.From("actor", Resident.Type).
			Ref("request_events").Field("actor_id").Unique().Immutable().
			Comment("Who did it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the RequestEvent.
func (RequestEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("request_id", "created_at"),
	}
}

// Policy of the RequestEvent: see internal/authz.
func (RequestEvent) Policy() ent.Policy { return authz.RequestEventPolicy() }

// Annotations of the RequestEvent.
func (RequestEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An entry in a request's timeline: what happened, who did it, when."),
		entgql.RelayConnection(),
	}
}
