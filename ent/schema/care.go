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

// CareFacility is an elderly day-care centre (老人日間照料中心) or a
// childcare centre (托育托管) of a community; its caregivers also make
// home health visits (巡診).
type CareFacility struct {
	ent.Schema
}

// Fields of the CareFacility.
func (CareFacility) Fields() []ent.Field {
	return []ent.Field{
		field.Int("community_id").Immutable().
			Comment("The community the facility serves; its CAREGIVER staff run it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("place_id").Optional().Nillable().
			Comment("Where the facility is.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("name").NotEmpty().MaxLen(100).
			Comment("The facility's name, e.g. 盛光社區老人日間照料中心.").
			Annotations(entgql.OrderField("NAME")),
		field.Enum("kind").Values("ELDER_DAY_CARE", "CHILDCARE").
			Comment("An elderly day-care centre or a childcare centre."),
		field.Strings("closed_days").Optional().
			Comment("Days the facility is closed (YYYY-MM-DD, Asia/Shanghai): no slots are made for them."),
	}
}

// Edges of the CareFacility.
func (CareFacility) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community the facility serves."),
		edge.To("place", Place.Type).Field("place_id").Unique().
			Comment("Where the facility is."),
		edge.From("services", CareService.Type).Ref("facility").
			Comment("The services the facility offers."),
	}
}

// Policy of the CareFacility: see internal/authz.
func (CareFacility) Policy() ent.Policy { return authz.PublicPolicy() }

// Annotations of the CareFacility.
func (CareFacility) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An elderly day-care centre or a childcare centre of a community."),
		entgql.RelayConnection(),
		entgql.QueryField("careFacilities").Description("The street's day-care and childcare centres (public)."),
	}
}

// CareService is one kind of care a facility offers, bookable in slots.
type CareService struct {
	ent.Schema
}

// Fields of the CareService.
func (CareService) Fields() []ent.Field {
	return []ent.Field{
		field.Int("facility_id").Immutable().
			Comment("The facility that offers it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("name").NotEmpty().MaxLen(100).
			Comment("The service's name, e.g. 全日托."),
		field.Enum("kind").
			Values("FULL_DAY", "HALF_DAY", "AFTER_SCHOOL", "HOME_VISIT", "BATHING", "REHABILITATION").
			Comment("What kind of care: a HOME_VISIT is given at the household's address by a caregiver free at that time."),
		field.Int("duration_minutes").Positive().
			Comment("How long one slot lasts."),
		field.Int("capacity").Positive().
			Comment("How many people one slot takes (for home visits: at most this many caregivers go out at once)."),
		field.Int("price_fen").NonNegative().
			Comment("The price of one slot in fen (分)."),
		field.Int("subsidy_fen").NonNegative().Default(0).
			Comment("The government subsidy of one slot in fen; the family pays price minus subsidy."),
		field.Enum("audience").Values("ELDERLY", "CHILD").
			Comment("Who it is for."),
		field.Int("min_age").Optional().Nillable().NonNegative().
			Comment("The youngest age (in whole years on the slot's day) that may be booked."),
		field.Int("max_age").Optional().Nillable().NonNegative().
			Comment("The oldest age (in whole years on the slot's day) that may be booked."),
		field.Ints("weekdays").
			Comment("The weekly schedule's days, 1 (Monday) to 7 (Sunday)."),
		field.Strings("start_times").
			Comment("The weekly schedule's slot start times on those days, HH:MM (Asia/Shanghai)."),
	}
}

// Edges of the CareService.
func (CareService) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("facility", CareFacility.Type).Field("facility_id").Unique().Required().Immutable().
			Comment("The facility that offers it."),
		edge.From("slots", CareSlot.Type).Ref("service").
			Comment("The service's slots.").
			Annotations(entgql.RelayConnection()),
	}
}

// Policy of the CareService: see internal/authz.
func (CareService) Policy() ent.Policy { return authz.PublicPolicy() }

// Annotations of the CareService.
func (CareService) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A kind of care a facility offers (full day, half day, after-school care, home health visit, bathing help, rehabilitation), with its price, subsidy, eligibility and weekly schedule."),
	}
}

// CareSlot is one bookable time of a service, made from its weekly
// schedule. Its counters are changed only under the slot's row lock.
type CareSlot struct {
	ent.Schema
}

// Fields of the CareSlot.
func (CareSlot) Fields() []ent.Field {
	return []ent.Field{
		field.Int("service_id").Immutable().
			Comment("The service.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("starts_at").Immutable().
			Comment("When the slot begins.").
			Annotations(entgql.OrderField("STARTS_AT")),
		field.Time("ends_at").Immutable().
			Comment("When the slot ends."),
		field.Int("capacity").Positive().
			Comment("How many people it takes."),
		field.Int("taken").NonNegative().Default(0).
			Comment("Places taken: confirmed, offered to the waitlist, or used."),
		field.Ints("caregiver_ids").Optional().
			Comment("The caregivers on duty in the slot.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("waitlist_seq").NonNegative().Default(0).
			Comment("The last waitlist position handed out: positions follow arrival.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the CareSlot.
func (CareSlot) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("service", CareService.Type).Field("service_id").Unique().Required().Immutable().
			Comment("The service."),
		edge.From("bookings", CareBooking.Type).Ref("slot").
			Comment("The slot's bookings the viewer may see.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the CareSlot: one slot per service and start.
func (CareSlot) Indexes() []ent.Index {
	return []ent.Index{index.Fields("service_id", "starts_at").Unique()}
}

// Policy of the CareSlot: see internal/authz.
func (CareSlot) Policy() ent.Policy { return authz.PublicPolicy() }

// Annotations of the CareSlot.
func (CareSlot) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A bookable time of a care service, with its capacity, the places taken and the caregivers on duty."),
		entgql.RelayConnection(),
	}
}

// CareBooking is one person's place (or place on the waitlist) in a slot,
// booked by themselves or by their guardian.
type CareBooking struct {
	ent.Schema
}

// Fields of the CareBooking.
func (CareBooking) Fields() []ent.Field {
	return []ent.Field{
		field.Int("slot_id").Immutable().
			Comment("The slot.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("resident_id").Immutable().
			Comment("The person cared for.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("booked_by_id").Immutable().
			Comment("Who booked: the person or their guardian.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("community_id").Immutable().
			Comment("The facility's community, for the privacy rules.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("status").
			Values("CONFIRMED", "WAITLISTED", "OFFERED", "EXPIRED", "CANCELLED", "CHECKED_IN", "CHECKED_OUT", "NO_SHOW").
			Comment("CONFIRMED holds a place; WAITLISTED waits; OFFERED holds a freed place until the offer expires (then EXPIRED); CANCELLED; CHECKED_IN and CHECKED_OUT on the day; NO_SHOW when the person did not come."),
		field.Int("waitlist_position").Optional().Nillable().
			Comment("The position on the slot's waitlist, by arrival (1 is first)."),
		field.Time("offer_expires_at").Optional().Nillable().
			Comment("When an offered place must be confirmed by."),
		field.Time("checked_in_at").Optional().Nillable().
			Comment("When the person arrived (or the caregiver arrived, for a home visit)."),
		field.Time("checked_out_at").Optional().Nillable().
			Comment("When the person left."),
		field.Time("cancelled_at").Optional().Nillable().
			Comment("When the booking was cancelled."),
		field.Int("caregiver_id").Optional().Nillable().
			Comment("The caregiver who makes the home visit.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("visit_place_id").Optional().Nillable().
			Comment("Where the home visit goes: the household's place.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("price_fen").NonNegative().Immutable().
			Comment("The price when booked, in fen."),
		field.Int("subsidy_fen").NonNegative().Immutable().
			Comment("The subsidy when booked, in fen."),
	}
}

// Mixin of the CareBooking.
func (CareBooking) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Edges of the CareBooking.
func (CareBooking) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("slot", CareSlot.Type).Field("slot_id").Unique().Required().Immutable().
			Comment("The slot."),
		edge.To("resident", Resident.Type).Field("resident_id").Unique().Required().Immutable().
			Comment("The person cared for.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("booked_by", Resident.Type).Field("booked_by_id").Unique().Required().Immutable().
			Comment("Who booked.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("caregiver", Resident.Type).Field("caregiver_id").Unique().
			Comment("The caregiver who makes the home visit.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("visit_place", Place.Type).Field("visit_place_id").Unique().
			Comment("Where the home visit goes.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.From("notes", CareNote.Type).Ref("booking").
			Comment("The caregivers' notes (only the facility's caregivers and the person's guardians see them).").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.From("incidents", CareIncident.Type).Ref("booking").
			Comment("Incidents during the care.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.From("events", CareEvent.Type).Ref("booking").
			Comment("What happened to the booking, in order.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the CareBooking.
func (CareBooking) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("slot_id", "status", "waitlist_position"),
		index.Fields("resident_id", "slot_id"),
		index.Fields("status", "offer_expires_at"),
		index.Fields("caregiver_id"),
	}
}

// Policy of the CareBooking: see internal/authz.
func (CareBooking) Policy() ent.Policy { return authz.CareBookingPolicy() }

// Annotations of the CareBooking.
func (CareBooking) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person's place, or place on the waitlist, in a care slot."),
		entgql.RelayConnection(),
		entgql.QueryField("careBookings").Description("Care bookings the viewer may see: their own and their dependents', and for caregivers and admins those of their community's facilities."),
	}
}

// CareNote is what a caregiver writes about a person's day. Notes are
// sensitive: only the facility's caregivers, the person's active guardians
// and the person themself (if adult) read them.
type CareNote struct {
	ent.Schema
}

// Fields of the CareNote.
func (CareNote) Fields() []ent.Field {
	return []ent.Field{
		field.Int("booking_id").Immutable().
			Comment("The booking it is about.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("resident_id").Immutable().
			Comment("The person it is about.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("community_id").Immutable().
			Comment("The facility's community.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("about_minor").Immutable().Default(false).
			Comment("Whether the person was under 18 when it was written: a minor does not read notes about them, their guardians do.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("author_id").Immutable().
			Comment("The caregiver who wrote it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("body").NotEmpty().MaxLen(4000).Immutable().
			Comment("The note."),
		field.Time("created_at").Immutable().
			Comment("When it was written."),
	}
}

// Edges of the CareNote.
func (CareNote) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("booking", CareBooking.Type).Field("booking_id").Unique().Required().Immutable().
			Comment("The booking it is about."),
		edge.To("author", Resident.Type).Field("author_id").Unique().Required().Immutable().
			Comment("The caregiver who wrote it."),
	}
}

// Indexes of the CareNote.
func (CareNote) Indexes() []ent.Index {
	return []ent.Index{index.Fields("booking_id"), index.Fields("resident_id")}
}

// Interceptors of the CareNote: staff reads of care notes go to the access log
// (internal/accesslog).
func (CareNote) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{accesslog.CareNotes()}
}

// Policy of the CareNote: see internal/authz.
func (CareNote) Policy() ent.Policy { return authz.CareNotePolicy() }

// Annotations of the CareNote.
func (CareNote) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A caregiver's note about a person's care (sensitive)."),
	}
}

// CareIncident is something that went wrong during care (a fall, a
// fever); the person's guardians are notified at once.
type CareIncident struct {
	ent.Schema
}

// Fields of the CareIncident.
func (CareIncident) Fields() []ent.Field {
	return []ent.Field{
		field.Int("booking_id").Immutable().
			Comment("The booking during which it happened.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("resident_id").Immutable().
			Comment("The person it happened to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("community_id").Immutable().
			Comment("The facility's community.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("about_minor").Immutable().Default(false).
			Comment("Whether the person was under 18.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("reporter_id").Immutable().
			Comment("The caregiver who reported it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("severity").Values("MINOR", "SERIOUS", "EMERGENCY").Immutable().
			Comment("How serious it is."),
		field.String("description").NotEmpty().MaxLen(4000).Immutable().
			Comment("What happened and what was done."),
		field.Time("occurred_at").Immutable().
			Comment("When it happened (when reported)."),
	}
}

// Edges of the CareIncident.
func (CareIncident) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("booking", CareBooking.Type).Field("booking_id").Unique().Required().Immutable().
			Comment("The booking during which it happened."),
		edge.To("reporter", Resident.Type).Field("reporter_id").Unique().Required().Immutable().
			Comment("The caregiver who reported it."),
	}
}

// Indexes of the CareIncident.
func (CareIncident) Indexes() []ent.Index {
	return []ent.Index{index.Fields("booking_id"), index.Fields("resident_id")}
}

// Interceptors of the CareIncident: staff reads of care incidents go to the access log
// (internal/accesslog).
func (CareIncident) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{accesslog.CareIncidents()}
}

// Policy of the CareIncident: see internal/authz.
func (CareIncident) Policy() ent.Policy { return authz.CareIncidentPolicy() }

// Annotations of the CareIncident.
func (CareIncident) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Something that went wrong during care; the person's guardians are told at once (sensitive)."),
	}
}

// CareEvent is one entry of a person's care log: booked, offered a place,
// checked in at 09:02, a note, an incident. Guardians follow it live.
type CareEvent struct {
	ent.Schema
}

// Fields of the CareEvent.
func (CareEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("booking_id").Immutable().
			Comment("The booking.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("resident_id").Immutable().
			Comment("The person cared for.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("booked_by_id").Immutable().
			Comment("Who booked.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("community_id").Immutable().
			Comment("The facility's community.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("kind").
			Values("CONFIRMED", "WAITLISTED", "OFFERED", "EXPIRED", "CANCELLED", "CHECKED_IN", "CHECKED_OUT", "NO_SHOW", "NOTE", "INCIDENT").
			Immutable().
			Comment("What happened."),
		field.Time("at").Immutable().
			Comment("When it happened."),
		field.Int("note_id").Optional().Nillable().Immutable().
			Comment("The note, for a NOTE.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("incident_id").Optional().Nillable().Immutable().
			Comment("The incident, for an INCIDENT.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the CareEvent.
func (CareEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("booking", CareBooking.Type).Field("booking_id").Unique().Required().Immutable().
			Comment("The booking."),
		edge.To("note", CareNote.Type).Field("note_id").Unique().Immutable().
			Comment("The note, for a NOTE (empty for whoever may not read it)."),
		edge.To("incident", CareIncident.Type).Field("incident_id").Unique().Immutable().
			Comment("The incident, for an INCIDENT (empty for whoever may not read it)."),
	}
}

// Indexes of the CareEvent.
func (CareEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("resident_id"), index.Fields("booking_id")}
}

// Policy of the CareEvent: see internal/authz.
func (CareEvent) Policy() ent.Policy { return authz.CareEventPolicy() }

// Annotations of the CareEvent.
func (CareEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An entry of a person's care log (booked, offered a place, checked in, a note, an incident)."),
	}
}
