package roster

import (
	"context"
	"strings"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/household"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/phone"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Member is a member of a household being registered.
type Member struct {
	Name      string
	Phone     *string
	BirthDate *time.Time
}

// maxMembers bounds a household registration.
const maxMembers = 20

// RegisterHousehold registers a household at a place with its members, in
// one transaction; the birth dates given count as verified by the admin. A member whose phone already signed in is that resident,
// verified into the household.
func (r *Roster) RegisterHousehold(ctx context.Context, placeID int, unit string, members []Member) (*ent.Household, error) {
	if _, err := anAdmin(ctx); err != nil {
		return nil, err
	}
	unit = strings.TrimSpace(unit)
	if len([]rune(unit)) > 100 {
		return nil, apperr.New(apperr.BadUserInput, "a unit has at most 100 characters")
	}
	if len(members) == 0 || len(members) > maxMembers {
		return nil, apperr.New(apperr.BadUserInput, "a household has 1 to %d members", maxMembers)
	}
	phones := map[string]bool{}
	for i := range members {
		m := &members[i]
		var err error
		if m.Name, err = cleanName(m.Name); err != nil {
			return nil, err
		}
		if err := r.checkBirthDate(m.BirthDate); err != nil {
			return nil, err
		}
		if m.Phone != nil {
			p, err := phone.Normalize(*m.Phone)
			if err != nil {
				return nil, apperr.New(apperr.BadUserInput, "member %d: %s", i+1, err)
			}
			if phones[p] {
				return nil, apperr.New(apperr.BadUserInput, "two members have the phone %s", p)
			}
			phones[p] = true
			m.Phone = &p
		}
	}
	var h *ent.Household
	err := store.WithTx(ctx, r.client, func(tx *ent.Tx) error {
		var err error
		h, err = tx.Household.Create().SetPlaceID(placeID).SetUnit(unit).Save(ctx)
		if err != nil {
			if ent.IsConstraintError(err) {
				return apperr.New(apperr.NotFound, "place not found")
			}
			return forbidden(err, "you can register households only in the communities you administer")
		}
		for _, m := range members {
			if err := r.addMember(ctx, tx, h.ID, m); err != nil {
				return err
			}
		}
		if err := r.audit(ctx, tx.Client(), "household.register", h.ID, "%d members at place %d", len(members), placeID); err != nil {
			return err
		}
		return idempotency.Record(ctx, tx, h.ID)
	})
	return h, err
}

// addMember puts m into household hh: the resident who signed in with m's
// phone if there is one (verifying them), else a new resident.
func (r *Roster) addMember(ctx context.Context, tx *ent.Tx, hh int, m Member) error {
	c := tx.Client()
	if m.Phone != nil {
		existing, err := r.residentWithPhone(ctx, c, *m.Phone)
		if err != nil {
			return err
		}
		if existing != 0 {
			return r.moveInto(ctx, tx, existing, hh)
		}
	}
	res, err := c.Resident.Create().SetName(m.Name).SetHouseholdID(hh).Save(ctx)
	if err != nil {
		return forbidden(err, "you can register residents only in the communities you administer")
	}
	info := c.PersonalInfo.Create().SetResidentID(res.ID).SetNillablePhone(m.Phone).SetNillableBirthDate(m.BirthDate)
	if m.BirthDate != nil {
		// The admin registering the household read it from the documents.
		info.SetBirthDateVerifiedAt(r.now()).SetBirthDateVerifiedByID(viewer.FromContext(ctx).ResidentID)
	}
	if err := info.Exec(ctx); err != nil {
		return forbidden(err, "you can register residents only in the communities you administer")
	}
	return nil
}

// residentWithPhone finds, as the system, the live resident who signs in
// with p (0 if none): an admin registering a household must find residents
// not yet in anyone's scope.
func (r *Roster) residentWithPhone(ctx context.Context, c *ent.Client, p string) (int, error) {
	id, err := c.Resident.Query().
		Where(resident.HasPersonalInfoWith(personalinfo.Phone(p)), resident.DeletedAtIsNil()).
		OnlyID(viewer.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return 0, nil
	}
	return id, err
}

// moveInto verifies resident id into household hh, in tx; the resident's
// open websockets reconnect to see as a member of it.
func (r *Roster) moveInto(ctx context.Context, tx *ent.Tx, id, hh int) error {
	if err := tx.Resident.UpdateOneID(id).SetHouseholdID(hh).Exec(ctx); err != nil {
		return forbidden(err, "you can verify residents only into households of the communities you administer, and only residents not registered elsewhere")
	}
	if err := realtime.ViewerChanged(ctx, r.outbox, tx, id); err != nil {
		return err
	}
	return r.audit(ctx, tx.Client(), "resident.verify", id, "into household %d", hh)
}

// VerifyResident verifies the resident who signed in with rawPhone into
// household hh.
func (r *Roster) VerifyResident(ctx context.Context, rawPhone string, hh int) (int, error) {
	v, err := anAdmin(ctx)
	if err != nil {
		return 0, err
	}
	p, err := phone.Normalize(rawPhone)
	if err != nil {
		return 0, apperr.New(apperr.BadUserInput, "%s", err)
	}
	// The household must be in the admin's scope before the phone is
	// looked up, or the answer would tell whether the phone is known.
	community, err := r.client.Household.Query().Where(household.ID(hh)).QueryPlace().QueryGrid().
		Select(grid.FieldCommunityID).Int(viewer.SystemContext(ctx))
	if err != nil || !authz.Administers(v, community) {
		return 0, apperr.New(apperr.Forbidden, "you can verify residents only into households of the communities you administer")
	}
	var id int
	err = store.WithTx(ctx, r.client, func(tx *ent.Tx) error {
		if id, err = r.residentWithPhone(ctx, tx.Client(), p); err != nil {
			return err
		}
		if id == 0 {
			return apperr.New(apperr.NotFound, "no resident signs in with %s", p)
		}
		return r.moveInto(ctx, tx, id, hh)
	})
	return id, err
}

// residentIDAlive matches the live resident with the given ID.
func residentIDAlive(id int) predicate.Resident {
	return resident.And(resident.ID(id), resident.DeletedAtIsNil())
}
