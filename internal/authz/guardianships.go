package authz

import (
	"context"

	"entgo.io/ent"

	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/viewer"
)

// GuardianshipPolicy: a guardianship is seen by its guardian and its
// dependent, and by whoever may see the dependent's personal details (their
// grid's leader and workers, their community's admins, the street's
// admins). Only the system writes guardianships; the services that create
// and confirm them check who asks before they do.
func GuardianshipPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.GuardianshipQueryRuleFunc(func(ctx context.Context, q *gen.GuardianshipQuery) error {
				v := viewer.FromContext(ctx)
				if v.IsStreetAdmin() {
					return privacy.Allow
				}
				if !v.SignedIn() {
					q.Where(predicate.Guardianship(nothing))
					return privacy.Allow
				}
				preds := []predicate.Guardianship{
					// A guardian sees their request while it is pending only
					// when the dependent shares their household: asked by
					// phone, a pending request would tell whether the phone
					// has an account (issue 14).
					guardianship.And(guardianship.GuardianID(v.ResidentID), guardianship.Or(
						guardianship.StatusNEQ(guardianship.StatusPENDING),
						guardianship.HasDependentWith(sameHousehold(v)),
					)),
					guardianship.DependentID(v.ResidentID),
				}
				var staff []predicate.Resident
				if grids := v.GridsWhere(gridStaffRoles...); len(grids) > 0 {
					staff = append(staff, livesInGrids(grids))
				}
				if communities := v.CommunitiesWhere(viewer.CommunityAdmin); len(communities) > 0 {
					staff = append(staff, livesInCommunities(communities))
				}
				if len(staff) > 0 {
					preds = append(preds, guardianship.HasDependentWith(resident.Or(staff...)))
				}
				q.Where(guardianship.Or(preds...))
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// sameHousehold matches the residents of v's household (none when v has
// no household).
func sameHousehold(v *viewer.Viewer) predicate.Resident {
	if v.HouseholdID == 0 {
		return predicate.Resident(nothing)
	}
	return resident.HouseholdID(v.HouseholdID)
}
