package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/signincode"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/phone"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// codeDigits is the length of a sign-in code.
const codeDigits = 6

// RequestCode sends a new sign-in code to phone and returns the phone in
// canonical form and when the code expires.
// Earlier codes for the phone stop working. The answer is the same whether
// or not Linli knows the phone.
func (s *Service) RequestCode(ctx context.Context, rawPhone string) (string, time.Time, error) {
	p, err := phone.Normalize(rawPhone)
	if err != nil {
		return "", time.Time{}, apperr.New(apperr.BadUserInput, "%s", err.Error())
	}
	if err := s.allow(ctx, "code:addr:"+ClientAddr(ctx), s.policy.CodesPerAddress, "code requests from this address"); err != nil {
		return "", time.Time{}, err
	}
	if err := s.allow(ctx, "code:phone-burst:"+p, s.policy.CodesPerPhoneBurst, "code requests for this phone"); err != nil {
		return "", time.Time{}, err
	}
	if err := s.allow(ctx, "code:phone:"+p, s.policy.CodesPerPhone, "code requests for this phone"); err != nil {
		return "", time.Time{}, err
	}
	code, err := newCode()
	if err != nil {
		return "", time.Time{}, err
	}
	sys := viewer.SystemContext(ctx)
	now := s.now()
	expires := now.Add(s.policy.CodeTTL)
	var created *ent.SignInCode
	err = store.WithTx(sys, s.client, func(tx *ent.Tx) error {
		if _, err := tx.SignInCode.Update().
			Where(signincode.Phone(p), signincode.ConsumedAtIsNil()).
			SetConsumedAt(now).Save(sys); err != nil {
			return err
		}
		created, err = tx.SignInCode.Create().SetPhone(p).SetCodeHash(s.hashCode(p, code)).
			SetCreatedAt(now).SetExpiresAt(expires).Save(sys)
		return err
	})
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.sender.SendCode(s.phoneLocale(ctx, p), p, code, expires); err != nil {
		// A code nobody received must not stay usable.
		s.client.SignInCode.UpdateOneID(created.ID).SetConsumedAt(now).Exec(sys)
		slog.ErrorContext(ctx, "sending a sign-in code failed", "err", err)
		return "", time.Time{}, apperr.New(apperr.Internal, "the sign-in code could not be sent; try again in a minute")
	}
	return p, expires, nil
}

// newCode returns a uniformly random code of codeDigits digits.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", codeDigits, n.Int64()), nil
}

// errWrongCode is the one answer for a missing, expired, used or wrong code,
// so that an attacker learns nothing about which.
var errWrongCode = apperr.New(apperr.Unauthenticated, "the code is wrong or has expired; request a new one")

// checkCode consumes the phone's current code if code matches it. A wrong
// code counts against the current code, which locks after MaxCodeAttempts.
// Both the count and the consumption are conditional updates, so concurrent
// tries can neither exceed the limit nor use a code twice.
func (s *Service) checkCode(ctx context.Context, p, code string) error {
	if len(code) != codeDigits {
		return apperr.New(apperr.BadUserInput, "a sign-in code has %d digits", codeDigits)
	}
	sys := viewer.SystemContext(ctx)
	now := s.now()
	current, err := s.client.SignInCode.Query().
		Where(signincode.Phone(p), signincode.ConsumedAtIsNil(), signincode.ExpiresAtGT(now)).
		Order(ent.Desc(signincode.FieldCreatedAt)).First(sys)
	if ent.IsNotFound(err) {
		return errWrongCode
	}
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(current.CodeHash), []byte(s.hashCode(p, code))) {
		n, err := s.client.SignInCode.Update().
			Where(signincode.ID(current.ID), signincode.ConsumedAtIsNil(), signincode.AttemptsLT(s.policy.MaxCodeAttempts)).
			AddAttempts(1).Save(sys)
		if err != nil {
			return err
		}
		if n == 1 && current.Attempts+1 >= s.policy.MaxCodeAttempts {
			s.client.SignInCode.Update().Where(signincode.ID(current.ID), signincode.ConsumedAtIsNil()).
				SetConsumedAt(now).Exec(sys)
			return apperr.New(apperr.Unauthenticated, "too many wrong codes; request a new one")
		}
		return errWrongCode
	}
	n, err := s.client.SignInCode.Update().
		Where(signincode.ID(current.ID), signincode.ConsumedAtIsNil(), signincode.AttemptsLT(s.policy.MaxCodeAttempts)).
		SetConsumedAt(now).Save(sys)
	if err != nil {
		return err
	}
	if n != 1 {
		return errWrongCode // used or locked by a concurrent try
	}
	return nil
}

// phoneLocale returns ctx in the language of the resident who signs in
// with phone p, when Linli knows one (else ctx's own: the request's
// Accept-Language).
func (s *Service) phoneLocale(ctx context.Context, p string) context.Context {
	r, err := s.client.PersonalInfo.Query().Where(personalinfo.Phone(p)).
		QueryResident().Where(resident.DeletedAtIsNil()).Only(viewer.SystemContext(ctx))
	if err != nil {
		return ctx
	}
	if tag, ok := i18n.Parse(r.Locale); ok {
		return i18n.WithLocale(ctx, tag)
	}
	return ctx
}
