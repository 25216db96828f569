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

// Notification is one resident's copy of something they should hear about,
// in their inbox. It is written with its event; the relay gives it the
// event's sequence number, which is its cursor.
type Notification struct {
	ent.Schema
}

// Fields of the Notification.
func (Notification) Fields() []ent.Field {
	return []ent.Field{
		field.Int("resident_id").Immutable().
			Comment("The recipient.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("event_id").Immutable().
			Comment("The outbox event it was written with.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("kind").
			Values("BROADCAST", "SYSTEM", "REQUEST", "GUARDIANSHIP", "CARE", "HELP_REQUEST", "TIME_BANK", "MENU_PUBLISHED", "MEAL_ORDER").
			Immutable().
			Comment("What kind of notification this is; the app picks an icon and a screen by it."),
		field.String("title").NotEmpty().MaxLen(200).Immutable().
			Comment("One line for the notification list."),
		field.String("body").MaxLen(4000).Default("").Immutable().
			Comment("The text."),
		field.Int("subject_id").Optional().Nillable().Immutable().
			Comment("The node the notification is about.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("created_at").Immutable().
			Comment("When it was written.").
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Int64("seq").Optional().Nillable().
			Comment("Delivery order (the event's sequence number); empty until the relay has sequenced it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("read_at").Optional().Nillable().
			Comment("When the recipient marked it read."),
	}
}

// Edges of the Notification.
func (Notification) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("recipient", Resident.Type).
			Ref("notifications").Field("resident_id").Unique().Required().Immutable().
			Comment("The recipient.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("event", Event.Type).
			Ref("notifications").Field("event_id").Unique().Required().Immutable().
			Comment("The outbox event.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Notification: a resident's inbox in delivery order.
func (Notification) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("resident_id", "seq"),
		index.Fields("resident_id", "event_id").Unique(),
		index.Fields("event_id"),
	}
}

// Policy of the Notification: see internal/authz.
func (Notification) Policy() ent.Policy { return authz.NotificationPolicy() }

// Annotations of the Notification.
func (Notification) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Something a resident should hear about, in their inbox."),
		entgql.RelayConnection(),
	}
}
