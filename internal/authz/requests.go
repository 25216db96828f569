package authz

import (
	"context"

	"entgo.io/ent"

	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestcategory"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/internal/viewer"
)

// RequestHelperRoles are the grid roles that handle the requests of the
// categories whose first role they are (red stewards for property service,
// safety informants for hazards), besides the grid's leader and workers.
var RequestHelperRoles = []string{viewer.RedSteward, viewer.SafetyInformant}

// RequestPolicy: a request is seen by its filer, the resident it is for
// and that resident's active guardians; by the leader and workers of its
// grid, and the grid's holders of its category's first role; by the admins
// of its community and the street; and by the staff of the department it
// was called to. Only the system writes requests: internal/appeal checks
// who asks first.
func RequestPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.RequestQueryRuleFunc(func(ctx context.Context, q *gen.RequestQuery) error {
				v := viewer.FromContext(ctx)
				if v.IsStreetAdmin() {
					return privacy.Allow
				}
				preds := append(requesterRequests(v), staffRequests(v)...)
				if len(preds) == 0 {
					q.Where(predicate.Request(nothing))
				} else {
					q.Where(request.Or(preds...))
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// RequestEventPolicy: a timeline entry is seen by whoever sees its request
// as staff; the requester's side (filer, subject, guardians) sees all but
// internal notes.
func RequestEventPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.RequestEventQueryRuleFunc(func(ctx context.Context, q *gen.RequestEventQuery) error {
				v := viewer.FromContext(ctx)
				if v.IsStreetAdmin() {
					return privacy.Allow
				}
				var preds []predicate.RequestEvent
				if staff := staffRequests(v); len(staff) > 0 {
					preds = append(preds, requestevent.HasRequestWith(request.Or(staff...)))
				}
				if own := requesterRequests(v); len(own) > 0 {
					preds = append(preds, requestevent.And(requestevent.Internal(false),
						requestevent.HasRequestWith(request.Or(own...))))
				}
				if len(preds) == 0 {
					q.Where(predicate.RequestEvent(nothing))
				} else {
					q.Where(requestevent.Or(preds...))
				}
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// requesterRequests matches the requests v filed, those for v, and those
// for v's dependents.
func requesterRequests(v *viewer.Viewer) []predicate.Request {
	if !v.SignedIn() {
		return nil
	}
	preds := []predicate.Request{request.FilerID(v.ResidentID), request.SubjectID(v.ResidentID)}
	if len(v.DependentIDs) > 0 {
		preds = append(preds, request.SubjectIDIn(v.DependentIDs...))
	}
	return preds
}

// staffRequests matches the requests v handles: as grid leader or worker,
// as holder of a category's first role in the grid, as community admin,
// as department staff.
func staffRequests(v *viewer.Viewer) []predicate.Request {
	if !v.SignedIn() {
		return nil
	}
	var preds []predicate.Request
	if grids := v.GridsWhere(gridStaffRoles...); len(grids) > 0 {
		preds = append(preds, request.GridIDIn(grids...))
	}
	for _, role := range RequestHelperRoles {
		if grids := v.GridsWhere(role); len(grids) > 0 {
			preds = append(preds, request.And(request.GridIDIn(grids...),
				request.HasCategoryWith(requestcategory.FirstRoleEQ(requestcategory.FirstRole(role)))))
		}
	}
	if communities := v.CommunitiesWhere(viewer.CommunityAdmin); len(communities) > 0 {
		preds = append(preds, request.HasGridWith(grid.CommunityIDIn(communities...)))
	}
	if departments := v.DepartmentsWhere(viewer.DepartmentStaff); len(departments) > 0 {
		preds = append(preds, request.DepartmentIDIn(departments...))
	}
	return preds
}
