package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/jimei-linli/linli/internal/authz"
)

// AuditRecord is an immutable record of an administrative or privacy-relevant
// action: who did what to whom, and when. It outlives account deletion.
type AuditRecord struct {
	ent.Schema
}

// Fields of the AuditRecord.
func (AuditRecord) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Immutable().
			Comment("When the action happened."),
		field.Int("actor_id").Optional().Nillable().Immutable().
			Comment("The resident who acted; empty for the system."),
		field.String("action").NotEmpty().MaxLen(64).Immutable().
			Comment("What was done, e.g. role.assign or account.delete."),
		field.Int("subject_id").Optional().Nillable().Immutable().
			Comment("The ID of the entity acted on."),
		field.String("detail").MaxLen(2000).Default("").Immutable().
			Comment("A short description, without personal data."),
	}
}

// Indexes of the AuditRecord.
func (AuditRecord) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("subject_id"),
		index.Fields("actor_id"),
	}
}

// Policy of the AuditRecord: see internal/authz.
func (AuditRecord) Policy() ent.Policy { return authz.InternalPolicy() }

// Annotations of the AuditRecord.
func (AuditRecord) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An immutable record of an administrative or privacy-relevant action."),
		entgql.Skip(entgql.SkipAll),
	}
}
