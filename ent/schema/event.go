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

// Event is the transactional outbox: a change that others must hear about
// writes its event in the same transaction. After commit the relay gives
// each event the next sequence number (the cursor clients resume from),
// publishes it to the broker, and marks it published.
type Event struct {
	ent.Schema
}

// Fields of the Event.
func (Event) Fields() []ent.Field {
	return []ent.Field{
		field.String("kind").NotEmpty().MaxLen(64).Immutable().
			Comment("What happened, e.g. broadcast.sent."),
		field.Strings("topics").Immutable().
			Comment("Who may hear of it: resident:ID, grid:ID, community:ID, street:ID, node:ID."),
		field.Int("subject_id").Optional().Nillable().Immutable().
			Comment("The node the event is about."),
		field.Time("created_at").Immutable().
			Comment("When the change was made."),
		field.Int64("seq").Optional().Nillable().Unique().
			Comment("Delivery order, assigned by the relay after commit; empty until then."),
		field.Time("published_at").Optional().Nillable().
			Comment("When the relay handed the event to the broker."),
	}
}

// Edges of the Event.
func (Event) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("notifications", Notification.Type).
			Comment("The notifications written with the event."),
	}
}

// Indexes of the Event.
func (Event) Indexes() []ent.Index {
	// Only the unpublished events are ever looked up (the relay's next
	// batch, the outbox lag): a partial index keeps that lookup as small
	// as the backlog while the table grows with the street's history.
	// Replays read by seq, which is unique (indexed) already.
	return []ent.Index{
		index.Fields("id").StorageKey("event_unpublished").
			Annotations(entsql.IndexWhere("published_at IS NULL")),
	}
}

// Policy of the Event: see internal/authz.
func (Event) Policy() ent.Policy { return authz.InternalPolicy() }

// Annotations of the Event.
func (Event) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An outbox event; internal, never in the API."),
		entgql.Skip(entgql.SkipAll),
	}
}
