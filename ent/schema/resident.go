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

// Resident is a person known to Linli: a resident of the street, a staff
// member, or a phone that signed in and is not yet verified into a household.
type Resident struct {
	ent.Schema
}

// Mixin of the Resident.
func (Resident) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Resident. Personal fields (phone, birth date) live in
// PersonalInfo, behind their own privacy policy.
func (Resident) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			NotEmpty().MaxLen(100).
			Comment("The resident's name as shown to neighbors and staff.").
			Annotations(entgql.OrderField("NAME")),
		field.Time("deleted_at").
			Optional().Nillable().
			Comment("When the resident deleted their account; their personal fields are erased.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("household_id").
			Optional().Nillable().
			Comment("The household the resident is registered in; empty until verified.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Resident.
func (Resident) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("household", Household.Type).
			Ref("members").Field("household_id").Unique().
			Comment("The household the resident is registered in; empty until verified, and for whoever may not see it."),
		edge.To("roles", RoleAssignment.Type).
			Comment("The roles the resident holds, with where they hold them."),
		edge.To("personal_info", PersonalInfo.Type).
			Unique().
			Comment("The resident's personal details; empty for whoever may not see them."),
		edge.To("sessions", Session.Type).
			Comment("The resident's sign-in sessions (refresh tokens).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("consents", Consent.Type).
			Comment("The privacy notices the resident accepted.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Resident.
func (Resident) Indexes() []ent.Index {
	return []ent.Index{index.Fields("household_id")}
}

// Policy of the Resident: see internal/authz.
func (Resident) Policy() ent.Policy { return authz.ResidentPolicy() }

// Annotations of the Resident.
func (Resident) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person known to Linli: a resident of the street, a staff member, or a newly signed-in phone not yet verified into a household."),
		entgql.RelayConnection(),
	}
}
