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

// HelpRequest is a neighbor's call for help (鄰呼我應): shopping, going to
// the clinic together, a small repair, carrying, tutoring. The volunteers of
// the requester's grid hear of it at once; when nobody offers in time it
// widens to the volunteers of the whole community. A volunteer's offer is
// accepted (by the requester, or the first one automatically), the
// requester (or grid staff for them) confirms completion, and the time
// bank pays the volunteer.
type HelpRequest struct {
	ent.Schema
}

// Mixin of the HelpRequest.
func (HelpRequest) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the HelpRequest.
func (HelpRequest) Fields() []ent.Field {
	return []ent.Field{
		field.Int("requester_id").Immutable().
			Comment("The resident who needs help.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("requester_name").NotEmpty().MaxLen(100).Immutable().
			Comment("The requester's name as it was when they asked, for the volunteers who answer (who may not otherwise see the resident)."),
		field.Int("created_by_id").Immutable().
			Comment("Who asked: the requester, or their guardian for them.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("grid_id").Immutable().
			Comment("The grid whose volunteers hear of it first (the requester's).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("community_id").Immutable().
			Comment("The community it widens to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("kind").
			Values("SHOPPING", "CLINIC_ESCORT", "SMALL_REPAIR", "CARRYING", "TUTORING", "OTHER").
			Immutable().
			Comment("What kind of help: shopping, accompanying to a clinic, a small repair, carrying, tutoring, other."),
		field.String("title").NotEmpty().MaxLen(200).Immutable().
			Comment("One line saying what is needed."),
		field.String("details").MaxLen(2000).Default("").Immutable().
			Comment("More about it."),
		field.String("location").NotEmpty().MaxLen(300).Immutable().
			Comment("Where to come (an address or a meeting point)."),
		field.Time("window_start").Immutable().
			Comment("The earliest time the help is wanted.").
			Annotations(entgql.OrderField("WINDOW_START")),
		field.Time("window_end").Immutable().
			Comment("The latest time the help is wanted."),
		field.Int("minutes").Positive().Immutable().
			Comment("The time it should take, in minutes: what the volunteer is credited unless completion says otherwise."),
		field.Bool("auto_accept").Default(false).Immutable().
			Comment("Whether the first volunteer's offer is accepted at once."),
		field.Enum("status").
			Values("OPEN", "MATCHED", "COMPLETED", "CANCELLED", "EXPIRED").
			Default("OPEN").
			Comment("OPEN: waiting for a volunteer; MATCHED: a volunteer is coming; COMPLETED: confirmed done and credited; CANCELLED: withdrawn; EXPIRED: its time window ended with nobody accepted.").
			Annotations(entgql.OrderField("STATUS")),
		field.Enum("reach").
			Values("GRID", "COMMUNITY").
			Default("GRID").
			Comment("Who hears of it: the volunteers of the grid, or (widened) of the whole community."),
		field.Time("widen_at").Optional().Nillable().
			Comment("When it widens to the community if nobody has offered; null once widened or no longer open."),
		field.Int("volunteer_id").Optional().Nillable().
			Comment("The volunteer whose offer was accepted.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("credited_minutes").Optional().Nillable().
			Comment("The minutes credited to the volunteer at completion."),
		field.Int("confirmed_by_id").Optional().Nillable().
			Comment("Who confirmed completion: the requester, their guardian, or grid staff for them.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("completed_at").Optional().Nillable().
			Comment("When completion was confirmed."),
		field.Int("transfer_id").Optional().Nillable().
			Comment("The time-bank posting that paid the volunteer.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the HelpRequest.
func (HelpRequest) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("requester", Resident.Type).Field("requester_id").Unique().Required().Immutable().
			Comment("The resident who needs help.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("grid", Grid.Type).Field("grid_id").Unique().Required().Immutable().
			Comment("The grid whose volunteers hear of it first.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community it widens to.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("volunteer", Resident.Type).Field("volunteer_id").Unique().
			Comment("The volunteer whose offer was accepted.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("transfer", LedgerTransfer.Type).Field("transfer_id").Unique().
			Comment("The time-bank posting that paid the volunteer.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.From("offers", HelpOffer.Type).Ref("help_request").
			Comment("Volunteers' offers, oldest first.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the HelpRequest.
func (HelpRequest) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("grid_id", "status"),
		index.Fields("community_id", "status"),
		index.Fields("requester_id"),
		index.Fields("status", "widen_at"),
	}
}

// Policy of the HelpRequest: see internal/authz.
func (HelpRequest) Policy() ent.Policy { return authz.HelpRequestPolicy() }

// Annotations of the HelpRequest.
func (HelpRequest) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A neighbor's call for help (鄰呼我應), answered by volunteers."),
		entgql.QueryField("helpRequests").Description("Help requests the viewer may see: their own (and their dependents'), those of the grids they volunteer in (and of their community once widened), and those in their scope for staff."),
		entgql.RelayConnection(),
	}
}
