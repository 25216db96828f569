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

// VolunteerTeam is one of the street's volunteer teams (集美熱心人隊伍):
// residents join it, coordinators dispatch work to it.
type VolunteerTeam struct {
	ent.Schema
}

// Mixin of the VolunteerTeam.
func (VolunteerTeam) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the VolunteerTeam.
func (VolunteerTeam) Fields() []ent.Field {
	return []ent.Field{
		field.Int("community_id").Immutable().
			Comment("The community the team serves.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("name").NotEmpty().MaxLen(100).
			Comment("The team's name, e.g. 銀髮助老隊.").
			Annotations(entgql.OrderField("NAME")),
		field.String("description").MaxLen(1000).Default("").
			Comment("What the team does."),
	}
}

// Edges of the VolunteerTeam.
func (VolunteerTeam) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community the team serves.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.From("members", VolunteerTeamMember.Type).Ref("team").
			Comment("Who belongs to the team (visible to fellow members and the community's coordinators), a page at a time: a team grows with the street.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the VolunteerTeam.
func (VolunteerTeam) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "name").Unique()}
}

// Policy of the VolunteerTeam: see internal/authz.
func (VolunteerTeam) Policy() ent.Policy { return authz.VolunteerTeamPolicy() }

// Annotations of the VolunteerTeam.
func (VolunteerTeam) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A volunteer team (熱心人隊伍) of a community."),
		entgql.QueryField("volunteerTeams").Description("The street's volunteer teams (public)."),
		entgql.RelayConnection(),
	}
}
