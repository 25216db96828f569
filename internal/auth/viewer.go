package auth

import (
	"context"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/session"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/viewer"
)

// ErrUnauthenticated answers a bearer token that does not identify a
// signed-in resident: malformed, forged, expired, signed out, or of a
// deleted account. It never says which.
var ErrUnauthenticated = apperr.New(apperr.Unauthenticated, "the access token is invalid or has expired; refresh the session or sign in again")

// Viewer turns an access token into the viewer of a request. It reads the
// resident, their household and roles from the database on every call, so a
// revoked role or a sign-out takes effect at once, not when the token
// expires.
func (s *Service) Viewer(ctx context.Context, accessToken string) (*viewer.Viewer, error) {
	access, err := s.tokens.Verify(accessToken)
	if err != nil {
		return nil, ErrUnauthenticated
	}
	sys := viewer.SystemContext(ctx)
	live, err := s.client.Session.Query().
		Where(session.FamilyID(access.SessionID), session.ResidentID(access.ResidentID), session.RevokedAtIsNil()).
		Exist(sys)
	if err != nil {
		return nil, err
	}
	if !live {
		return nil, ErrUnauthenticated
	}
	r, err := s.client.Resident.Query().
		Where(resident.ID(access.ResidentID), resident.DeletedAtIsNil()).
		WithRoles().
		WithDependents(func(q *ent.GuardianshipQuery) {
			q.Where(guardianship.StatusEQ(guardianship.StatusACTIVE))
		}).
		WithGuardians(func(q *ent.GuardianshipQuery) {
			q.Where(guardianship.StatusEQ(guardianship.StatusACTIVE))
		}).
		WithHousehold(func(q *ent.HouseholdQuery) {
			q.WithPlace(func(q *ent.PlaceQuery) { q.WithGrid() })
		}).
		Only(sys)
	if ent.IsNotFound(err) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	return ViewerOf(r, access.SessionID), nil
}

// ViewerOf builds the viewer of resident r (loaded with its roles and its
// household's place and grid, and its active dependents and guardians) under session sessionID.
func ViewerOf(r *ent.Resident, sessionID string) *viewer.Viewer {
	v := &viewer.Viewer{ResidentID: r.ID, SessionID: sessionID}
	if h := r.Edges.Household; h != nil {
		v.HouseholdID = h.ID
		if p := h.Edges.Place; p != nil && p.Edges.Grid != nil {
			v.GridID = p.Edges.Grid.ID
			v.CommunityID = p.Edges.Grid.CommunityID
		}
	}
	for _, g := range r.Edges.Dependents {
		if g.Status == guardianship.StatusACTIVE {
			v.DependentIDs = append(v.DependentIDs, g.DependentID)
		}
	}
	for _, g := range r.Edges.Guardians {
		if g.Status == guardianship.StatusACTIVE {
			v.GuardianIDs = append(v.GuardianIDs, g.GuardianID)
		}
	}
	for _, ra := range r.Edges.Roles {
		role := viewer.Role{Role: string(ra.Role)}
		if ra.GridID != nil {
			role.GridID = *ra.GridID
		}
		if ra.CommunityID != nil {
			role.CommunityID = *ra.CommunityID
		}
		if ra.StreetID != nil {
			role.StreetID = *ra.StreetID
		}
		if ra.DepartmentID != nil {
			role.DepartmentID = *ra.DepartmentID
		}
		v.Roles = append(v.Roles, role)
	}
	return v
}

// TokenFor returns a fresh access token for the resident who signs in with
// phone p, under a new session, for operators and load tests
// (`linli token --phone P`).
func (s *Service) TokenFor(ctx context.Context, p string) (string, error) {
	sys := viewer.SystemContext(ctx)
	rid, err := s.client.PersonalInfo.Query().Where(personalinfo.Phone(p)).
		QueryResident().Where(resident.DeletedAtIsNil()).OnlyID(sys)
	if ent.IsNotFound(err) {
		return "", apperr.New(apperr.NotFound, "no resident signs in with %s", p)
	}
	if err != nil {
		return "", err
	}
	family, err := randomToken(16)
	if err != nil {
		return "", err
	}
	sess, err := s.openSession(sys, s.client, rid, family)
	if err != nil {
		return "", err
	}
	return sess.AccessToken, nil
}

// AuthenticateToken is Viewer for streams: it returns ctx carrying the
// viewer of accessToken and when the token expires, so that a websocket
// can close when it does.
func (s *Service) AuthenticateToken(ctx context.Context, accessToken string) (context.Context, time.Time, error) {
	access, err := s.tokens.Verify(accessToken)
	if err != nil {
		return nil, time.Time{}, ErrUnauthenticated
	}
	v, err := s.Viewer(ctx, accessToken)
	if err != nil {
		return nil, time.Time{}, err
	}
	return viewer.NewContext(ctx, v), access.ExpiresAt, nil
}
