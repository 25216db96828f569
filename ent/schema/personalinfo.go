package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"github.com/jimei-linli/linli/internal/accesslog"
	"github.com/jimei-linli/linli/internal/authz"

	"github.com/jimei-linli/linli/internal/phone"
)

// PersonalInfo holds a resident's personal fields (phone, birth date) apart
// from the resident, so that one privacy policy decides who sees them: the
// person, their household, and staff whose role needs them. Whoever may not
// see them finds `personalInfo` empty, as if there were none.
type PersonalInfo struct {
	ent.Schema
}

// Mixin of the PersonalInfo.
func (PersonalInfo) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the PersonalInfo.
func (PersonalInfo) Fields() []ent.Field {
	return []ent.Field{
		field.Int("resident_id").Unique().Immutable().
			Comment("The resident these details belong to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("phone").
			Optional().Nillable().Unique().
			Validate(phone.Validate).
			Comment("Mobile number in canonical form (11 digits for mainland numbers, E.164 otherwise); the resident signs in with it. Empty for a child without a phone."),
		field.Time("birth_date").
			Optional().Nillable().
			SchemaType(map[string]string{"postgres": "date"}).
			Comment("Date of birth, when known: declared by the resident (or their guardian) or verified by staff; only a verified one counts for money (canteen age tiers, elderly care)."),
		field.Time("birth_date_verified_at").
			Optional().Nillable().
			Comment("When staff in scope (the resident's community admins, street admins) verified the birth date against a document; empty while it is only declared, and cleared when the resident changes it."),
		field.Int("birth_date_verified_by_id").
			Optional().Nillable().
			Comment("The staff member who verified the birth date.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the PersonalInfo.
func (PersonalInfo) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("resident", Resident.Type).
			Ref("personal_info").Field("resident_id").Unique().Required().Immutable().
			Comment("The resident these details belong to."),
		edge.To("birth_date_verified_by", Resident.Type).
			Field("birth_date_verified_by_id").Unique().
			Comment("The staff member who verified the birth date; empty while it is only declared."),
	}
}

// Interceptors of the PersonalInfo: staff reads of personal details go to the access log
// (internal/accesslog).
func (PersonalInfo) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{accesslog.PersonalInfos()}
}

// Policy of the PersonalInfo: see internal/authz.
func (PersonalInfo) Policy() ent.Policy { return authz.PersonalInfoPolicy() }

// Annotations of the PersonalInfo.
func (PersonalInfo) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A resident's personal details: shown only to the person, their household, and staff whose role needs them."),
	}
}
