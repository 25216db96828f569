package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/jimei-linli/linli/internal/authz"
)

// PushDelivery is the persisted state of one notification pushed to one
// device, so that a restart neither loses nor double-sends it: the gateway
// gets the same idempotency key on every attempt.
type PushDelivery struct {
	ent.Schema
}

// Fields of the PushDelivery.
func (PushDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.Int("notification_id").Immutable().
			Comment("The notification pushed."),
		field.Int("device_id").Immutable().
			Comment("The device it is pushed to."),
		field.String("idempotency_key").NotEmpty().Unique().Immutable().
			Comment("One key per notification and device, sent with every attempt."),
		field.Enum("state").Values("PENDING", "SENT", "FAILED").Default("PENDING").
			Comment("PENDING until the gateway accepts it (SENT) or attempts run out (FAILED)."),
		field.Int("attempts").Default(0).NonNegative().
			Comment("Attempts made."),
		field.Time("next_attempt_at").
			Comment("When the next attempt is due."),
		field.String("last_error").MaxLen(500).Default("").
			Comment("Why the last attempt failed."),
		field.Time("created_at").Immutable().
			Comment("When the delivery was planned."),
		field.Time("sent_at").Optional().Nillable().
			Comment("When the gateway accepted it."),
	}
}

// Indexes of the PushDelivery: the worker takes due PENDING deliveries.
func (PushDelivery) Indexes() []ent.Index {
	return []ent.Index{index.Fields("state", "next_attempt_at")}
}

// Policy of the PushDelivery: see internal/authz.
func (PushDelivery) Policy() ent.Policy { return authz.InternalPolicy() }

// Annotations of the PushDelivery.
func (PushDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("The state of one push of a notification to a device; internal."),
		entgql.Skip(entgql.SkipAll),
	}
}
