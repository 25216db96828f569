package authz

import (
	"context"

	"entgo.io/ent"

	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/household"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/viewer"
)

// livesInGrids matches residents whose household is in one of grids.
func livesInGrids(grids []int) predicate.Resident {
	return resident.GridIDIn(grids...)
}

// livesInCommunities matches residents whose household is in one of communities.
func livesInCommunities(communities []int) predicate.Resident {
	return resident.HasGridWith(grid.CommunityIDIn(communities...))
}

// closeCircle matches the residents whose personal details v may see: v,
// v's household, v's dependents, and the residents of the grids v works in and the
// communities v administers. It returns nil for a street admin (everyone).
func closeCircle(v *viewer.Viewer) (preds []predicate.Resident, everyone bool) {
	if v.IsStreetAdmin() {
		return nil, true
	}
	if !v.SignedIn() {
		return nil, false
	}
	preds = append(preds, resident.ID(v.ResidentID))
	if len(v.DependentIDs) > 0 {
		preds = append(preds, resident.IDIn(v.DependentIDs...))
	}
	if v.HouseholdID != 0 {
		preds = append(preds, resident.HouseholdID(v.HouseholdID))
	}
	if grids := v.GridsWhere(gridStaffRoles...); len(grids) > 0 {
		preds = append(preds, livesInGrids(grids))
	}
	if communities := v.CommunitiesWhere(viewer.CommunityAdmin); len(communities) > 0 {
		preds = append(preds, livesInCommunities(communities))
	}
	return preds, false
}

// ResidentPolicy decides who sees and changes residents.
func ResidentPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.ResidentQueryRuleFunc(func(ctx context.Context, q *gen.ResidentQuery) error {
				v := viewer.FromContext(ctx)
				preds, everyone := closeCircle(v)
				if everyone {
					return privacy.Allow
				}
				// Staff are public by name; informants see their grid's
				// residents by name; a dependent sees their guardians by name.
				preds = append(preds, resident.HasRoles())
				if len(v.GuardianIDs) > 0 {
					preds = append(preds, resident.IDIn(v.GuardianIDs...))
				}
				if grids := v.GridsWhere(viewer.SafetyInformant); len(grids) > 0 {
					preds = append(preds, resident.And(livesInGrids(grids), notRegisteredMinor))
				}
				q.Where(resident.Or(preds...))
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{
			allowSystem,
			privacy.ResidentMutationRuleFunc(residentMutation),
			privacy.AlwaysDenyRule(),
		},
	}
}

// residentMutation allows a resident to rename themselves and to choose the
// language they read Linli in (locale), and an admin to
// register a resident into (or move them to) a household in their scope.
func residentMutation(ctx context.Context, m *gen.ResidentMutation) error {
	v := viewer.FromContext(ctx)
	if !v.SignedIn() {
		return privacy.Skip
	}
	id, hasID := m.ID()
	if m.Op().Is(ent.OpUpdateOne) && hasID && id == v.ResidentID && fieldsWithin(m, resident.FieldName, resident.FieldLocale) {
		return privacy.Allow
	}
	hh, setsHousehold := m.HouseholdID()
	adminFields := []string{resident.FieldName, resident.FieldHouseholdID}
	if m.Op().Is(ent.OpCreate) {
		// A new resident starts in the default language (the field's default).
		adminFields = append(adminFields, resident.FieldLocale)
	}
	if !setsHousehold || !fieldsWithin(m, adminFields...) {
		return privacy.Skip
	}
	target, err := communityOfHousehold(ctx, m.Client(), hh)
	if err != nil || !Administers(v, target) {
		return privacy.Skip
	}
	if m.Op().Is(ent.OpUpdateOne) && hasID {
		// Moving a resident: their current community (if any) must be in scope too.
		current, err := communityOfResident(ctx, m.Client(), id)
		if err != nil || (current != 0 && !Administers(v, current)) {
			return privacy.Skip
		}
	} else if !m.Op().Is(ent.OpCreate) {
		return privacy.Skip
	}
	return privacy.Allow
}

// PersonalInfoPolicy decides who sees and changes personal details.
func PersonalInfoPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.PersonalInfoQueryRuleFunc(func(ctx context.Context, q *gen.PersonalInfoQuery) error {
				preds, everyone := closeCircle(viewer.FromContext(ctx))
				switch {
				case everyone:
				case len(preds) == 0:
					q.Where(predicate.PersonalInfo(nothing))
				default:
					q.Where(personalinfo.HasResidentWith(resident.Or(preds...)))
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{
			allowSystem,
			privacy.PersonalInfoMutationRuleFunc(personalInfoMutation),
			privacy.AlwaysDenyRule(),
		},
	}
}

// personalInfoMutation allows a resident to change their own birth date,
// which makes it unverified again (the change must clear the verification);
// an admin of the resident's community (or a street admin) to verify
// another resident's birth date, as themselves; and such an admin to
// record the details of a resident in their scope, verified by them if at
// all. These admins are the ones who record subsidy qualifications
// (Administers).
func personalInfoMutation(ctx context.Context, m *gen.PersonalInfoMutation) error {
	v := viewer.FromContext(ctx)
	if !v.SignedIn() {
		return privacy.Skip
	}
	switch {
	case m.Op().Is(ent.OpUpdateOne):
		id, _ := m.ID()
		owner, err := m.Client().PersonalInfo.Query().Where(personalinfo.ID(id)).
			Select(personalinfo.FieldResidentID).Int(viewer.SystemContext(ctx))
		if err != nil {
			return privacy.Skip
		}
		if owner == v.ResidentID {
			if ownBirthDateEdit(m) {
				return privacy.Allow
			}
			return privacy.Skip
		}
		if verifiedBy(v, m) && fieldsWithin(m, personalinfo.FieldBirthDate,
			personalinfo.FieldBirthDateVerifiedAt, personalinfo.FieldBirthDateVerifiedByID) {
			community, err := communityOfResident(ctx, m.Client(), owner)
			if err == nil && community != 0 && Administers(v, community) {
				return privacy.Allow
			}
		}
	case m.Op().Is(ent.OpCreate):
		rid, _ := m.ResidentID()
		if _, verifies := m.BirthDateVerifiedByID(); verifies && !verifiedBy(v, m) {
			return privacy.Skip
		}
		community, err := communityOfResident(ctx, m.Client(), rid)
		if err == nil && community != 0 && Administers(v, community) {
			return privacy.Allow
		}
	}
	return privacy.Skip
}

// ownBirthDateEdit reports whether m only sets the birth date and clears
// its verification: what a resident may do to their own details.
func ownBirthDateEdit(m *gen.PersonalInfoMutation) bool {
	for _, f := range m.Fields() {
		if f != personalinfo.FieldBirthDate && f != personalinfo.FieldUpdatedAt {
			return false
		}
	}
	_, setsDate := m.BirthDate()
	return setsDate && len(m.ClearedFields()) == 2 &&
		m.BirthDateVerifiedAtCleared() && m.BirthDateVerifiedByIDCleared() && len(m.ClearedEdges()) == 0
}

// verifiedBy reports whether m marks the birth date verified by v, now set.
func verifiedBy(v *viewer.Viewer, m *gen.PersonalInfoMutation) bool {
	by, ok := m.BirthDateVerifiedByID()
	_, at := m.BirthDateVerifiedAt()
	return ok && at && by == v.ResidentID
}

// HouseholdPolicy decides who sees and registers households.
func HouseholdPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.HouseholdQueryRuleFunc(func(ctx context.Context, q *gen.HouseholdQuery) error {
				v := viewer.FromContext(ctx)
				if v.IsStreetAdmin() {
					return privacy.Allow
				}
				var preds []predicate.Household
				if v.HouseholdID != 0 {
					preds = append(preds, household.ID(v.HouseholdID))
				}
				if len(v.DependentIDs) > 0 {
					// A guardian knows where the people they look after live.
					preds = append(preds, household.HasMembersWith(resident.IDIn(v.DependentIDs...)))
				}
				if grids := v.GridsWhere(gridStaffRoles...); len(grids) > 0 {
					preds = append(preds, household.HasPlaceWith(place.GridIDIn(grids...)))
				}
				if communities := v.CommunitiesWhere(viewer.CommunityAdmin); len(communities) > 0 {
					preds = append(preds, household.HasPlaceWith(place.HasGridWith(grid.CommunityIDIn(communities...))))
				}
				if len(preds) == 0 {
					q.Where(predicate.Household(nothing))
				} else {
					q.Where(household.Or(preds...))
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{
			allowSystem,
			privacy.HouseholdMutationRuleFunc(func(ctx context.Context, m *gen.HouseholdMutation) error {
				v := viewer.FromContext(ctx)
				pid, ok := m.PlaceID()
				if !v.SignedIn() || !ok || !m.Op().Is(ent.OpCreate) {
					return privacy.Skip
				}
				community, err := communityOfPlace(ctx, m.Client(), pid)
				if err == nil && Administers(v, community) {
					return privacy.Allow
				}
				return privacy.Skip
			}),
			privacy.AlwaysDenyRule(),
		},
	}
}
