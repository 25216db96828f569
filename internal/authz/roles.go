package authz

import (
	"context"

	"entgo.io/ent"

	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/viewer"
)

// RoleAssignmentPolicy: who holds which role where is public; community
// admins assign and revoke roles in their community's grids and the
// community itself, street admins anywhere.
func RoleAssignmentPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{privacy.AlwaysAllowRule()},
		Mutation: privacy.MutationPolicy{
			allowSystem,
			privacy.RoleAssignmentMutationRuleFunc(roleMutation),
			privacy.AlwaysDenyRule(),
		},
	}
}

func roleMutation(ctx context.Context, m *gen.RoleAssignmentMutation) error {
	v := viewer.FromContext(ctx)
	if !v.SignedIn() {
		return privacy.Skip
	}
	if v.IsStreetAdmin() && m.Op().Is(ent.OpCreate|ent.OpDeleteOne) {
		return privacy.Allow
	}
	var gridID, communityID int
	switch {
	case m.Op().Is(ent.OpCreate):
		gridID, _ = m.GridID()
		communityID, _ = m.CommunityID()
	case m.Op().Is(ent.OpDeleteOne):
		id, _ := m.ID()
		ra, err := m.Client().RoleAssignment.Query().Where(roleassignment.ID(id)).Only(viewer.SystemContext(ctx))
		if err != nil {
			return privacy.Skip
		}
		if ra.GridID != nil {
			gridID = *ra.GridID
		}
		if ra.CommunityID != nil {
			communityID = *ra.CommunityID
		}
	default:
		return privacy.Skip
	}
	if gridID != 0 {
		c, err := communityOfGrid(ctx, m.Client(), gridID)
		if err != nil {
			return privacy.Skip
		}
		communityID = c
	}
	if communityID != 0 && Administers(v, communityID) {
		return privacy.Allow
	}
	return privacy.Skip
}
