// Package viewer carries who is asking through a request's context: the
// signed-in resident with their household, grid and roles, or nobody, or the
// system itself. ent privacy policies read it to decide what each request may
// see and change; it imports nothing of ent so that ent/schema can use it.
package viewer

import (
	"context"
	"slices"

	"github.com/jimei-linli/linli/internal/apperr"
)

// Role names, as stored in role assignments.
const (
	GridLeader      = "GRID_LEADER"
	GridWorker      = "GRID_WORKER"
	SafetyInformant = "SAFETY_INFORMANT"
	RedSteward      = "RED_STEWARD"
	Volunteer       = "VOLUNTEER"
	Caregiver       = "CAREGIVER"
	CanteenStaff    = "CANTEEN_STAFF"
	CommunityAdmin  = "COMMUNITY_ADMIN"
	StreetAdmin     = "STREET_ADMIN"
	DepartmentStaff = "DEPARTMENT_STAFF"
)

// Role is one role the viewer holds, with its scope: exactly one of the IDs
// is set.
type Role struct {
	Role         string
	GridID       int
	CommunityID  int
	StreetID     int
	DepartmentID int
}

// Viewer is who is asking.
type Viewer struct {
	// ResidentID is the signed-in resident (0 for the system).
	ResidentID int
	// SessionID is the refresh-token family the access token belongs to.
	SessionID string
	// HouseholdID, GridID and CommunityID locate the resident's home; 0
	// while the resident is not verified into a household.
	HouseholdID int
	GridID      int
	CommunityID int
	// Roles are the roles the resident holds, read from the database for
	// this request.
	Roles []Role
	// DependentIDs are the residents the viewer is the active guardian of
	// (an elderly parent, a child), read from the database for this request.
	DependentIDs []int
	// GuardianIDs are the residents who are the viewer's active guardians.
	GuardianIDs []int
	// Locale is the language the resident reads Linli in (BCP 47, e.g.
	// zh-Hans); empty for the system and anonymous callers.
	Locale string

	system bool
}

type ctxKey struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// anonymous is the viewer of a request that carries no credentials.
var anonymous = &Viewer{}

// FromContext returns the viewer in ctx: never nil; a request without
// credentials gets an anonymous viewer (not signed in, no roles).
func FromContext(ctx context.Context) *Viewer {
	if v, ok := ctx.Value(ctxKey{}).(*Viewer); ok && v != nil {
		return v
	}
	return anonymous
}

// SystemContext returns ctx acting as the system: seeding, schedulers, the
// outbox relay and the sign-in flow itself. Privacy policies allow it
// everything; never derive it from a request's context for work done on a
// client's behalf beyond what the caller already checked.
func SystemContext(ctx context.Context) context.Context {
	return NewContext(ctx, &Viewer{system: true})
}

// IsSystem reports whether v is the system.
func (v *Viewer) IsSystem() bool { return v != nil && v.system }

// SignedIn reports whether v is a signed-in resident.
func (v *Viewer) SignedIn() bool { return v != nil && !v.system && v.ResidentID != 0 }

// Verified reports whether v is registered in a household.
func (v *Viewer) Verified() bool { return v.SignedIn() && v.HouseholdID != 0 }

// Has reports whether v holds role anywhere.
func (v *Viewer) Has(role string) bool {
	if v == nil {
		return false
	}
	return slices.ContainsFunc(v.Roles, func(r Role) bool { return r.Role == role })
}

// GridsWhere returns the grids in which v holds any of roles.
func (v *Viewer) GridsWhere(roles ...string) []int {
	return v.scopes(func(r Role) int { return r.GridID }, roles)
}

// CommunitiesWhere returns the communities in which v holds any of roles.
func (v *Viewer) CommunitiesWhere(roles ...string) []int {
	return v.scopes(func(r Role) int { return r.CommunityID }, roles)
}

// DepartmentsWhere returns the departments in which v holds any of roles.
func (v *Viewer) DepartmentsWhere(roles ...string) []int {
	return v.scopes(func(r Role) int { return r.DepartmentID }, roles)
}

// GuardianOf reports whether v is an active guardian of resident id.
func (v *Viewer) GuardianOf(id int) bool {
	return v.SignedIn() && slices.Contains(v.DependentIDs, id)
}

// ActsFor reports whether v may act for resident id: v is that resident or
// their active guardian.
func (v *Viewer) ActsFor(id int) bool {
	return v.SignedIn() && (v.ResidentID == id || v.GuardianOf(id))
}

// IsStreetAdmin reports whether v is a street admin (who sees the street).
func (v *Viewer) IsStreetAdmin() bool { return v.Has(StreetAdmin) }

func (v *Viewer) scopes(id func(Role) int, roles []string) []int {
	if v == nil {
		return nil
	}
	var ids []int
	for _, r := range v.Roles {
		if slices.Contains(roles, r.Role) && id(r) != 0 && !slices.Contains(ids, id(r)) {
			ids = append(ids, id(r))
		}
	}
	return ids
}

// ErrSignInRequired answers an operation that needs a signed-in resident.
var ErrSignInRequired = apperr.New(apperr.Unauthenticated, "sign in first")

// Required returns the signed-in viewer of ctx, or ErrSignInRequired.
func Required(ctx context.Context) (*Viewer, error) {
	v := FromContext(ctx)
	if !v.SignedIn() {
		return nil, ErrSignInRequired
	}
	return v, nil
}
