package authz

import (
	"context"
	"slices"

	"entgo.io/ent"

	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/community"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/helpoffer"
	"github.com/jimei-linli/linli/ent/helprequest"
	"github.com/jimei-linli/linli/ent/ledgerentry"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/ent/timeaccount"
	"github.com/jimei-linli/linli/ent/volunteertask"
	"github.com/jimei-linli/linli/ent/volunteertaskassignment"
	"github.com/jimei-linli/linli/ent/volunteerteam"
	"github.com/jimei-linli/linli/ent/volunteerteammember"
	"github.com/jimei-linli/linli/internal/viewer"
)

// VolunteerRoles are the roles that answer help requests: volunteers and
// red stewards, in the grid (or community) of their role.
var VolunteerRoles = []string{viewer.Volunteer, viewer.RedSteward}

// visibleAccounts matches the time accounts v may read: their own and their
// dependents', and the pools of the communities they administer (every pool
// for a street admin). It returns nil when v may read none.
func visibleAccounts(v *viewer.Viewer) predicate.TimeAccount {
	if !v.SignedIn() {
		return nil
	}
	preds := []predicate.TimeAccount{timeaccount.ResidentIDIn(append([]int{v.ResidentID}, v.DependentIDs...)...)}
	if v.IsStreetAdmin() {
		preds = append(preds, timeaccount.KindEQ(timeaccount.KindPOOL))
	} else if cs := v.CommunitiesWhere(viewer.CommunityAdmin); len(cs) > 0 {
		preds = append(preds, timeaccount.CommunityIDIn(cs...))
	}
	return timeaccount.Or(preds...)
}

// TimeAccountPolicy: a resident reads their own account and their
// dependents'; community admins read their community's pool, street admins
// every pool. Only the system (the time bank) writes accounts.
func TimeAccountPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.TimeAccountQueryRuleFunc(func(ctx context.Context, q *gen.TimeAccountQuery) error {
				if p := visibleAccounts(viewer.FromContext(ctx)); p != nil {
					q.Where(p)
				} else {
					q.Where(predicate.TimeAccount(nothing))
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// LedgerEntryPolicy: an entry is read by whoever reads its account.
func LedgerEntryPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.LedgerEntryQueryRuleFunc(func(ctx context.Context, q *gen.LedgerEntryQuery) error {
				if p := visibleAccounts(viewer.FromContext(ctx)); p != nil {
					q.Where(ledgerentry.HasAccountWith(p))
				} else {
					q.Where(predicate.LedgerEntry(nothing))
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// LedgerTransferPolicy: a posting is read by whoever reads either of its
// accounts.
func LedgerTransferPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.LedgerTransferQueryRuleFunc(func(ctx context.Context, q *gen.LedgerTransferQuery) error {
				if p := visibleAccounts(viewer.FromContext(ctx)); p != nil {
					q.Where(ledgertransfer.Or(ledgertransfer.HasFromAccountWith(p), ledgertransfer.HasToAccountWith(p)))
				} else {
					q.Where(predicate.LedgerTransfer(nothing))
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// visibleHelpRequests matches the help requests v may read, or returns
// (nil, true) for a street admin (all) and (nil, false) for nobody.
//
// The requester, who asked for them, and their guardians; the volunteer
// chosen and every volunteer who offered; the volunteers (and red
// stewards) of the request's grid, and once widened of its community; the
// grid's leader and workers; the community's admins.
func visibleHelpRequests(v *viewer.Viewer) (p predicate.HelpRequest, all bool) {
	if v.IsStreetAdmin() {
		return nil, true
	}
	if !v.SignedIn() {
		return nil, false
	}
	preds := []predicate.HelpRequest{
		helprequest.RequesterIDIn(append([]int{v.ResidentID}, v.DependentIDs...)...),
		helprequest.CreatedByID(v.ResidentID),
		helprequest.VolunteerID(v.ResidentID),
		helprequest.HasOffersWith(helpoffer.VolunteerID(v.ResidentID)),
	}
	if gs := v.GridsWhere(VolunteerRoles...); len(gs) > 0 {
		preds = append(preds, helprequest.GridIDIn(gs...),
			helprequest.And(helprequest.ReachEQ(helprequest.ReachCOMMUNITY),
				helprequest.HasCommunityWith(communityHasGrids(gs))))
	}
	if cs := v.CommunitiesWhere(VolunteerRoles...); len(cs) > 0 {
		preds = append(preds, helprequest.And(helprequest.ReachEQ(helprequest.ReachCOMMUNITY), helprequest.CommunityIDIn(cs...)))
	}
	if gs := v.GridsWhere(gridStaffRoles...); len(gs) > 0 {
		preds = append(preds, helprequest.GridIDIn(gs...))
	}
	if cs := v.CommunitiesWhere(viewer.CommunityAdmin); len(cs) > 0 {
		preds = append(preds, helprequest.CommunityIDIn(cs...))
	}
	return helprequest.Or(preds...), false
}

// HelpRequestPolicy: see visibleHelpRequests. Only the system writes help
// requests; internal/redneighbor checks who asks first.
func HelpRequestPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.HelpRequestQueryRuleFunc(func(ctx context.Context, q *gen.HelpRequestQuery) error {
				p, all := visibleHelpRequests(viewer.FromContext(ctx))
				switch {
				case all:
				case p == nil:
					q.Where(predicate.HelpRequest(nothing))
				default:
					q.Where(p)
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// HelpOfferPolicy: an offer is read by whoever reads its request.
func HelpOfferPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.HelpOfferQueryRuleFunc(func(ctx context.Context, q *gen.HelpOfferQuery) error {
				p, all := visibleHelpRequests(viewer.FromContext(ctx))
				switch {
				case all:
				case p == nil:
					q.Where(predicate.HelpOffer(nothing))
				default:
					q.Where(helpoffer.HasHelpRequestWith(p))
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// VolunteerTeamPolicy: teams are public; only the system writes them.
func VolunteerTeamPolicy() ent.Policy { return PublicPolicy() }

// VolunteerTeamMemberPolicy: a membership is read by the member, their
// guardians, the admins of the team's community and street admins.
func VolunteerTeamMemberPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.VolunteerTeamMemberQueryRuleFunc(func(ctx context.Context, q *gen.VolunteerTeamMemberQuery) error {
				v := viewer.FromContext(ctx)
				if v.IsStreetAdmin() {
					return privacy.Allow
				}
				if !v.SignedIn() {
					q.Where(predicate.VolunteerTeamMember(nothing))
					return privacy.Allow
				}
				preds := []predicate.VolunteerTeamMember{
					volunteerteammember.ResidentIDIn(append([]int{v.ResidentID}, v.DependentIDs...)...),
				}
				if cs := v.CommunitiesWhere(viewer.CommunityAdmin); len(cs) > 0 {
					preds = append(preds, volunteerteammember.HasTeamWith(volunteerteam.CommunityIDIn(cs...)))
				}
				q.Where(volunteerteammember.Or(preds...))
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// communityHasGrids matches communities that contain one of grids.
func communityHasGrids(grids []int) predicate.Community {
	return community.HasGridsWith(grid.IDIn(grids...))
}

// Coordinates reports whether v may dispatch and manage volunteer tasks in
// a community (and grid, when not 0): its admins, its red stewards, and the
// red stewards and leader of the grid.
func Coordinates(v *viewer.Viewer, communityID, gridID int) bool {
	return Administers(v, communityID) ||
		slices.Contains(v.CommunitiesWhere(viewer.RedSteward), communityID) ||
		gridID != 0 && slices.Contains(v.GridsWhere(viewer.RedSteward, viewer.GridLeader), gridID)
}

// coordinatedTasks matches the tasks v coordinates, or returns nil.
func coordinatedTasks(v *viewer.Viewer) predicate.VolunteerTask {
	var preds []predicate.VolunteerTask
	if cs := append(v.CommunitiesWhere(viewer.CommunityAdmin), v.CommunitiesWhere(viewer.RedSteward)...); len(cs) > 0 {
		preds = append(preds, volunteertask.CommunityIDIn(cs...))
	}
	if gs := v.GridsWhere(viewer.RedSteward, viewer.GridLeader); len(gs) > 0 {
		preds = append(preds, volunteertask.GridIDIn(gs...))
	}
	if len(preds) == 0 {
		return nil
	}
	return volunteertask.Or(preds...)
}

// VolunteerTaskPolicy: a task is seen by the volunteers it was dispatched
// to, its coordinators (see Coordinates) and street admins. Only the system
// writes tasks; internal/redneighbor checks who asks first.
func VolunteerTaskPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.VolunteerTaskQueryRuleFunc(func(ctx context.Context, q *gen.VolunteerTaskQuery) error {
				v := viewer.FromContext(ctx)
				if v.IsStreetAdmin() {
					return privacy.Allow
				}
				if !v.SignedIn() {
					q.Where(predicate.VolunteerTask(nothing))
					return privacy.Allow
				}
				preds := []predicate.VolunteerTask{volunteertask.HasAssignmentsWith(volunteertaskassignment.VolunteerID(v.ResidentID))}
				if p := coordinatedTasks(v); p != nil {
					preds = append(preds, p)
				}
				q.Where(volunteertask.Or(preds...))
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// VolunteerTaskAssignmentPolicy: a volunteer sees their own assignments;
// coordinators and street admins see every assignment of their tasks.
func VolunteerTaskAssignmentPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.VolunteerTaskAssignmentQueryRuleFunc(func(ctx context.Context, q *gen.VolunteerTaskAssignmentQuery) error {
				v := viewer.FromContext(ctx)
				if v.IsStreetAdmin() {
					return privacy.Allow
				}
				if !v.SignedIn() {
					q.Where(predicate.VolunteerTaskAssignment(nothing))
					return privacy.Allow
				}
				preds := []predicate.VolunteerTaskAssignment{volunteertaskassignment.VolunteerID(v.ResidentID)}
				if p := coordinatedTasks(v); p != nil {
					preds = append(preds, volunteertaskassignment.HasTaskWith(p))
				}
				q.Where(volunteertaskassignment.Or(preds...))
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}
