package roster

import (
	"context"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// ProfileChange is what a resident may change about themselves: not their
// roles, household or phone.
type ProfileChange struct {
	Name      *string
	BirthDate *time.Time
}

// UpdateProfile changes the signed-in resident's own name and birth date.
// A changed birth date is unverified: it counts for no money (canteen age
// tiers, elderly care) until staff verify it again (VerifyBirthDate).
func (r *Roster) UpdateProfile(ctx context.Context, change ProfileChange) (int, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return 0, err
	}
	if err := r.checkBirthDate(change.BirthDate); err != nil {
		return 0, err
	}
	var name string
	if change.Name != nil {
		if name, err = cleanName(*change.Name); err != nil {
			return 0, err
		}
	}
	err = store.WithTx(ctx, r.client, func(tx *ent.Tx) error {
		if change.Name != nil {
			if err := tx.Resident.UpdateOneID(v.ResidentID).SetName(name).Exec(ctx); err != nil {
				return forbidden(err, "you can change only your own profile")
			}
		}
		if change.BirthDate != nil {
			info, err := tx.PersonalInfo.Query().Where(personalinfo.ResidentID(v.ResidentID)).Only(ctx)
			if err != nil {
				return err
			}
			if info.BirthDate != nil && info.BirthDate.Equal(*change.BirthDate) {
				return nil // unchanged: a verified date stays verified
			}
			// A date the resident declares is unverified until staff verify it.
			err = tx.PersonalInfo.UpdateOneID(info.ID).SetBirthDate(*change.BirthDate).
				ClearBirthDateVerifiedAt().ClearBirthDateVerifiedByID().Exec(ctx)
			if err != nil {
				return forbidden(err, "you can change only your own profile")
			}
		}
		return nil
	})
	return v.ResidentID, err
}

// VerifyBirthDate sets resident residentID's birth date as staff read it
// from a document and marks it verified by the signed-in admin, in one
// write. The admins of the resident's community and street admins verify
// (authz, the same rule as recording subsidy qualifications); nobody
// verifies their own.
func (r *Roster) VerifyBirthDate(ctx context.Context, residentID int, birthDate time.Time) (int, error) {
	v, err := anAdmin(ctx)
	if err != nil {
		return 0, err
	}
	if residentID == v.ResidentID {
		return 0, apperr.OnField(apperr.Forbidden, "residentId", "you cannot verify your own birth date; ask another admin")
	}
	if err := r.checkBirthDate(&birthDate); err != nil {
		return 0, apperr.OnField(apperr.BadUserInput, "birthDate", "%s", apperr.MessageOf(err))
	}
	err = store.WithTx(ctx, r.client, func(tx *ent.Tx) error {
		// As the admin: personal details outside their scope are not found.
		id, err := tx.PersonalInfo.Query().
			Where(personalinfo.ResidentID(residentID), personalinfo.HasResidentWith(residentIDAlive(residentID))).
			OnlyID(ctx)
		if ent.IsNotFound(err) {
			return apperr.OnField(apperr.NotFound, "residentId", "resident not found")
		}
		if err != nil {
			return err
		}
		err = tx.PersonalInfo.UpdateOneID(id).SetBirthDate(birthDate).
			SetBirthDateVerifiedAt(r.now()).SetBirthDateVerifiedByID(v.ResidentID).Exec(ctx)
		if err != nil {
			return forbidden(err, "you can verify birth dates only of the residents of the communities you administer")
		}
		return r.audit(ctx, tx.Client(), "birth_date.verify", residentID, "%s", birthDate.UTC().Format(time.DateOnly))
	})
	return residentID, err
}
