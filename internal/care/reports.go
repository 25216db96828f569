package care

import (
	"context"
	"slices"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/ent/carefacility"
	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/ent/careslot"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Attendance is one period's counts of a facility's bookings.
type Attendance struct {
	// Period is the day (YYYY-MM-DD) or month (YYYY-MM).
	Period     string
	Booked     int // places held: confirmed, checked in or out, no-show
	CheckedIn  int // came (checked in, or in and out)
	NoShows    int
	Cancelled  int
	Waitlisted int // still waiting when counted
}

// Utilisation is how full a slot, or a service over a period, was.
type Utilisation struct {
	Service *ent.CareService
	// Slot is nil for the service's total over the period.
	Slot     *ent.CareSlot
	Capacity int
	Taken    int
}

// Rate is Taken / Capacity.
func (u Utilisation) Rate() float64 {
	if u.Capacity == 0 {
		return 0
	}
	return float64(u.Taken) / float64(u.Capacity)
}

// reportable checks that v may read a facility's reports: its community's
// caregivers and admins, and street admins.
func (s *Service) reportable(ctx context.Context, facilityID int) (*ent.CareFacility, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	fac, err := s.client.CareFacility.Query().Where(carefacility.ID(facilityID)).Only(ctx)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "facility not found")
	}
	if !v.IsStreetAdmin() && !slices.Contains(v.CommunitiesWhere(viewer.CommunityAdmin, viewer.Caregiver), fac.CommunityID) {
		return nil, apperr.New(apperr.Forbidden, "a facility's reports are for its caregivers and admins")
	}
	return fac, nil
}

// slotsBetween returns the facility's slots that start in [from, to), with
// their services (and, with bookings, their bookings), as the system.
func (s *Service) slotsBetween(ctx context.Context, facilityID int, from, to time.Time, bookings bool) ([]*ent.CareSlot, error) {
	if !to.After(from) || to.Sub(from) > 400*24*time.Hour {
		return nil, apperr.New(apperr.BadUserInput, "a report covers a period of up to 400 days, from before to")
	}
	// Times are compared in UTC, as they are stored (SQLite compares text).
	q := s.client.CareSlot.Query().Where(careslot.HasServiceWith(careservice.FacilityID(facilityID)),
		careslot.StartsAtGTE(from.UTC()), careslot.StartsAtLT(to.UTC())).
		WithService().Order(ent.Asc(careslot.FieldStartsAt), ent.Asc(careslot.FieldID))
	if bookings {
		q.WithBookings()
	}
	return q.All(viewer.SystemContext(ctx))
}

// AttendanceReport counts a facility's bookings per day (or per month with
// byMonth) for slots starting in [from, to).
func (s *Service) AttendanceReport(ctx context.Context, facilityID int, from, to time.Time, byMonth bool) ([]Attendance, error) {
	if _, err := s.reportable(ctx, facilityID); err != nil {
		return nil, err
	}
	slots, err := s.slotsBetween(ctx, facilityID, from, to, true)
	if err != nil {
		return nil, err
	}
	var rows []Attendance
	for _, sl := range slots {
		period := day(sl.StartsAt)
		if byMonth {
			period = period[:7]
		}
		if len(rows) == 0 || rows[len(rows)-1].Period != period {
			rows = append(rows, Attendance{Period: period})
		}
		r := &rows[len(rows)-1]
		for _, b := range sl.Edges.Bookings {
			switch b.Status {
			case carebooking.StatusCONFIRMED:
				r.Booked++
			case carebooking.StatusCHECKED_IN, carebooking.StatusCHECKED_OUT:
				r.Booked++
				r.CheckedIn++
			case carebooking.StatusNO_SHOW:
				r.Booked++
				r.NoShows++
			case carebooking.StatusCANCELLED:
				r.Cancelled++
			case carebooking.StatusWAITLISTED, carebooking.StatusOFFERED:
				r.Waitlisted++
			}
		}
	}
	return rows, nil
}

// UtilisationReport says how full each slot starting in [from, to) was,
// after a total per service (Slot nil), services in ID order.
func (s *Service) UtilisationReport(ctx context.Context, facilityID int, from, to time.Time) ([]Utilisation, error) {
	if _, err := s.reportable(ctx, facilityID); err != nil {
		return nil, err
	}
	slots, err := s.slotsBetween(ctx, facilityID, from, to, false)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(slots, func(a, b *ent.CareSlot) int { return a.ServiceID - b.ServiceID })
	var rows []Utilisation
	total := -1
	for _, sl := range slots {
		if total < 0 || rows[total].Service.ID != sl.ServiceID {
			rows = append(rows, Utilisation{Service: sl.Edges.Service})
			total = len(rows) - 1
		}
		rows[total].Capacity += sl.Capacity
		rows[total].Taken += sl.Taken
		rows = append(rows, Utilisation{Service: sl.Edges.Service, Slot: sl, Capacity: sl.Capacity, Taken: sl.Taken})
	}
	return rows, nil
}
