package care

import (
	"context"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/ent/careslot"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/schedule"
	"github.com/jimei-linli/linli/internal/viewer"
)

// SlotsAhead is how many days of slots the slot job keeps made.
const SlotsAhead = 14

// SlotTimes returns the start times of svc's slots on the Shanghai days
// from (its day) for days days, by its weekly schedule and without the
// facility's closed days.
func SlotTimes(svc *ent.CareService, closed []string, from time.Time, days int) ([]time.Time, error) {
	first := localtime.Day(from)
	var out []time.Time
	for i := range days {
		d := first.AddDate(0, 0, i)
		wd := int(d.Weekday())
		if wd == 0 {
			wd = 7
		}
		if !slices.Contains(svc.Weekdays, wd) || slices.Contains(closed, d.Format(time.DateOnly)) {
			continue
		}
		for _, hm := range svc.StartTimes {
			t, err := time.ParseInLocation("15:04", hm, localtime.Zone)
			if err != nil {
				return nil, fmt.Errorf("care: service %d: start time %q: %w", svc.ID, hm, err)
			}
			out = append(out, time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), 0, 0, localtime.Zone).UTC())
		}
	}
	return out, nil
}

// MakeSlots makes svc's slots for days days from from through c (a seed's
// or a transaction's client, as the system); slots that exist already are
// kept as they are (ON CONFLICT DO NOTHING), so instances and repeated
// runs make each slot once.
func MakeSlots(ctx context.Context, c *ent.Client, svc *ent.CareService, closed []string, from time.Time, days int) error {
	times, err := SlotTimes(svc, closed, from, days)
	if err != nil || len(times) == 0 {
		return err
	}
	sys := viewer.SystemContext(ctx)
	builders := make([]*ent.CareSlotCreate, len(times))
	for i, t := range times {
		builders[i] = c.CareSlot.Create().SetServiceID(svc.ID).SetStartsAt(t).
			SetEndsAt(t.Add(time.Duration(svc.DurationMinutes) * time.Minute)).SetCapacity(svc.Capacity)
	}
	return c.CareSlot.CreateBulk(builders...).
		OnConflict(sql.ConflictColumns(careslot.FieldServiceID, careslot.FieldStartsAt)).DoNothing().Exec(sys)
}

// GenerateSlots makes a service's slots for the next days days, for the
// facility's community admins and street admins.
func (s *Service) GenerateSlots(ctx context.Context, serviceID, days int) ([]*ent.CareSlot, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if days < 1 || days > 60 {
		return nil, apperr.New(apperr.BadUserInput, "make 1 to 60 days of slots")
	}
	svc, err := s.client.CareService.Query().Where(careservice.ID(serviceID)).WithFacility().Only(ctx)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "service not found")
	}
	fac := svc.Edges.Facility
	if !v.IsStreetAdmin() && !slices.Contains(v.CommunitiesWhere(viewer.CommunityAdmin), fac.CommunityID) {
		return nil, apperr.New(apperr.Forbidden, "the facility's community admins make its slots")
	}
	now := s.clock()
	if err := MakeSlots(ctx, s.client, svc, fac.ClosedDays, now, days); err != nil {
		return nil, err
	}
	return s.client.CareSlot.Query().Where(careslot.ServiceID(serviceID), careslot.StartsAtGTE(now)).
		Order(ent.Asc(careslot.FieldStartsAt)).All(ctx)
}

// KeepSlotsAhead makes SlotsAhead days of slots for every service.
func (s *Service) KeepSlotsAhead(ctx context.Context) error {
	sys := viewer.SystemContext(ctx)
	svcs, err := s.client.CareService.Query().WithFacility().All(sys)
	if err != nil {
		return err
	}
	for _, svc := range svcs {
		if err := MakeSlots(sys, s.client, svc, svc.Edges.Facility.ClosedDays, s.clock(), SlotsAhead); err != nil {
			return err
		}
	}
	return nil
}

// Jobs are care's periodic jobs: lapsed waitlist offers pass on every
// tick; slots are kept made two weeks ahead every hour.
func (s *Service) Jobs(tick time.Duration) []schedule.Job {
	return []schedule.Job{
		{Name: "care offers", Every: tick, Run: func(ctx context.Context) error {
			_, err := s.Tick(ctx)
			return err
		}},
		{Name: "care slots", Every: time.Hour, Run: s.KeepSlotsAhead},
	}
}
