package appeal

import (
	"context"
	"slices"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Contact is how to reach the resident a request is for.
type Contact struct {
	// Name is empty where the filer chose anonymity and the viewer may not
	// see the filer.
	Name  string
	Phone *string
}

// ContactOf returns how the viewer of ctx may reach the resident r is
// for, or nil. The requester's side, the grid's leader and workers and the
// admins may; a department's staff may only while the request is with
// their department and they have reported: the personal data the work
// needs, for as long as it needs it. Safety informants and red stewards
// see no contact details, as they see no residents' personal details.
func (s *Service) ContactOf(ctx context.Context, r *ent.Request) (*Contact, error) {
	v := viewer.FromContext(ctx)
	if !v.SignedIn() {
		return nil, nil
	}
	allowed := requester(v, r) || v.IsStreetAdmin() || slices.Contains(v.GridsWhere(handlerRoles...), r.GridID) ||
		(inDepartment(v, r) && r.Status == request.StatusWITH_DEPARTMENT && r.DepartmentAcknowledgedAt != nil)
	if !allowed && len(v.CommunitiesWhere(viewer.CommunityAdmin)) > 0 {
		sc, err := s.scopeOf(ctx, s.client, r)
		if err != nil {
			return nil, err
		}
		allowed = authz.Administers(v, sc.communityID)
	}
	if !allowed {
		return nil, nil
	}
	sys := viewer.SystemContext(ctx)
	subject, err := s.client.Resident.Query().Where(resident.ID(r.SubjectID)).WithPersonalInfo().Only(sys)
	if err != nil {
		return nil, err
	}
	c := &Contact{}
	if info := subject.Edges.PersonalInfo; info != nil {
		c.Phone = info.Phone
	}
	if sees, err := s.SeesFiler(ctx, r); err != nil {
		return nil, err
	} else if sees || r.SubjectID != r.FilerID {
		c.Name = subject.Name
	}
	return c, nil
}
