package auth

import (
	"context"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/viewer"
)

// ErrUnauthenticated answers a bearer token that does not identify a
// signed-in resident: malformed, forged, expired, signed out, or of a
// deleted account. It never says which.
var ErrUnauthenticated = apperr.New(apperr.Unauthenticated, "the access token is invalid or has expired; refresh the session or sign in again")

// Viewer turns an access token into the viewer of a request. It reads the
// resident, their household, roles and guardianships from the database on
// every call, in one statement (loadViewer), so a revoked role or a sign-out
// takes effect at once, not when the token expires.
func (s *Service) Viewer(ctx context.Context, accessToken string) (*viewer.Viewer, error) {
	access, err := s.tokens.Verify(accessToken)
	if err != nil {
		return nil, ErrUnauthenticated
	}
	v, err := loadViewer(ctx, s.client, access.ResidentID, access.SessionID)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, ErrUnauthenticated
	}
	return v, nil
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
