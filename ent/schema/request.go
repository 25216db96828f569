package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/jimei-linli/linli/internal/appeal/form"
	"github.com/jimei-linli/linli/internal/authz"
)

// Request is a resident's request (訴求) under 接訴即辦, "handle on
// receipt": it belongs to the grid of its place, is claimed by one of the
// grid's staff, may be called to a department (網格呼叫、部門報到), is
// resolved, confirmed and rated. The 54321 clock's deadlines and its
// escalation ladder live on it; internal/appeal holds the rules.
type Request struct {
	ent.Schema
}

// Fields of the Request.
func (Request) Fields() []ent.Field {
	return []ent.Field{
		field.Int("category_id").Immutable().
			Comment("The category.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("description").NotEmpty().MaxLen(8000).Immutable().
			Comment("What the resident asks for, in their words (at most 2,000 characters)."),
		field.Int("place_id").Immutable().
			Comment("Where: by default the place of the household of the resident it is for.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("grid_id").Immutable().
			Comment("The grid of the place, whose staff own the request.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Strings("photo_urls").Optional().Immutable().
			Comment("Photos the resident attached (URLs)."),
		field.Float("latitude").Optional().Nillable().Immutable().
			Comment("Where exactly, when the resident shared a location: latitude (WGS 84)."),
		field.Float("longitude").Optional().Nillable().Immutable().
			Comment("Where exactly, when the resident shared a location: longitude (WGS 84)."),
		field.Enum("urgency").Values("NORMAL", "URGENT").Default("NORMAL").Immutable().
			Comment("How urgent the resident says it is.").
			Annotations(entgql.OrderField("URGENCY")),
		field.Int("filer_id").Immutable().
			Comment("The resident who filed it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("subject_id").Immutable().
			Comment("The resident it is for: the filer, or a dependent the filer is the guardian of.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("anonymous").Default(false).Immutable().
			Comment("Whether the filer's name is hidden from everyone but staff."),
		field.JSON("answers", []form.Answer{}).Optional().Immutable().
			Comment("Answers to the category's extra fields.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("status").
			Values("SUBMITTED", "IN_PROGRESS", "WITH_DEPARTMENT", "RESOLVED", "CONFIRMED", "CLOSED").
			Default("SUBMITTED").
			Comment("SUBMITTED until a staff member claims it; IN_PROGRESS while its owner works on it; WITH_DEPARTMENT while a department has it; RESOLVED until the requester confirms or reopens; CONFIRMED until rated; CLOSED.").
			Annotations(entgql.OrderField("STATUS")),
		field.Int("owner_id").Optional().Nillable().
			Comment("The staff member who owns it now.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("created_at").Immutable().
			Comment("When it was filed.").
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").
			Comment("When it last changed.").
			Annotations(entgql.OrderField("UPDATED_AT")),
		field.Time("acknowledge_due_at").Immutable().
			Comment("54321, stage 1: when it must be claimed by."),
		field.Time("claimed_at").Optional().Nillable().
			Comment("When it was first claimed."),
		field.Time("contact_due_at").Immutable().
			Comment("54321, stage 2: when staff must have contacted the requester or been on site by."),
		field.Time("contacted_at").Optional().Nillable().
			Comment("When staff first recorded contact or a visit on site."),
		field.Time("resolve_due_at").
			Comment("54321, stage 3: when it must be resolved by (moved on when the requester reopens it)."),
		field.Time("resolved_at").Optional().Nillable().
			Comment("When it was last resolved."),
		field.Time("follow_up_due_at").Optional().Nillable().
			Comment("54321, stage 4: when the requester's confirmation must be followed up by, once resolved."),
		field.Time("confirmed_at").Optional().Nillable().
			Comment("When the requester confirmed the resolution."),
		field.Time("rating_due_at").Optional().Nillable().
			Comment("54321, stage 5: when the satisfaction rating must be collected by, once confirmed."),
		field.Time("rated_at").Optional().Nillable().
			Comment("When the requester rated it."),
		field.Enum("clock_stage").
			Values("ACKNOWLEDGE", "CONTACT", "RESOLVE", "DEPARTMENT_ACKNOWLEDGE", "FOLLOW_UP", "RATING").
			Optional().Nillable().
			Comment("The stage whose deadline runs now; empty once closed."),
		field.Time("clock_due_at").Optional().Nillable().
			Comment("The deadline of the running stage."),
		field.Int("escalation_level").Default(0).Min(0).Max(3).
			Comment("How far the running stage has escalated: 0 none, 1 the grid leader, 2 the community admins, 3 the street admins."),
		field.Time("next_escalation_at").Optional().Nillable().
			Comment("When the running stage escalates next; empty when it cannot escalate further.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("department_id").Optional().Nillable().
			Comment("The department the grid called, if any.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("department_reason").MaxLen(4000).Default("").
			Comment("Why the grid called the department."),
		field.Time("department_called_at").Optional().Nillable().
			Comment("When the grid called the department."),
		field.Time("department_acknowledge_due_at").Optional().Nillable().
			Comment("When the department must report (acknowledge) by."),
		field.Time("department_acknowledged_at").Optional().Nillable().
			Comment("When the department reported."),
		field.String("resolution").MaxLen(8000).Default("").
			Comment("What was done, as told to the requester when it was resolved."),
		field.Int("reopen_count").Default(0).NonNegative().
			Comment("How many times the requester reopened it."),
		field.Int("rating").Optional().Nillable().Min(1).Max(5).
			Comment("The requester's satisfaction, 1 to 5."),
		field.String("rating_comment").MaxLen(8000).Default("").
			Comment("The requester's comment with the rating."),
	}
}

// Edges of the Request.
func (Request) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("category", RequestCategory.Type).
			Ref("requests").Field("category_id").Unique().Required().Immutable().
			Comment("The category."),
		edge.From("place", Place.Type).
			Ref("requests").Field("place_id").Unique().Required().Immutable().
			Comment("Where."),
		edge.From("grid", Grid.Type).
			Ref("requests").Field("grid_id").Unique().Required().Immutable().
			Comment("The grid whose staff own it."),
		edge.From("filer", Resident.Type).
			Ref("filed_requests").Field("filer_id").Unique().Required().Immutable().
			Comment("The resident who filed it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("subject", Resident.Type).
			Ref("requests_for").Field("subject_id").Unique().Required().Immutable().
			Comment("The resident it is for.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("owner", Resident.Type).
			Ref("owned_requests").Field("owner_id").Unique().
			Comment("The staff member who owns it now.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.From("department", Department.Type).
			Ref("requests").Field("department_id").Unique().
			Comment("The department the grid called, if any."),
		edge.To("timeline", RequestEvent.Type).
			Comment("Everything that happened to it, oldest first; internal notes only for staff.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the Request.
func (Request) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("grid_id", "created_at"),
		index.Fields("filer_id"),
		index.Fields("subject_id"),
		index.Fields("department_id"),
		index.Fields("next_escalation_at"),
	}
}

// Policy of the Request: see internal/authz.
func (Request) Policy() ent.Policy { return authz.RequestPolicy() }

// Annotations of the Request.
func (Request) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A resident's request (訴求), handled on receipt by the staff of its grid on the 54321 clock."),
		entgql.RelayConnection(),
		entgql.QueryField("requests").Description("Requests the viewer may see: their own and their dependents'; their grid's, community's or street's as staff; those called to their department."),
	}
}
