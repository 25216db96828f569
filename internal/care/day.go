package care

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/ent/careevent"
	"github.com/jimei-linli/linli/ent/careincident"
	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/ent/careslot"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// A caregiver's day: check-in and check-out, notes, incidents, no-shows.
// Each is allowed to the CAREGIVERs of the facility's community only.

// CheckIn records that the person booked in the slot arrived (or, for a
// home visit, that the caregiver arrived), at the clock's time. Someone
// not booked in the slot is a CONFLICT, and nothing is written.
func (s *Service) CheckIn(ctx context.Context, slotID, residentID int) (*ent.CareBooking, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	slot, err := s.client.CareSlot.Query().Where(careslot.ID(slotID)).
		WithService(func(q *ent.CareServiceQuery) { q.WithFacility() }).Only(ctx)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "slot not found")
	}
	if !isCaregiver(v, slot.Edges.Service.Edges.Facility.CommunityID) {
		return nil, apperr.New(apperr.Forbidden, "only the facility's caregivers check people in")
	}
	now := s.clock()
	sys := viewer.SystemContext(ctx)
	b, err := s.client.CareBooking.Query().Where(carebooking.SlotID(slotID), carebooking.ResidentID(residentID),
		carebooking.StatusIn(live...)).Only(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.Conflict, "this person is not booked in this slot; nothing was recorded")
	}
	if err != nil {
		return nil, err
	}
	switch b.Status {
	case carebooking.StatusCONFIRMED:
	case carebooking.StatusWAITLISTED, carebooking.StatusOFFERED:
		return nil, apperr.New(apperr.Conflict, "this person is on the waitlist, not booked; nothing was recorded")
	case carebooking.StatusCHECKED_IN, carebooking.StatusCHECKED_OUT:
		return nil, apperr.New(apperr.Conflict, "already checked in at %s", hhmm(*b.CheckedInAt))
	default:
		return nil, apperr.New(apperr.Conflict, "a %s booking cannot be checked in", b.Status)
	}
	if day(slot.StartsAt) != day(now) {
		return nil, apperr.New(apperr.Conflict, "the slot is on %s; check in on the day", day(slot.StartsAt))
	}
	return s.move(ctx, b, carebooking.StatusCONFIRMED, careevent.KindCHECKED_IN, func(u *ent.CareBookingUpdateOne) {
		u.SetStatus(carebooking.StatusCHECKED_IN).SetCheckedInAt(now)
	}, i18n.CareCheckedIn, "time", hhmm(now))
}

// CheckOut records that a checked-in person left.
func (s *Service) CheckOut(ctx context.Context, bookingID int) (*ent.CareBooking, error) {
	b, err := s.asCaregiver(ctx, bookingID)
	if err != nil {
		return nil, err
	}
	if b.Status != carebooking.StatusCHECKED_IN {
		return nil, apperr.New(apperr.Conflict, "only a CHECKED_IN booking can be checked out (this one is %s)", b.Status)
	}
	now := s.clock()
	return s.move(ctx, b, carebooking.StatusCHECKED_IN, careevent.KindCHECKED_OUT, func(u *ent.CareBookingUpdateOne) {
		u.SetStatus(carebooking.StatusCHECKED_OUT).SetCheckedOutAt(now)
	}, i18n.CareCheckedOut, "time", hhmm(now))
}

// MarkNoShow records that a confirmed person did not come; allowed once the
// slot has begun.
func (s *Service) MarkNoShow(ctx context.Context, bookingID int) (*ent.CareBooking, error) {
	b, err := s.asCaregiver(ctx, bookingID)
	if err != nil {
		return nil, err
	}
	if b.Status != carebooking.StatusCONFIRMED {
		return nil, apperr.New(apperr.Conflict, "only a CONFIRMED booking can be a NO_SHOW (this one is %s)", b.Status)
	}
	if s.clock().Before(b.Edges.Slot.StartsAt) {
		return nil, apperr.New(apperr.Conflict, "the slot begins at %s; mark a no-show after that", hhmm(b.Edges.Slot.StartsAt))
	}
	return s.move(ctx, b, carebooking.StatusCONFIRMED, careevent.KindNO_SHOW, func(u *ent.CareBookingUpdateOne) {
		u.SetStatus(carebooking.StatusNO_SHOW)
	}, i18n.CareNoShow)
}

// asCaregiver loads a booking (as the viewer, so a hidden one is not found)
// with its slot, service and facility, for a caregiver of its facility.
func (s *Service) asCaregiver(ctx context.Context, id int) (*ent.CareBooking, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.client.CareBooking.Query().Where(carebooking.ID(id)).
		WithSlot(func(q *ent.CareSlotQuery) { q.WithService() }).Only(ctx)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "booking not found")
	}
	if !isCaregiver(v, b.CommunityID) {
		return nil, apperr.New(apperr.Forbidden, "only the facility's caregivers do this")
	}
	return b, nil
}

// move changes booking b from status from (a conditional update: a
// concurrent change makes it a CONFLICT) and logs it.
func (s *Service) move(ctx context.Context, b *ent.CareBooking, from carebooking.Status, kind careevent.Kind, set func(*ent.CareBookingUpdateOne), msg *i18n.Message, kv ...any) (*ent.CareBooking, error) {
	sys := viewer.SystemContext(ctx)
	minor, name := s.minor(sys, s.client, b.ResidentID)
	err := store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		u := tx.CareBooking.UpdateOneID(b.ID).Where(carebooking.StatusEQ(from)).SetUpdatedAt(s.clock())
		set(u)
		nb, err := u.Save(sys)
		if ent.IsNotFound(err) {
			return apperr.New(apperr.Conflict, "the booking changed meanwhile; reload it")
		}
		if err != nil {
			return err
		}
		b = nb
		_, err = s.record(ctx, tx, logged{booking: b, kind: kind, minor: minor, msg: msg,
			params: i18n.Params(append([]any{"name", name}, kv...)...)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.reload(ctx, b.ID)
}

// minor reports whether a resident is under 18 today, and their name,
// reading through c.
func (s *Service) minor(sys context.Context, c *ent.Client, id int) (bool, string) {
	p, err := s.person(sys, c, id, s.clock())
	if err != nil {
		return false, ""
	}
	return p.age >= 0 && p.age < 18, p.name
}

// AddNote records a caregiver's note about a booked person's care; their
// guardians hear of it.
func (s *Service) AddNote(ctx context.Context, bookingID int, body string) (*ent.CareNote, error) {
	b, err := s.asCaregiver(ctx, bookingID)
	if err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if body == "" || len([]rune(body)) > 4000 {
		return nil, apperr.New(apperr.BadUserInput, "a note has 1 to 4000 characters")
	}
	if !slices.Contains(holding, b.Status) || b.Status == carebooking.StatusOFFERED {
		return nil, apperr.New(apperr.Conflict, "notes are about booked care (this booking is %s)", b.Status)
	}
	v := viewer.FromContext(ctx)
	sys := viewer.SystemContext(ctx)
	minor, name := s.minor(sys, s.client, b.ResidentID)
	var n *ent.CareNote
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		n, err = tx.CareNote.Create().SetBookingID(b.ID).SetResidentID(b.ResidentID).SetCommunityID(b.CommunityID).
			SetAboutMinor(minor).SetAuthorID(v.ResidentID).SetBody(body).SetCreatedAt(s.clock()).Save(sys)
		if err != nil {
			return err
		}
		if _, err = s.record(ctx, tx, logged{booking: b, kind: careevent.KindNOTE, noteID: n.ID, minor: minor,
			msg: i18n.CareNote, params: i18n.Params("name", name)}); err != nil {
			return err
		}
		return idempotency.Record(ctx, tx, n.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.client.CareNote.Get(viewer.SystemContext(ctx), n.ID)
}

// Incident is an incident to report.
type Incident struct {
	BookingID   int
	Severity    careincident.Severity
	Description string
}

// ReportIncident records an incident during a booked person's care and
// notifies their guardians at once, in the same transaction.
func (s *Service) ReportIncident(ctx context.Context, in Incident) (*ent.CareIncident, error) {
	b, err := s.asCaregiver(ctx, in.BookingID)
	if err != nil {
		return nil, err
	}
	in.Description = strings.TrimSpace(in.Description)
	switch {
	case careincident.SeverityValidator(in.Severity) != nil:
		return nil, apperr.New(apperr.BadUserInput, "unknown severity %q", in.Severity)
	case in.Description == "" || len([]rune(in.Description)) > 4000:
		return nil, apperr.New(apperr.BadUserInput, "a description has 1 to 4000 characters")
	case !slices.Contains(holding, b.Status) || b.Status == carebooking.StatusOFFERED || b.Status == carebooking.StatusNO_SHOW:
		return nil, apperr.New(apperr.Conflict, "incidents are about care given (this booking is %s)", b.Status)
	}
	v := viewer.FromContext(ctx)
	sys := viewer.SystemContext(ctx)
	minor, name := s.minor(sys, s.client, b.ResidentID)
	var inc *ent.CareIncident
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		now := s.clock()
		inc, err = tx.CareIncident.Create().SetBookingID(b.ID).SetResidentID(b.ResidentID).SetCommunityID(b.CommunityID).
			SetAboutMinor(minor).SetReporterID(v.ResidentID).SetSeverity(in.Severity).SetDescription(in.Description).
			SetOccurredAt(now).Save(sys)
		if err != nil {
			return err
		}
		if _, err = s.record(ctx, tx, logged{booking: b, kind: careevent.KindINCIDENT, incidentID: inc.ID, minor: minor,
			msg: i18n.CareIncident, params: i18n.Params("severity", string(in.Severity), "name", name, "time", hhmm(now))}); err != nil {
			return err
		}
		return idempotency.Record(ctx, tx, inc.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.client.CareIncident.Get(viewer.SystemContext(ctx), inc.ID)
}

// AssignCaregiver puts a caregiver of the facility's community on duty in
// a slot (or takes them off): the community's admins and street admins
// assign anyone; a caregiver assigns only themself.
func (s *Service) AssignCaregiver(ctx context.Context, slotID, caregiverID int, onDuty bool) (*ent.CareSlot, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if caregiverID == 0 {
		caregiverID = v.ResidentID
	}
	slot, err := s.client.CareSlot.Query().Where(careslot.ID(slotID)).
		WithService(func(q *ent.CareServiceQuery) { q.WithFacility() }).Only(ctx)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "slot not found")
	}
	community := slot.Edges.Service.Edges.Facility.CommunityID
	admin := v.IsStreetAdmin() || slices.Contains(v.CommunitiesWhere(viewer.CommunityAdmin), community)
	if !admin && !(caregiverID == v.ResidentID && isCaregiver(v, community)) {
		return nil, apperr.New(apperr.Forbidden, "the community's admins assign caregivers; a caregiver assigns only themself")
	}
	sys := viewer.SystemContext(ctx)
	ok, err := s.client.RoleAssignment.Query().Where(roleassignment.ResidentID(caregiverID),
		roleassignment.RoleEQ(roleassignment.RoleCAREGIVER), roleassignment.CommunityID(community)).Exist(sys)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.New(apperr.BadUserInput, "that resident is not a caregiver of the facility's community")
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		cur, err := lockSlot(ctx, tx, slotID)
		if err != nil {
			return err
		}
		ids := slices.DeleteFunc(slices.Clone(cur.CaregiverIds), func(id int) bool { return id == caregiverID })
		if onDuty {
			ids = append(ids, caregiverID)
			slices.Sort(ids)
		}
		return tx.CareSlot.UpdateOneID(slotID).SetCaregiverIds(ids).Exec(sys)
	})
	if err != nil {
		return nil, err
	}
	return s.client.CareSlot.Get(sys, slotID)
}

// Day returns a facility's slots on the Shanghai calendar day of date (the
// caregiver's schedule), in order; the bookings on them are read through
// the viewer's rights.
func (s *Service) Day(ctx context.Context, facilityID int, date time.Time) ([]*ent.CareSlot, error) {
	start := localtime.Day(date)
	return s.client.CareSlot.Query().Where(careslot.HasServiceWith(careservice.FacilityID(facilityID)),
		careslot.StartsAtGTE(start.UTC()), careslot.StartsAtLT(start.AddDate(0, 0, 1).UTC())).
		Order(ent.Asc(careslot.FieldStartsAt), ent.Asc(careslot.FieldID)).All(ctx)
}
