package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"github.com/jimei-linli/linli/internal/authz"
)

// Device is a phone (or browser) registered for push notifications.
type Device struct {
	ent.Schema
}

// Fields of the Device.
func (Device) Fields() []ent.Field {
	return []ent.Field{
		field.Int("resident_id").
			Comment("Whose device it is.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("platform").Values("IOS", "ANDROID", "WEB").
			Comment("The push platform."),
		field.String("token").NotEmpty().MaxLen(4096).Unique().Sensitive().
			Comment("The platform's push token."),
		field.Time("created_at").Immutable().
			Comment("When the device was first registered."),
		field.Time("registered_at").
			Comment("When the device was last registered."),
	}
}

// Edges of the Device.
func (Device) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("resident", Resident.Type).
			Ref("devices").Field("resident_id").Unique().Required().
			Comment("Whose device it is."),
	}
}

// Policy of the Device: see internal/authz.
func (Device) Policy() ent.Policy { return authz.DevicePolicy() }

// Annotations of the Device.
func (Device) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A phone or browser registered for push notifications."),
		entgql.Skip(entgql.SkipAll),
	}
}
