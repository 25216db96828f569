package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"github.com/jimei-linli/linli/internal/authz"
)

// Consent records that a resident accepted a version of the privacy notice,
// and when (PIPL). Records are never changed; a new version is a new record.
type Consent struct {
	ent.Schema
}

// Fields of the Consent.
func (Consent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("resident_id").Immutable().
			Comment("Who accepted."),
		field.String("notice_version").NotEmpty().MaxLen(32).Immutable().
			Comment("The version of the privacy notice accepted."),
		field.Time("accepted_at").Immutable().
			Comment("When it was accepted."),
	}
}

// Edges of the Consent.
func (Consent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("resident", Resident.Type).
			Ref("consents").Field("resident_id").Unique().Required().Immutable().
			Comment("Who accepted."),
	}
}

// Policy of the Consent: see internal/authz.
func (Consent) Policy() ent.Policy { return authz.ConsentPolicy() }

// Annotations of the Consent.
func (Consent) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A resident's acceptance of a privacy-notice version."),
		entgql.Skip(entgql.SkipAll),
	}
}
