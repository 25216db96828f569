// Package appeal is 接訴即辦, "handle a request on receipt": residents file
// requests (訴求) that go at once to the staff of the grid they belong to;
// a staff member claims one (one owner at a time, hand-overs recorded),
// notes progress, may call a department (網格呼叫、部門報到), and resolves
// it; the requester confirms or reopens, then rates it, and it closes.
//
// The 54321 clock runs on every request: each stage (acknowledge, contact,
// resolve, follow up, rating, and a department's report) has a deadline
// from the configuration, and an overdue stage escalates by itself, up a
// ladder (grid leader, community admins, street admins), each rung once.
// Tick, run by every instance's scheduler, claims each escalation in the
// database with a conditional update, so that no rung fires twice.
//
// Every change writes an immutable timeline entry (RequestEvent) and an
// outbox event in the same transaction; reads go through the viewer's
// context, so internal/authz's privacy rules decide who sees what.
package appeal

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestcategory"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Service runs the requests of a street.
type Service struct {
	client    *ent.Client
	outbox    *realtime.Outbox
	now       func() time.Time
	deadlines Deadlines
	// wake tells the clock's job that a deadline was set or moved.
	wake chan struct{}

	// Escalations, if set, counts the rungs Job escalates (set it before
	// the job runs).
	Escalations realtime.Counter
}

// New returns a service writing through client and outbox, reading the
// time from now (time.Now when nil), with the given deadlines (zero ones
// take their default).
func New(client *ent.Client, outbox *realtime.Outbox, now func() time.Time, d Deadlines) *Service {
	if now == nil {
		now = time.Now
	}
	if outbox == nil {
		outbox = realtime.NewOutbox(nil, now)
	}
	// Times are stored in UTC: SQLite compares them as text.
	utc := func() time.Time { return now().UTC() }
	return &Service{client: client, outbox: outbox, now: utc, deadlines: d.withDefaults(), wake: make(chan struct{}, 1)}
}

// GridRequestsTopic is the real-time topic of every change to the requests
// of a grid (what gridRequests follows).
func GridRequestsTopic(gridID int) string { return fmt.Sprintf("grid-requests:%d", gridID) }

// handlerRoles are the grid roles that own any request of their grid.
var handlerRoles = []string{viewer.GridLeader, viewer.GridWorker}

// scope is what the rules need to know about where a request is.
type scope struct {
	gridID, communityID, streetID int
	firstRole                     requestcategory.FirstRole
}

// scopeOf looks up the community and street of r's grid and its category's
// first role, as the system.
func (s *Service) scopeOf(ctx context.Context, c *ent.Client, r *ent.Request) (scope, error) {
	sys := viewer.SystemContext(ctx)
	g, err := c.Grid.Query().Where(grid.ID(r.GridID)).WithCommunity().Only(sys)
	if err != nil {
		return scope{}, err
	}
	cat, err := c.RequestCategory.Get(sys, r.CategoryID)
	if err != nil {
		return scope{}, err
	}
	return scope{gridID: g.ID, communityID: g.CommunityID, streetID: g.Edges.Community.StreetID, firstRole: cat.FirstRole}, nil
}

// handles reports whether v may claim and work on requests in sc: the
// grid's leader and workers, the holders of the category's first role in
// the grid, the community's admins and the street's.
func handles(v *viewer.Viewer, sc scope) bool {
	if slices.Contains(v.GridsWhere(handlerRoles...), sc.gridID) || authz.Administers(v, sc.communityID) {
		return true
	}
	role := string(sc.firstRole)
	return slices.Contains(authz.RequestHelperRoles, role) && slices.Contains(v.GridsWhere(role), sc.gridID)
}

// manages reports whether v may direct a request in sc whoever owns it:
// the grid leader and the admins.
func manages(v *viewer.Viewer, sc scope) bool {
	return slices.Contains(v.GridsWhere(viewer.GridLeader), sc.gridID) || authz.Administers(v, sc.communityID)
}

// inDepartment reports whether v is staff of the department r is called to.
func inDepartment(v *viewer.Viewer, r *ent.Request) bool {
	return r.DepartmentID != nil && slices.Contains(v.DepartmentsWhere(viewer.DepartmentStaff), *r.DepartmentID)
}

// requester reports whether v is on the requester's side of r: the filer,
// the resident it is for, or their active guardian.
func requester(v *viewer.Viewer, r *ent.Request) bool {
	return v.SignedIn() && (v.ResidentID == r.FilerID || v.ActsFor(r.SubjectID))
}

// SeesFiler reports whether v may see who filed r: everyone who sees r,
// except that an anonymous request shows its filer only to the filer's
// side and to the grid's leader and workers and the admins.
func (s *Service) SeesFiler(ctx context.Context, r *ent.Request) (bool, error) {
	if !r.Anonymous {
		return true, nil
	}
	v := viewer.FromContext(ctx)
	if v.IsSystem() || requester(v, r) || v.GuardianOf(r.FilerID) || v.IsStreetAdmin() ||
		slices.Contains(v.GridsWhere(handlerRoles...), r.GridID) {
		return true, nil
	}
	if len(v.CommunitiesWhere(viewer.CommunityAdmin)) == 0 {
		return false, nil
	}
	sc, err := s.scopeOf(ctx, s.client, r)
	if err != nil {
		return false, err
	}
	return authz.Administers(v, sc.communityID), nil
}

// Overdue reports whether r's running stage is past its deadline now.
func (s *Service) Overdue(r *ent.Request) bool {
	return r.ClockDueAt != nil && s.now().After(*r.ClockDueAt)
}

// Get returns request id as the viewer of ctx sees it.
func (s *Service) Get(ctx context.Context, id int) (*ent.Request, error) {
	return s.client.Request.Query().Where(request.ID(id)).Only(ctx)
}
