package care

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/ent/careevent"
	"github.com/jimei-linli/linli/ent/carefacility"
	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/ent/careslot"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/guardianship"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Booking is a request for a place in a slot.
type Booking struct {
	SlotID int
	// ResidentID is who is cared for: the viewer (0) or a dependent.
	ResidentID int
	// Waitlist says to join the waitlist when the slot is full; without
	// it a full slot is a CONFLICT.
	Waitlist bool
	// AcceptNoCancellation says the booker accepts that a place taken
	// after the slot's cancellation cut-off cannot be cancelled; without
	// it such a place is refused (lateBooking).
	AcceptNoCancellation bool
}

// person is what eligibility needs to know of the person cared for.
type person struct {
	name string
	age  int // -1 when the birth date is unknown
	// verified says staff verified the birth date: only then does it open
	// an elderly service (money: its subsidy); a child's service and the
	// protection of minors go by the declared date.
	verified bool
	placeID  int
}

// Book books a place for the viewer or their dependent: CONFIRMED while
// the slot has room, WAITLISTED (by arrival) when it is full and the
// booker asked for the waitlist.
func (s *Service) Book(ctx context.Context, in Booking) (*ent.CareBooking, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if in.ResidentID == 0 {
		in.ResidentID = v.ResidentID
	}
	if !v.ActsFor(in.ResidentID) {
		return nil, apperr.New(apperr.Forbidden, "you book care for yourself or for a dependent you are the active guardian of")
	}
	sys := viewer.SystemContext(ctx)
	slot, err := s.client.CareSlot.Query().Where(careslot.ID(in.SlotID)).
		WithService(func(q *ent.CareServiceQuery) { q.WithFacility() }).Only(ctx)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "slot not found")
	}
	svc := slot.Edges.Service
	fac := svc.Edges.Facility
	now := s.clock()
	if !slot.StartsAt.After(now) {
		return nil, apperr.New(apperr.Conflict, "the slot began at %s; book a later one", slot.StartsAt.In(localtime.Zone).Format("2006-01-02 15:04"))
	}
	if slices.Contains(fac.ClosedDays, day(slot.StartsAt)) {
		return nil, apperr.New(apperr.Conflict, "%s is closed on %s", fac.Name, day(slot.StartsAt))
	}
	p, err := s.person(sys, s.client, in.ResidentID, slot.StartsAt)
	if err != nil {
		return nil, err
	}
	if err := eligible(svc, p); err != nil {
		return nil, err
	}
	if svc.Kind == careservice.KindHOME_VISIT && p.placeID == 0 {
		return nil, apperr.New(apperr.BadUserInput, "a home visit goes to a registered household: %s has none", p.name)
	}
	var b *ent.CareBooking
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		slot, err := lockSlot(ctx, tx, in.SlotID)
		if err != nil {
			return err
		}
		dup, err := tx.CareBooking.Query().Where(carebooking.SlotID(slot.ID), carebooking.ResidentID(in.ResidentID),
			carebooking.StatusIn(live...)).Only(sys)
		if err == nil {
			return apperr.New(apperr.Conflict, "%s already has a %s booking in this slot", p.name, dup.Status)
		}
		if !ent.IsNotFound(err) {
			return err
		}
		create := tx.CareBooking.Create().SetSlotID(slot.ID).SetResidentID(in.ResidentID).
			SetBookedByID(v.ResidentID).SetCommunityID(fac.CommunityID).
			SetPriceFen(svc.PriceFen).SetSubsidyFen(svc.SubsidyFen).SetCreatedAt(now).SetUpdatedAt(now)
		kind, msg := careevent.KindCONFIRMED, i18n.CareBooked
		params := i18n.Params("service", svc.Name, "name", p.name, "day", day(slot.StartsAt), "time", hhmm(slot.StartsAt))
		switch {
		case slot.Taken < slot.Capacity:
			if err := s.lateBooking(slot, now, in.AcceptNoCancellation); err != nil {
				return err
			}
			if svc.Kind == careservice.KindHOME_VISIT {
				cg, err := s.freeCaregiver(ctx, tx, fac, slot)
				if err != nil {
					return err
				}
				create.SetCaregiverID(cg).SetVisitPlaceID(p.placeID)
			}
			if err := tx.CareSlot.UpdateOneID(slot.ID).AddTaken(1).Exec(sys); err != nil {
				return err
			}
			create.SetStatus(carebooking.StatusCONFIRMED)
		case in.Waitlist:
			if err := tx.CareSlot.UpdateOneID(slot.ID).AddWaitlistSeq(1).Exec(sys); err != nil {
				return err
			}
			create.SetStatus(carebooking.StatusWAITLISTED).SetWaitlistPosition(slot.WaitlistSeq + 1)
			kind = careevent.KindWAITLISTED
			msg = i18n.CareWaitlisted
			params = append(params, i18n.Param{Key: "position", Value: strconv.Itoa(slot.WaitlistSeq + 1)})
		default:
			return apperr.New(apperr.Conflict, "the slot is full (%d of %d places taken): book with waitlist to join its waitlist", slot.Taken, slot.Capacity)
		}
		if b, err = create.Save(sys); err != nil {
			return err
		}
		if _, err = s.record(ctx, tx, logged{booking: b, kind: kind, minor: p.age >= 0 && p.age < 18, msg: msg, params: params}); err != nil {
			return err
		}
		return idempotency.Record(ctx, tx, b.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.reload(ctx, b.ID)
}

// lateBooking refuses a place in slot taken at now, after the slot's
// cancellation cut-off, unless the booker accepts that it cannot be
// cancelled: the app asks them, then sends acceptNoCancellation.
func (s *Service) lateBooking(slot *ent.CareSlot, now time.Time, accepted bool) error {
	deadline := slot.StartsAt.Add(-s.opts.CancelCutoff)
	if accepted || now.Before(deadline) {
		return nil
	}
	return apperr.OnField(apperr.Conflict, "acceptNoCancellation",
		"this slot starts in %s (at %s); bookings can no longer be cancelled %s before the slot, so cancelling it closed at %s. "+
			"Send acceptNoCancellation: true to take a place you cannot cancel",
		localtime.InWords(slot.StartsAt.Sub(now)), localtime.Clock(slot.StartsAt), localtime.InWords(s.opts.CancelCutoff), localtime.Clock(deadline))
}

// person reads through c (the client, or inside a transaction the
// transaction's: on SQLite a read beside an open write transaction would
// wait for it) what booking needs to know of resident id, on the day of at.
func (s *Service) person(sys context.Context, c *ent.Client, id int, at time.Time) (person, error) {
	r, err := c.Resident.Query().Where(resident.ID(id)).
		WithPersonalInfo().WithHousehold().Only(sys)
	if err != nil {
		return person{}, apperr.New(apperr.NotFound, "resident not found")
	}
	p := person{name: r.Name, age: -1}
	if pi := r.Edges.PersonalInfo; pi != nil && pi.BirthDate != nil {
		p.age = guardianship.AgeOn(*pi.BirthDate, at)
		p.verified = pi.BirthDateVerifiedAt != nil
	}
	if h := r.Edges.Household; h != nil {
		p.placeID = h.PlaceID
	}
	return p, nil
}

// eligible checks the service's audience and age range: an elderly
// service's by a verified birth date only.
func eligible(svc *ent.CareService, p person) error {
	if svc.MinAge == nil && svc.MaxAge == nil {
		return nil
	}
	if p.age < 0 {
		return apperr.New(apperr.BadUserInput, "%s is for ages %s: record %s's birth date first", svc.Name, ageRange(svc), p.name)
	}
	if svc.Audience == careservice.AudienceELDERLY && !p.verified {
		return apperr.New(apperr.BadUserInput, "%s is for ages %s: %s's birth date must be verified by community staff first", svc.Name, ageRange(svc), p.name)
	}
	if (svc.MinAge != nil && p.age < *svc.MinAge) || (svc.MaxAge != nil && p.age > *svc.MaxAge) {
		return apperr.New(apperr.BadUserInput, "%s is for ages %s; %s is %d", svc.Name, ageRange(svc), p.name, p.age)
	}
	return nil
}

// ageRange says a service's age range.
func ageRange(svc *ent.CareService) string {
	switch {
	case svc.MinAge != nil && svc.MaxAge != nil:
		return fmt.Sprintf("%d to %d", *svc.MinAge, *svc.MaxAge)
	case svc.MinAge != nil:
		return fmt.Sprintf("%d and over", *svc.MinAge)
	default:
		return fmt.Sprintf("up to %d", *svc.MaxAge)
	}
}

// freeCaregiver picks the caregiver of the community who is free during
// slot: not on duty in a facility slot and not on another home visit at
// that time (the lowest ID, so the choice is reproducible). It first locks
// the facility's row (after the slot's, the one order every path takes),
// so that home visits of different slots at the same time never pick the
// same caregiver concurrently.
func (s *Service) freeCaregiver(ctx context.Context, tx *ent.Tx, facility *ent.CareFacility, slot *ent.CareSlot) (int, error) {
	sys := viewer.SystemContext(ctx)
	community := facility.CommunityID
	if err := tx.CareFacility.Update().Where(carefacility.ID(facility.ID)).SetName(facility.Name).Exec(sys); err != nil {
		return 0, err
	}
	all, err := tx.RoleAssignment.Query().Where(roleassignment.RoleEQ(roleassignment.RoleCAREGIVER),
		roleassignment.CommunityID(community)).Select(roleassignment.FieldResidentID).Ints(sys)
	if err != nil {
		return 0, err
	}
	overlaps := careslot.And(careslot.StartsAtLT(slot.EndsAt), careslot.EndsAtGT(slot.StartsAt))
	visiting, err := tx.CareBooking.Query().Where(carebooking.CaregiverIDIn(all...), carebooking.StatusIn(holding...),
		carebooking.HasSlotWith(overlaps)).Select(carebooking.FieldCaregiverID).Ints(sys)
	if err != nil {
		return 0, err
	}
	busy, err := tx.CareSlot.Query().Where(overlaps, careslot.IDNEQ(slot.ID)).All(sys)
	if err != nil {
		return 0, err
	}
	var onDuty []int
	for _, sl := range busy {
		onDuty = append(onDuty, sl.CaregiverIds...)
	}
	slices.Sort(all)
	for _, id := range all {
		if !slices.Contains(visiting, id) && !slices.Contains(onDuty, id) {
			return id, nil
		}
	}
	return 0, apperr.New(apperr.Conflict, "no caregiver is free at %s %s for a home visit; choose another time", day(slot.StartsAt), hhmm(slot.StartsAt))
}

// Cancel cancels a booking, by the person or their guardian: a place
// (confirmed or offered) until CancelCutoff before the slot, a waitlist
// place any time. A freed place is offered to the first on the waitlist.
func (s *Service) Cancel(ctx context.Context, id int) (*ent.CareBooking, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.client.CareBooking.Query().Where(carebooking.ID(id)).WithSlot().Only(ctx)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "booking not found")
	}
	if !v.ActsFor(b.ResidentID) {
		return nil, apperr.New(apperr.Forbidden, "only the person or their guardian cancels a booking")
	}
	now := s.clock()
	switch b.Status {
	case carebooking.StatusCONFIRMED, carebooking.StatusOFFERED:
		if deadline := b.Edges.Slot.StartsAt.Add(-s.opts.CancelCutoff); now.After(deadline) {
			return nil, apperr.New(apperr.Conflict, "too late to cancel: cancellation closed at %s, %s before the slot", deadline.In(localtime.Zone).Format("2006-01-02 15:04"), apperr.Duration(s.opts.CancelCutoff))
		}
	case carebooking.StatusWAITLISTED:
	default:
		return nil, apperr.New(apperr.Conflict, "a %s booking cannot be cancelled", b.Status)
	}
	sys := viewer.SystemContext(ctx)
	minor, _ := s.minor(sys, s.client, b.ResidentID)
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		slot, err := lockSlot(ctx, tx, b.SlotID)
		if err != nil {
			return err
		}
		n, err := tx.CareBooking.Update().Where(carebooking.ID(id), carebooking.StatusEQ(b.Status)).
			SetStatus(carebooking.StatusCANCELLED).SetCancelledAt(now).SetUpdatedAt(now).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "the booking changed meanwhile; reload it")
		}
		held := b.Status != carebooking.StatusWAITLISTED
		if b, err = tx.CareBooking.Get(sys, id); err != nil {
			return err
		}
		if _, err := s.record(ctx, tx, logged{booking: b, kind: careevent.KindCANCELLED, minor: minor, msg: i18n.CareCancelled}); err != nil {
			return err
		}
		if held {
			if err := s.release(ctx, tx, slot); err != nil {
				return err
			}
		}
		return idempotency.Record(ctx, tx, b.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.reload(ctx, b.ID)
}

// release gives a place of slot back and offers it to the first on the
// waitlist, in tx (which holds the slot's lock).
func (s *Service) release(ctx context.Context, tx *ent.Tx, slot *ent.CareSlot) error {
	sys := viewer.SystemContext(ctx)
	if err := tx.CareSlot.UpdateOneID(slot.ID).AddTaken(-1).Exec(sys); err != nil {
		return err
	}
	now := s.clock()
	if !slot.StartsAt.After(now) {
		return nil
	}
	next, err := tx.CareBooking.Query().Where(carebooking.SlotID(slot.ID), carebooking.StatusEQ(carebooking.StatusWAITLISTED)).
		Order(ent.Asc(carebooking.FieldWaitlistPosition)).First(sys)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	expires := now.Add(s.opts.OfferTTL)
	next, err = tx.CareBooking.UpdateOne(next).SetStatus(carebooking.StatusOFFERED).
		SetOfferExpiresAt(expires).SetUpdatedAt(now).Save(sys)
	if err != nil {
		return err
	}
	if err := tx.CareSlot.UpdateOneID(slot.ID).AddTaken(1).Exec(sys); err != nil {
		return err
	}
	minor, _ := s.minor(sys, tx.Client(), next.ResidentID)
	_, err = s.record(ctx, tx, logged{booking: next, kind: careevent.KindOFFERED, minor: minor,
		msg: i18n.CareOffered, params: i18n.Params("day", day(slot.StartsAt), "time", hhmm(slot.StartsAt),
			"expires", expires.In(localtime.Zone).Format("01-02 15:04"))})
	return err
}

// ConfirmOffer takes an offered place, by the person or their guardian,
// before the offer expires; after the slot's cancellation cut-off only
// when acceptNoCancellation says they accept that it cannot be cancelled.
func (s *Service) ConfirmOffer(ctx context.Context, id int, acceptNoCancellation bool) (*ent.CareBooking, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.client.CareBooking.Query().Where(carebooking.ID(id)).
		WithSlot(func(q *ent.CareSlotQuery) { q.WithService(func(q *ent.CareServiceQuery) { q.WithFacility() }) }).Only(ctx)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "booking not found")
	}
	if !v.ActsFor(b.ResidentID) {
		return nil, apperr.New(apperr.Forbidden, "only the person or their guardian confirms an offered place")
	}
	sys := viewer.SystemContext(ctx)
	now := s.clock()
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		slot, err := lockSlot(ctx, tx, b.SlotID)
		if err != nil {
			return err
		}
		cur, err := tx.CareBooking.Get(sys, id)
		if err != nil {
			return err
		}
		switch {
		case cur.Status != carebooking.StatusOFFERED:
			return apperr.New(apperr.Conflict, "no place is offered to this booking (it is %s)", cur.Status)
		case !cur.OfferExpiresAt.After(now):
			return apperr.New(apperr.Conflict, "the offer expired at %s", cur.OfferExpiresAt.In(localtime.Zone).Format("2006-01-02 15:04"))
		}
		if err := s.lateBooking(slot, now, acceptNoCancellation); err != nil {
			return err
		}
		up := tx.CareBooking.UpdateOne(cur).SetStatus(carebooking.StatusCONFIRMED).
			ClearOfferExpiresAt().ClearWaitlistPosition().SetUpdatedAt(now)
		if svc := b.Edges.Slot.Edges.Service; svc.Kind == careservice.KindHOME_VISIT {
			p, err := s.person(sys, tx.Client(), b.ResidentID, slot.StartsAt)
			if err != nil {
				return err
			}
			cg, err := s.freeCaregiver(ctx, tx, svc.Edges.Facility, slot)
			if err != nil {
				return err
			}
			up.SetCaregiverID(cg).SetVisitPlaceID(p.placeID)
		}
		if b, err = up.Save(sys); err != nil {
			return err
		}
		minor, _ := s.minor(sys, tx.Client(), b.ResidentID)
		_, err = s.record(ctx, tx, logged{booking: b, kind: careevent.KindCONFIRMED, minor: minor, msg: i18n.CareOfferTaken})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.reload(ctx, b.ID)
}

// Tick lets offers that expired pass on: each becomes EXPIRED and its place
// is offered to the next on the waitlist. An offer is claimed by a
// conditional update under the slot's lock, so instances running Tick
// together never expire (or offer) anything twice. It returns how many
// offers expired.
func (s *Service) Tick(ctx context.Context) (int, error) {
	sys := viewer.SystemContext(ctx)
	now := s.clock()
	due, err := s.client.CareBooking.Query().
		Where(carebooking.StatusEQ(carebooking.StatusOFFERED), carebooking.OfferExpiresAtLTE(now)).
		Order(ent.Asc(carebooking.FieldOfferExpiresAt)).Limit(200).All(sys)
	if err != nil {
		return 0, err
	}
	return store.ClaimEach(sys, s.client, due, func(tx *ent.Tx, b *ent.CareBooking) (bool, error) {
		slot, err := lockSlot(sys, tx, b.SlotID)
		if err != nil {
			return false, err
		}
		n, err := tx.CareBooking.Update().Where(carebooking.ID(b.ID), carebooking.StatusEQ(carebooking.StatusOFFERED),
			carebooking.OfferExpiresAtLTE(now)).SetStatus(carebooking.StatusEXPIRED).SetUpdatedAt(now).Save(sys)
		if err != nil || n == 0 {
			return false, err
		}
		minor, _ := s.minor(sys, tx.Client(), b.ResidentID)
		if _, err := s.record(sys, tx, logged{booking: b, kind: careevent.KindEXPIRED, minor: minor,
			msg: i18n.CareOfferExpired}); err != nil {
			return false, err
		}
		return true, s.release(sys, tx, slot)
	})
}
