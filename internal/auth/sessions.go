package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/session"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/phone"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Session is what signing in or refreshing gives the app.
type Session struct {
	// AccessToken is the short-lived bearer token for API calls.
	AccessToken string
	// RefreshToken is the opaque token that gets the next pair; it works once.
	RefreshToken string
	// ExpiresAt is when AccessToken expires.
	ExpiresAt time.Time
	// ResidentID is who signed in.
	ResidentID int
}

// SignIn checks a code sent to rawPhone and, if it matches, opens a session.
// A phone Linli does not know becomes a new, unverified resident. The
// resident accepts the privacy notice of version acceptedNotice, which must
// be the current one.
func (s *Service) SignIn(ctx context.Context, rawPhone, code, acceptedNotice string) (*Session, error) {
	p, err := phone.Normalize(rawPhone)
	if err != nil {
		return nil, apperr.New(apperr.BadUserInput, "%s", err.Error())
	}
	if err := s.allow(ctx, "signin:addr:"+ClientAddr(ctx), s.policy.SignInsPerAddress, "sign-in attempts from this address"); err != nil {
		return nil, err
	}
	if err := s.allow(ctx, "signin:phone:"+p, s.policy.SignInsPerPhone, "sign-in attempts for this phone"); err != nil {
		return nil, err
	}
	if acceptedNotice != s.policy.PrivacyNoticeVersion {
		return nil, apperr.New(apperr.BadUserInput, "accept the current privacy notice (version %s) to sign in", s.policy.PrivacyNoticeVersion)
	}
	if err := s.checkCode(ctx, p, code); err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	now := s.now()
	var sess *Session
	err = store.WithTx(sys, s.client, func(tx *ent.Tx) error {
		rid, err := residentByPhone(sys, tx.Client(), p)
		if err != nil {
			return err
		}
		if err := tx.Consent.Create().SetResidentID(rid).SetNoticeVersion(acceptedNotice).SetAcceptedAt(now).Exec(sys); err != nil {
			return err
		}
		family, err := randomToken(16)
		if err != nil {
			return err
		}
		sess, err = s.openSession(sys, tx.Client(), rid, family)
		return err
	})
	return sess, err
}

// residentByPhone returns the resident who signs in with phone p, creating
// an unverified one (no household) when there is none.
func residentByPhone(ctx context.Context, c *ent.Client, p string) (int, error) {
	info, err := c.PersonalInfo.Query().Where(personalinfo.Phone(p)).Only(ctx)
	if err == nil {
		return info.ResidentID, nil
	}
	if !ent.IsNotFound(err) {
		return 0, err
	}
	r, err := c.Resident.Create().SetName("居民" + p[len(p)-4:]).Save(ctx)
	if err != nil {
		return 0, err
	}
	if err := c.PersonalInfo.Create().SetResidentID(r.ID).SetPhone(p).Exec(ctx); err != nil {
		return 0, err
	}
	return r.ID, nil
}

// openSession issues a refresh token in family and an access token for it.
func (s *Service) openSession(ctx context.Context, c *ent.Client, residentID int, family string) (*Session, error) {
	refresh, err := randomToken(32)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := c.Session.Create().SetFamilyID(family).SetTokenHash(hashRefresh(refresh)).
		SetResidentID(residentID).SetCreatedAt(now).SetExpiresAt(now.Add(s.policy.RefreshTTL)).Exec(ctx); err != nil {
		return nil, err
	}
	access, expires, err := s.tokens.Issue(residentID, family)
	if err != nil {
		return nil, err
	}
	return &Session{AccessToken: access, RefreshToken: refresh, ExpiresAt: expires, ResidentID: residentID}, nil
}

// errSessionEnded answers every refresh token that does not work.
var errSessionEnded = apperr.New(apperr.Unauthenticated, "the session has ended; sign in again")

// Refresh exchanges a refresh token for a new pair. Each token works once:
// presenting one that was already exchanged means it leaked, so the whole
// family is revoked (RFC 9700 §4.14.2) and the caller must sign in again.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*Session, error) {
	if len(refreshToken) == 0 || len(refreshToken) > 256 {
		return nil, errSessionEnded
	}
	sys := viewer.SystemContext(ctx)
	now := s.now()
	old, err := s.client.Session.Query().Where(session.TokenHash(hashRefresh(refreshToken))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, errSessionEnded
	}
	if err != nil {
		return nil, err
	}
	if old.RevokedAt != nil || !now.Before(old.ExpiresAt) {
		return nil, errSessionEnded
	}
	if old.RotatedAt != nil {
		return nil, s.revokeReused(sys, old.FamilyID)
	}
	var sess *Session
	err = store.WithTx(sys, s.client, func(tx *ent.Tx) error {
		n, err := tx.Session.Update().
			Where(session.ID(old.ID), session.RotatedAtIsNil(), session.RevokedAtIsNil()).
			SetRotatedAt(now).Save(sys)
		if err != nil {
			return err
		}
		if n != 1 {
			return errReused
		}
		deleted, err := tx.Resident.Query().Where(resident.ID(old.ResidentID), resident.DeletedAtNotNil()).Exist(sys)
		if err != nil {
			return err
		}
		if deleted {
			return errSessionEnded
		}
		sess, err = s.openSession(sys, tx.Client(), old.ResidentID, old.FamilyID)
		return err
	})
	if errors.Is(err, errReused) {
		return nil, s.revokeReused(sys, old.FamilyID)
	}
	return sess, err
}

// errReused marks a refresh token exchanged concurrently by someone else.
var errReused = errors.New("auth: refresh token reused")

// revokeReused revokes a family whose rotated token was presented again.
func (s *Service) revokeReused(ctx context.Context, family string) error {
	if err := s.revokeFamilies(ctx, session.FamilyID(family)); err != nil {
		return err
	}
	return apperr.New(apperr.Unauthenticated, "this refresh token was already used; every session it belongs to is signed out")
}

// SignOut revokes the session family of the viewer's access token: its
// refresh token and every access token issued under it stop working.
func (s *Service) SignOut(ctx context.Context) error {
	v, err := viewer.Required(ctx)
	if err != nil {
		return err
	}
	return s.revokeFamilies(viewer.SystemContext(ctx), session.FamilyID(v.SessionID), session.ResidentID(v.ResidentID))
}

// SignOutEverywhere revokes every session of the viewer.
func (s *Service) SignOutEverywhere(ctx context.Context) error {
	v, err := viewer.Required(ctx)
	if err != nil {
		return err
	}
	return s.revokeFamilies(viewer.SystemContext(ctx), session.ResidentID(v.ResidentID))
}

// revokeFamilies ends the live sessions that match preds (EndSessions).
func (s *Service) revokeFamilies(ctx context.Context, preds ...predicate.Session) error {
	return store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		return EndSessions(ctx, tx, s.outbox, s.now(), preds...)
	})
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
