package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/jimei-linli/linli/internal/accesslog"
	"github.com/jimei-linli/linli/internal/authz"
)

// Guardianship says that one resident (the guardian) looks after another
// (the dependent): a son for his elderly mother, a parent for a child. An
// active guardianship lets the guardian file requests, order meals and book
// care for the dependent, and see what those services record about them.
// It becomes active only with consent: the dependent's own, a witness's
// from the grid staff for an elder who cannot use a phone, or, for a child
// under 14, the guardian's consent as parent (PIPL art. 31).
type Guardianship struct {
	ent.Schema
}

// Mixin of the Guardianship.
func (Guardianship) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Guardianship.
func (Guardianship) Fields() []ent.Field {
	return []ent.Field{
		field.Int("guardian_id").Immutable().
			Comment("The resident who looks after the dependent.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("dependent_id").Immutable().
			Comment("The resident who is looked after.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("relation").
			Values("PARENT", "CHILD", "GRANDPARENT", "GRANDCHILD", "SPOUSE", "SIBLING", "OTHER").
			Immutable().
			Comment("What the dependent is to the guardian: PARENT means the dependent is the guardian's parent."),
		field.Enum("status").
			Values("PENDING", "ACTIVE", "REVOKED").
			Default("PENDING").
			Comment("PENDING until consent is recorded; ACTIVE while it holds; REVOKED when either side or staff ended it."),
		field.Enum("consent_method").
			Values("DEPENDENT", "STAFF_WITNESSED", "PARENT_OF_MINOR").
			Optional().Nillable().
			Comment("How consent was given: by the dependent, witnessed by grid staff, or by the guardian as parent of a child under 14."),
		field.Int("consent_recorded_by_id").
			Optional().Nillable().
			Comment("The resident who recorded the consent (the dependent, the staff member or the parent).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("consented_at").
			Optional().Nillable().
			Comment("When consent was recorded."),
		field.Time("revoked_at").
			Optional().Nillable().
			Comment("When the guardianship ended."),
	}
}

// Edges of the Guardianship.
func (Guardianship) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("guardian", Resident.Type).
			Ref("dependents").Field("guardian_id").Unique().Required().Immutable().
			Comment("The resident who looks after the dependent.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.From("dependent", Resident.Type).
			Ref("guardians").Field("dependent_id").Unique().Required().Immutable().
			Comment("The resident who is looked after.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the Guardianship: one guardianship per pair.
func (Guardianship) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("guardian_id", "dependent_id").Unique(),
		index.Fields("dependent_id"),
	}
}

// Interceptors of the Guardianship: staff reads of children's registrations go to the access log
// (internal/accesslog).
func (Guardianship) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{accesslog.ChildRecords()}
}

// Policy of the Guardianship: see internal/authz.
func (Guardianship) Policy() ent.Policy { return authz.GuardianshipPolicy() }

// Annotations of the Guardianship.
func (Guardianship) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A resident who looks after another, with the consent that makes it active."),
		entgql.QueryField("guardianships").Description("Guardianships the viewer may see: their own (as guardian or dependent), and those of the residents in their scope for staff."),
		entgql.RelayConnection(),
	}
}
