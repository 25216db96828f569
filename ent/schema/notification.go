package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/i18n"
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
			Values("BROADCAST", "SYSTEM", "REQUEST", "GUARDIANSHIP", "CARE", "HELP_REQUEST", "TIME_BANK", "MENU_PUBLISHED", "MEAL_ORDER", "VOLUNTEER_TASK").
			Immutable().
			Comment("What the notification is about, so that the app can group, filter and open it: BROADCAST a street or community broadcast; SYSTEM the service itself; REQUEST a resident's request (appeal) being handled; GUARDIANSHIP a guardianship asked for or answered; CARE a care booking; HELP_REQUEST a help request (鄰呼我應) asked, offered, matched, cancelled, widened or expired; TIME_BANK minutes received in the time bank (a transfer, or pay for help given); MENU_PUBLISHED a followed canteen's menu; MEAL_ORDER a meal order; VOLUNTEER_TASK volunteer work (志願服務110) dispatched to the recipient."),
		field.String("message_key").Optional().Immutable().
			Comment("The catalogue message (internal/i18n) the notification is rendered from, in the reader's language whenever it is read; empty for notifications written before the catalogue, which keep their stored title and body.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.JSON("params", []i18n.Param{}).Optional().
			Comment("The message's parameters (names, titles, dates, amounts, codes), as the message reads them.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("title").MaxLen(200).Default("").Immutable().
			Comment("One line for the notification list: the stored text of a notification without a catalogue message.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("body").MaxLen(4000).Default("").Immutable().
			Comment("The stored text of a notification without a catalogue message.").
			Annotations(entgql.Skip(entgql.SkipAll)),
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
