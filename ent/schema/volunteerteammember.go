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

// VolunteerTeamMember says that a resident belongs to a volunteer team.
type VolunteerTeamMember struct {
	ent.Schema
}

// Fields of the VolunteerTeamMember.
func (VolunteerTeamMember) Fields() []ent.Field {
	return []ent.Field{
		field.Int("team_id").Immutable().
			Comment("The team.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("resident_id").Immutable().
			Comment("The member.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("joined_at").Immutable().
			Comment("When they joined."),
	}
}

// Edges of the VolunteerTeamMember.
func (VolunteerTeamMember) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("team", VolunteerTeam.Type).Field("team_id").Unique().Required().Immutable().
			Comment("The team.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("resident", Resident.Type).Field("resident_id").Unique().Required().Immutable().
			Comment("The member.").
			Annotations(entgql.Skip(entgql.SkipAll)), // exposed nullable in graph/redneighbor.graphql
	}
}

// Indexes of the VolunteerTeamMember: one membership per resident and team.
func (VolunteerTeamMember) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("team_id", "resident_id").Unique(),
		index.Fields("resident_id"),
	}
}

// Policy of the VolunteerTeamMember: see internal/authz.
func (VolunteerTeamMember) Policy() ent.Policy { return authz.VolunteerTeamMemberPolicy() }

// Annotations of the VolunteerTeamMember.
func (VolunteerTeamMember) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A resident's membership of a volunteer team."),
		entgql.RelayConnection(),
	}
}
