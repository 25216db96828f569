package authz

import (
	"context"

	"entgo.io/ent"

	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/canteen"
	"github.com/jimei-linli/linli/ent/canteenfollow"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/mealorderitem"
	"github.com/jimei-linli/linli/ent/menu"
	"github.com/jimei-linli/linli/ent/menuitem"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/subsidyqualification"
	"github.com/jimei-linli/linli/internal/viewer"
)

// canteenRoles run a community's canteen or oversee it: they see its
// unpublished menus and its orders.
var canteenRoles = []string{viewer.CanteenStaff, viewer.CommunityAdmin}

// RunsCanteen reports whether v may manage the canteens of the community:
// its canteen staff and admins, and street admins.
func RunsCanteen(v *viewer.Viewer, communityID int) bool {
	if v.IsStreetAdmin() {
		return true
	}
	for _, c := range v.CommunitiesWhere(canteenRoles...) {
		if c == communityID {
			return true
		}
	}
	return false
}

// menuVisible matches the menus v sees: published ones, and every menu of
// the canteens v runs. It returns nil when v sees every menu.
func menuVisible(v *viewer.Viewer) predicate.Menu {
	if v.IsStreetAdmin() {
		return nil
	}
	preds := []predicate.Menu{menu.PublishedAtNotNil()}
	if communities := v.CommunitiesWhere(canteenRoles...); len(communities) > 0 {
		preds = append(preds, menu.HasCanteenWith(canteen.CommunityIDIn(communities...)))
	}
	return menu.Or(preds...)
}

// MenuPolicy: published menus are public; canteen staff and admins of the
// canteen's community also see the menus they have not published yet. Only
// the system writes (the canteen service checks who asks).
func MenuPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.MenuQueryRuleFunc(func(ctx context.Context, q *gen.MenuQuery) error {
				if p := menuVisible(viewer.FromContext(ctx)); p != nil {
					q.Where(p)
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// MenuItemPolicy: a dish is seen by whoever sees its menu.
func MenuItemPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.MenuItemQueryRuleFunc(func(ctx context.Context, q *gen.MenuItemQuery) error {
				if p := menuVisible(viewer.FromContext(ctx)); p != nil {
					q.Where(menuitem.HasMenuWith(p))
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// CanteenFollowPolicy: a resident sees their own follows; the canteen
// service writes them as the system.
func CanteenFollowPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.CanteenFollowQueryRuleFunc(func(ctx context.Context, q *gen.CanteenFollowQuery) error {
				q.Where(ownedBy(viewer.FromContext(ctx), canteenfollow.ResidentID))
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// mealOrderVisible matches the orders v sees: the ones for v or placed by
// v, those for the residents v is the active guardian of, and, for canteen
// staff and community admins, every order of their community's canteens.
// It returns nil when v sees every order (street admins).
func mealOrderVisible(v *viewer.Viewer) predicate.MealOrder {
	if v.IsStreetAdmin() {
		return nil
	}
	if !v.SignedIn() {
		return predicate.MealOrder(nothing)
	}
	preds := []predicate.MealOrder{
		mealorder.BeneficiaryID(v.ResidentID),
		mealorder.OrderedByID(v.ResidentID),
	}
	if len(v.DependentIDs) > 0 {
		preds = append(preds, mealorder.BeneficiaryIDIn(v.DependentIDs...))
	}
	if communities := v.CommunitiesWhere(canteenRoles...); len(communities) > 0 {
		preds = append(preds, mealorder.CommunityIDIn(communities...))
	}
	return mealorder.Or(preds...)
}

// MealOrderPolicy: an order is seen by its beneficiary, whoever placed it,
// the beneficiary's active guardians, the canteen's staff and community
// admins, and street admins. Only the system writes; the canteen service
// checks who asks.
func MealOrderPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.MealOrderQueryRuleFunc(func(ctx context.Context, q *gen.MealOrderQuery) error {
				if p := mealOrderVisible(viewer.FromContext(ctx)); p != nil {
					q.Where(p)
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// MealOrderItemPolicy: a dish of an order is seen by whoever sees the order.
func MealOrderItemPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.MealOrderItemQueryRuleFunc(func(ctx context.Context, q *gen.MealOrderItemQuery) error {
				if p := mealOrderVisible(viewer.FromContext(ctx)); p != nil {
					q.Where(mealorderitem.HasOrderWith(p))
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// SeesSubsidyCategory reports whether v may see why order o is subsidised
// (its tier: 低保, disability, age): its beneficiary, whoever ordered it,
// the beneficiary's active guardians, the admins of the canteen's
// community and street admins. Canteen staff see only that it is
// subsidised and the amounts: the kitchen needs price and portions, not
// the reason.
func SeesSubsidyCategory(v *viewer.Viewer, o *gen.MealOrder) bool {
	if !v.SignedIn() {
		return false
	}
	return v.ActsFor(o.BeneficiaryID) || o.OrderedByID == v.ResidentID || Administers(v, o.CommunityID)
}

// SubsidyQualificationPolicy: a qualification (低保, disability) is
// sensitive: the resident, their active guardians, the admins of their
// community and street admins see it. Canteen staff do not even see the
// tier an order was priced at (SeesSubsidyCategory). Only the system
// writes.
func SubsidyQualificationPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.SubsidyQualificationQueryRuleFunc(func(ctx context.Context, q *gen.SubsidyQualificationQuery) error {
				v := viewer.FromContext(ctx)
				if v.IsStreetAdmin() {
					return privacy.Allow
				}
				if !v.SignedIn() {
					q.Where(predicate.SubsidyQualification(nothing))
					return privacy.Allow
				}
				preds := []predicate.SubsidyQualification{subsidyqualification.ResidentID(v.ResidentID)}
				if len(v.DependentIDs) > 0 {
					preds = append(preds, subsidyqualification.ResidentIDIn(v.DependentIDs...))
				}
				if communities := v.CommunitiesWhere(viewer.CommunityAdmin); len(communities) > 0 {
					preds = append(preds, subsidyqualification.HasResidentWith(resident.Or(livesInCommunities(communities))))
				}
				q.Where(subsidyqualification.Or(preds...))
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}
