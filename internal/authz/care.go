package authz

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Care records (bookings, events, incidents, notes) carry the person cared
// for (resident_id) and the facility's community (community_id), so that
// one predicate on the record's own columns decides who reads it.

// careAudience matches the care records v may read: about v themself
// (unless the record is about a minor and minorColumn says so), about v's
// active dependents, and of the facilities where v is a CAREGIVER; with
// admins, also of the communities v administers, and everything for a
// street admin. everyone reports that no filter is needed.
func careAudience(v *viewer.Viewer, admins, minorColumn bool) (p func(*sql.Selector), everyone bool) {
	if admins && v.IsStreetAdmin() {
		return nil, true
	}
	if !v.SignedIn() {
		return nothing, false
	}
	self := sql.FieldEQ("resident_id", v.ResidentID)
	if minorColumn {
		self = sql.AndPredicates(self, sql.FieldEQ("about_minor", false))
	}
	ps := []func(*sql.Selector){self}
	if len(v.DependentIDs) > 0 {
		ps = append(ps, sql.FieldIn("resident_id", v.DependentIDs...))
	}
	roles := []string{viewer.Caregiver}
	if admins {
		roles = append(roles, viewer.CommunityAdmin)
	}
	if communities := v.CommunitiesWhere(roles...); len(communities) > 0 {
		ps = append(ps, sql.FieldIn("community_id", communities...))
	}
	return sql.OrPredicates(ps...), false
}

// careQueryRule filters a query by careAudience.
func careQueryRule[P ~func(*sql.Selector)](admins, minorColumn bool, where func(ctx context.Context, q ent.Query, p P)) privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		p, everyone := careAudience(viewer.FromContext(ctx), admins, minorColumn)
		if !everyone {
			where(ctx, q, P(p))
		}
		return privacy.Allow
	})
}

// CareBookingPolicy: a booking is read by the person, their active
// guardians, the facility's caregivers and community admins, and street
// admins. Only the system writes (internal/care checks who asks).
func CareBookingPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, careQueryRule(true, false, func(_ context.Context, q ent.Query, p predicate.CareBooking) {
			q.(*gen.CareBookingQuery).Where(p)
		})},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// CareEventPolicy: a care log entry is read by whoever reads its booking.
func CareEventPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, careQueryRule(true, false, func(_ context.Context, q ent.Query, p predicate.CareEvent) {
			q.(*gen.CareEventQuery).Where(p)
		})},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// CareNotePolicy: care notes are sensitive. Only the facility's caregivers,
// the person's active guardians and the person themself (when an adult)
// read them; no admin does.
func CareNotePolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, careQueryRule(false, true, func(_ context.Context, q ent.Query, p predicate.CareNote) {
			q.(*gen.CareNoteQuery).Where(p)
		})},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// CareIncidentPolicy: incidents are read as care notes are, and also by the
// facility's community admins and street admins, who answer for the
// facility.
func CareIncidentPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, careQueryRule(true, true, func(_ context.Context, q ent.Query, p predicate.CareIncident) {
			q.(*gen.CareIncidentQuery).Where(p)
		})},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// notRegisteredMinor matches residents who are not a child registered by
// a parent (an active PARENT_OF_MINOR guardianship): children's records
// are for their parents and the staff who serve them, not for every
// safety informant of the grid.
var notRegisteredMinor = resident.Not(resident.HasGuardiansWith(
	guardianship.StatusEQ(guardianship.StatusACTIVE),
	guardianship.ConsentMethodEQ(guardianship.ConsentMethodPARENT_OF_MINOR),
))
