package roster

import (
	"context"
	"strings"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// AssignRole gives a resident a role in the scope named by scopeID (a grid,
// community, street or department).
func (r *Roster) AssignRole(ctx context.Context, residentID int, role roleassignment.Role, scopeID int, title string) (*ent.RoleAssignment, error) {
	if _, err := anAdmin(ctx); err != nil {
		return nil, err
	}
	if err := roleassignment.RoleValidator(role); err != nil {
		return nil, apperr.New(apperr.BadUserInput, "unknown role %q", role)
	}
	title = strings.TrimSpace(title)
	if len([]rune(title)) > 100 {
		return nil, apperr.New(apperr.BadUserInput, "a title has at most 100 characters")
	}
	// The scope is public; the resident need not be visible to the admin
	// (a newly signed-in resident is not yet in anyone's scope), so both
	// are looked up as the system, and the privacy rule on the assignment
	// decides.
	sys := viewer.SystemContext(ctx)
	if ok, err := r.client.Resident.Query().Where(residentIDAlive(residentID)).Exist(sys); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.New(apperr.NotFound, "resident not found")
	}
	scope, err := r.client.Noder(sys, scopeID)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "scope not found: give a grid, community, street or department ID")
	}
	var inScope func(*ent.RoleAssignmentCreate) *ent.RoleAssignmentCreate
	switch s := scope.(type) {
	case *ent.Grid:
		inScope = func(c *ent.RoleAssignmentCreate) *ent.RoleAssignmentCreate { return c.SetGridID(s.ID) }
	case *ent.Community:
		inScope = func(c *ent.RoleAssignmentCreate) *ent.RoleAssignmentCreate { return c.SetCommunityID(s.ID) }
	case *ent.Street:
		inScope = func(c *ent.RoleAssignmentCreate) *ent.RoleAssignmentCreate { return c.SetStreetID(s.ID) }
	case *ent.Department:
		inScope = func(c *ent.RoleAssignmentCreate) *ent.RoleAssignmentCreate { return c.SetDepartmentID(s.ID) }
	default:
		return nil, apperr.New(apperr.BadUserInput, "a role is held in a grid, community, street or department")
	}
	var ra *ent.RoleAssignment
	err = store.WithTx(ctx, r.client, func(tx *ent.Tx) error {
		var err error
		ra, err = inScope(tx.RoleAssignment.Create().SetResidentID(residentID).SetRole(role).SetTitle(title)).Save(ctx)
		if err != nil {
			return forbidden(err, "you can assign roles only within the communities you administer")
		}
		if err := realtime.ViewerChanged(ctx, r.outbox, tx, residentID); err != nil {
			return err
		}
		return r.audit(ctx, tx.Client(), "role.assign", ra.ID, "%s to resident %d", role, residentID)
	})
	if ent.IsConstraintError(err) {
		return nil, apperr.New(apperr.Conflict, "the resident already holds this role there, or the grid already has a leader")
	}
	return ra, err
}

// RevokeRole removes a role assignment and returns its ID.
func (r *Roster) RevokeRole(ctx context.Context, id int) (int, error) {
	if _, err := anAdmin(ctx); err != nil {
		return 0, err
	}
	err := store.WithTx(ctx, r.client, func(tx *ent.Tx) error {
		ra, err := tx.RoleAssignment.Get(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.RoleAssignment.DeleteOneID(id).Exec(ctx); err != nil {
			return forbidden(err, "you can revoke roles only within the communities you administer")
		}
		if err := realtime.ViewerChanged(ctx, r.outbox, tx, ra.ResidentID); err != nil {
			return err
		}
		return r.audit(ctx, tx.Client(), "role.revoke", id, "%s of resident %d", ra.Role, ra.ResidentID)
	})
	return id, err
}
