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

// VolunteerTask is work a coordinator dispatches to volunteers (志願服務110):
// to a team or to named volunteers, or, from another part of Linli (a
// canteen's home delivery), to the volunteers of a grid. Volunteers accept
// or decline; those who accept check in and out, and the time served is
// credited to them by the community's pool.
type VolunteerTask struct {
	ent.Schema
}

// Mixin of the VolunteerTask.
func (VolunteerTask) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the VolunteerTask.
func (VolunteerTask) Fields() []ent.Field {
	return []ent.Field{
		field.Int("community_id").Immutable().
			Comment("The community whose volunteers do it and whose pool pays them.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("grid_id").Optional().Nillable().Immutable().
			Comment("The grid it is in, if any.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("team_id").Optional().Nillable().Immutable().
			Comment("The team it was dispatched to, if any.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("place_id").Optional().Nillable().Immutable().
			Comment("Where to go, when it is a place on the map.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("created_by_id").Optional().Nillable().Immutable().
			Comment("The coordinator who dispatched it; null when another part of Linli did.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("key").Optional().Nillable().MaxLen(200).Immutable().
			Comment("The idempotency key of a dispatch from another part of Linli.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("title").NotEmpty().MaxLen(200).Immutable().
			Comment("What to do, in one line."),
		field.String("details").MaxLen(2000).Default("").Immutable().
			Comment("More about it."),
		field.String("location").MaxLen(300).Default("").Immutable().
			Comment("Where to go."),
		field.Time("window_start").Immutable().
			Comment("When it starts.").
			Annotations(entgql.OrderField("WINDOW_START")),
		field.Time("window_end").Immutable().
			Comment("When it must be done."),
		field.Int("minutes").Positive().Immutable().
			Comment("The time it should take: at most this is credited per volunteer (at least what was served up to it)."),
		field.Int("needed").Positive().Default(1).Immutable().
			Comment("How many volunteers it needs."),
		field.Int("accepted").NonNegative().Default(0).
			Comment("How many volunteers have accepted it."),
		field.Enum("status").
			Values("OPEN", "STAFFED", "DONE", "CANCELLED").
			Default("OPEN").
			Comment("OPEN: it needs volunteers; STAFFED: enough accepted; DONE: every volunteer checked out; CANCELLED: withdrawn.").
			Annotations(entgql.OrderField("STATUS")),
		field.String("cancel_reason").MaxLen(500).Default("").
			Comment("Why it was cancelled."),
	}
}

// Edges of the VolunteerTask.
func (VolunteerTask) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community whose volunteers do it.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("grid", Grid.Type).Field("grid_id").Unique().Immutable().
			Comment("The grid it is in, if any.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("team", VolunteerTeam.Type).Field("team_id").Unique().Immutable().
			Comment("The team it was dispatched to, if any.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("place", Place.Type).Field("place_id").Unique().Immutable().
			Comment("Where to go, when it is a place on the map.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.From("assignments", VolunteerTaskAssignment.Type).Ref("task").
			Comment("The volunteers it was dispatched to and what they did (a volunteer sees their own).").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the VolunteerTask.
func (VolunteerTask) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("key").Unique(),
		index.Fields("community_id", "status"),
	}
}

// Policy of the VolunteerTask: see internal/authz.
func (VolunteerTask) Policy() ent.Policy { return authz.VolunteerTaskPolicy() }

// Annotations of the VolunteerTask.
func (VolunteerTask) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Volunteer work dispatched by a coordinator (志願服務110)."),
		entgql.QueryField("volunteerTasks").Description("Volunteer tasks the viewer may see: those dispatched to them, and those in their scope for coordinators (red stewards, grid leaders, community admins)."),
		entgql.RelayConnection(),
	}
}
