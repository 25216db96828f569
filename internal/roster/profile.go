package roster

import (
	"context"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/personalinfo"
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
			id, err := tx.PersonalInfo.Query().Where(personalinfo.ResidentID(v.ResidentID)).OnlyID(ctx)
			if err != nil {
				return err
			}
			if err := tx.PersonalInfo.UpdateOneID(id).SetBirthDate(*change.BirthDate).Exec(ctx); err != nil {
				return forbidden(err, "you can change only your own profile")
			}
		}
		return nil
	})
	return v.ResidentID, err
}
