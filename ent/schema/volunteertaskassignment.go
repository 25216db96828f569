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

// VolunteerTaskAssignment is a task dispatched to one volunteer: their
// answer, their check-in and check-out, and the time credited.
type VolunteerTaskAssignment struct {
	ent.Schema
}

// Fields of the VolunteerTaskAssignment.
func (VolunteerTaskAssignment) Fields() []ent.Field {
	return []ent.Field{
		field.Int("task_id").Immutable().
			Comment("The task.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("volunteer_id").Immutable().
			Comment("The volunteer it was dispatched to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("volunteer_name").NotEmpty().MaxLen(100).Immutable().
			Comment("The volunteer's name, for the coordinator."),
		field.Enum("status").
			Values("DISPATCHED", "ACCEPTED", "DECLINED", "CHECKED_IN", "DONE", "CANCELLED").
			Default("DISPATCHED").
			Comment("DISPATCHED: waiting for an answer; ACCEPTED; DECLINED (or too late: the task was staffed); CHECKED_IN: at work; DONE: checked out and credited; CANCELLED: the task was withdrawn."),
		field.Time("dispatched_at").Immutable().
			Comment("When it was dispatched."),
		field.Time("responded_at").Optional().Nillable().
			Comment("When the volunteer accepted or declined."),
		field.Time("checked_in_at").Optional().Nillable().
			Comment("When the volunteer checked in."),
		field.Time("checked_out_at").Optional().Nillable().
			Comment("When the volunteer checked out."),
		field.Int("credited_minutes").Optional().Nillable().
			Comment("The minutes credited at check-out."),
		field.Int("transfer_id").Optional().Nillable().
			Comment("The time-bank posting that paid the volunteer.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the VolunteerTaskAssignment.
func (VolunteerTaskAssignment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("task", VolunteerTask.Type).Field("task_id").Unique().Required().Immutable().
			Comment("The task.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("volunteer", Resident.Type).Field("volunteer_id").Unique().Required().Immutable().
			Comment("The volunteer.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the VolunteerTaskAssignment: one per task and volunteer.
func (VolunteerTaskAssignment) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("task_id", "volunteer_id").Unique(),
		index.Fields("volunteer_id", "status"),
	}
}

// Policy of the VolunteerTaskAssignment: see internal/authz.
func (VolunteerTaskAssignment) Policy() ent.Policy { return authz.VolunteerTaskAssignmentPolicy() }

// Annotations of the VolunteerTaskAssignment.
func (VolunteerTaskAssignment) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A volunteer task dispatched to one volunteer."),
	}
}
