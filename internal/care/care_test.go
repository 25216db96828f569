package care_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/ent/carefacility"
	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/ent/careslot"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/care"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// demo seeds the demo street into s and returns a care service over it
// whose clock (and the store's) stands at now.
func demo(t testing.TB, s *store.Store, now time.Time) *care.Service {
	t.Helper()
	s.UseClock(func() time.Time { return now })
	if _, err := seed.Demo(context.Background(), s.Client, now); err != nil {
		t.Fatal(err)
	}
	return care.New(s.Client, realtime.NewOutbox(nil, nil), func() time.Time { return now }, care.Options{})
}

// openSlots makes a service of the demo day-care centre without age limits
// and n slots of capacity places, from start gap apart.
func openSlots(t testing.TB, c *ent.Client, capacity, n int, start time.Time, gap time.Duration) []int {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	fac := c.CareFacility.Query().Where(carefacility.Name(seed.DayCareCentre)).OnlyX(ctx)
	svc := c.CareService.Create().SetFacilityID(fac.ID).SetName("test").SetKind(careservice.KindREHABILITATION).
		SetDurationMinutes(60).SetCapacity(capacity).SetPriceFen(100).SetAudience(careservice.AudienceELDERLY).
		SetWeekdays([]int{1}).SetStartTimes([]string{"10:00"}).SaveX(ctx)
	ids := make([]int, n)
	for i := range ids {
		at := start.Add(time.Duration(i) * gap).UTC()
		ids[i] = c.CareSlot.Create().SetServiceID(svc.ID).SetStartsAt(at).SetEndsAt(at.Add(time.Hour)).
			SetCapacity(capacity).SaveX(ctx).ID
	}
	return ids
}

// residents returns n residents' IDs in ID order.
func residents(t testing.TB, c *ent.Client, n int) []int {
	t.Helper()
	ids, err := c.Resident.Query().Order(ent.Asc(resident.FieldID)).Limit(n).IDs(viewer.SystemContext(context.Background()))
	if err != nil || len(ids) < n {
		t.Fatalf("%d residents: %v", len(ids), err)
	}
	return ids
}

// as returns a context of the signed-in resident id (booking for
// themselves needs nothing more).
func as(id int) context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{ResidentID: id})
}

// TestConcurrentBookingsNeverExceedCapacity: 100 residents book 10 places
// at once, asking for the waitlist: exactly 10 are confirmed, the other 90
// are waitlisted 1..90 in the order they reached the slot's lock (which is
// also the order their bookings were written).
func TestConcurrentBookingsNeverExceedCapacity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := testclock.Start()
		svc := demo(t, s, now)
		slot := openSlots(t, s.Client, 10, 1, now.Add(48*time.Hour), time.Hour)[0]
		people := residents(t, s.Client, 100)
		var wg sync.WaitGroup
		errs := make(chan error, len(people))
		for _, id := range people {
			wg.Go(func() {
				if _, err := svc.Book(as(id), care.Booking{SlotID: slot, Waitlist: true}); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		sys := viewer.SystemContext(context.Background())
		all := s.Client.CareBooking.Query().Where(carebooking.SlotID(slot)).Order(ent.Asc(carebooking.FieldID)).AllX(sys)
		var confirmed, waiting []*ent.CareBooking
		for _, b := range all {
			switch b.Status {
			case carebooking.StatusCONFIRMED:
				confirmed = append(confirmed, b)
			case carebooking.StatusWAITLISTED:
				waiting = append(waiting, b)
			default:
				t.Errorf("booking %d is %s", b.ID, b.Status)
			}
		}
		if len(confirmed) != 10 || len(waiting) != 90 {
			t.Fatalf("%d confirmed and %d waitlisted, want 10 and 90", len(confirmed), len(waiting))
		}
		if taken := s.Client.CareSlot.GetX(sys, slot).Taken; taken != 10 {
			t.Errorf("the slot counts %d places taken, want 10", taken)
		}
		// Arrival order: the confirmed were written before anyone waited,
		// and positions follow the order bookings were written.
		if confirmed[9].ID > waiting[0].ID {
			t.Errorf("a booking waitlisted before the last confirmed one")
		}
		var positions []int
		for i, b := range waiting {
			if b.WaitlistPosition == nil || *b.WaitlistPosition != i+1 {
				t.Errorf("the %d. waiting booking has position %v", i+1, b.WaitlistPosition)
			} else {
				positions = append(positions, *b.WaitlistPosition)
			}
		}
		if !slices.IsSorted(positions) || len(slices.Compact(positions)) != 90 {
			t.Errorf("positions %v are not 1..90", positions)
		}
	})
}

// TestSlotsFollowTheWeeklySchedule: slots are made on the schedule's days
// and times (Shanghai), never on closed days, and making them again (as
// every instance's job does) adds none.
func TestSlotsFollowTheWeeklySchedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		// Monday 2026-11-30, 07:00 in Shanghai.
		now := time.Date(2026, 11, 30, 7, 0, 0, 0, localtime.Zone)
		svc := demo(t, s, now)
		ctx := viewer.SystemContext(context.Background())
		fac := s.Client.CareFacility.Query().Where(carefacility.Name(seed.DayCareCentre)).OnlyX(ctx)
		fac = fac.Update().SetClosedDays([]string{"2026-12-02"}).SaveX(ctx)
		cs := s.Client.CareService.Create().SetFacilityID(fac.ID).SetName("晨练").SetKind(careservice.KindREHABILITATION).
			SetDurationMinutes(30).SetCapacity(3).SetPriceFen(0).SetAudience(careservice.AudienceELDERLY).
			SetWeekdays([]int{1, 3, 5}).SetStartTimes([]string{"07:30", "09:00"}).SaveX(ctx)
		for range 2 {
			if err := svc.KeepSlotsAhead(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		for _, sl := range s.Client.CareSlot.Query().Where(careslot.ServiceID(cs.ID)).Order(ent.Asc(careslot.FieldStartsAt)).AllX(ctx) {
			got = append(got, sl.StartsAt.In(localtime.Zone).Format("Mon 01-02 15:04"))
		}
		want := []string{ // 14 days from Monday; Wednesday 12-02 is closed
			"Mon 11-30 07:30", "Mon 11-30 09:00", "Fri 12-04 07:30", "Fri 12-04 09:00",
			"Mon 12-07 07:30", "Mon 12-07 09:00", "Wed 12-09 07:30", "Wed 12-09 09:00", "Fri 12-11 07:30", "Fri 12-11 09:00",
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("slots:\n got %v\nwant %v", got, want)
		}
	})
}

// unstaffedHour returns the first whole hour (in Shanghai) at or after from
// in which no slot of the seeded schedule has a caregiver on duty and fac is
// open: a time whose caregivers are all free, whatever day from falls on.
func unstaffedHour(t testing.TB, c *ent.Client, fac *ent.CareFacility, from time.Time) time.Time {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	at := from.In(localtime.Zone).Truncate(time.Hour)
	if at.Before(from) {
		at = at.Add(time.Hour)
	}
	for range 7 * 24 {
		overlapping := c.CareSlot.Query().Where(careslot.StartsAtLT(at.Add(time.Hour).UTC()), careslot.EndsAtGT(at.UTC())).AllX(ctx)
		staffed := slices.ContainsFunc(overlapping, func(sl *ent.CareSlot) bool { return len(sl.CaregiverIds) > 0 })
		if !staffed && !slices.Contains(fac.ClosedDays, at.Format(time.DateOnly)) {
			return at.UTC()
		}
		at = at.Add(time.Hour)
	}
	t.Fatalf("no hour without a caregiver on duty in the week from %v", from)
	return time.Time{}
}

// TestConcurrentHomeVisitsShareNoCaregiver: with one caregiver free, two
// home visits booked at once in two services at the same time get one
// caregiver and one CONFLICT. The time is one the seeded schedule leaves
// unstaffed, so that the one free caregiver is free whatever day the test's
// clock stands on.
func TestConcurrentHomeVisitsShareNoCaregiver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := testclock.Start()
		svc := demo(t, s, now)
		ctx := viewer.SystemContext(context.Background())
		c := s.Client
		fac := c.CareFacility.Query().Where(carefacility.Name(seed.DayCareCentre)).OnlyX(ctx)
		start := unstaffedHour(t, c, fac, now.Add(72*time.Hour))
		var slots []int
		for i := range 2 {
			cs := c.CareService.Create().SetFacilityID(fac.ID).SetName(fmt.Sprint("visit ", i)).SetKind(careservice.KindHOME_VISIT).
				SetDurationMinutes(60).SetCapacity(5).SetPriceFen(0).SetAudience(careservice.AudienceELDERLY).
				SetWeekdays([]int{1}).SetStartTimes([]string{"10:00"}).SaveX(ctx)
			slots = append(slots, c.CareSlot.Create().SetServiceID(cs.ID).SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).
				SetCapacity(5).SaveX(ctx).ID)
		}
		// All the community's caregivers but one are on duty then.
		var caregivers []int
		for _, ra := range c.RoleAssignment.Query().AllX(ctx) {
			if ra.Role == "CAREGIVER" && ra.CommunityID != nil && *ra.CommunityID == fac.CommunityID {
				caregivers = append(caregivers, ra.ResidentID)
			}
		}
		slices.Sort(caregivers)
		duty := openSlots(t, c, 5, 1, start.Add(-30*time.Minute), time.Hour)[0]
		c.CareSlot.UpdateOneID(duty).SetCaregiverIds(caregivers[1:]).ExecX(ctx)
		people := c.Resident.Query().Where(resident.HouseholdIDNotNil()).Order(ent.Asc(resident.FieldID)).Limit(2).IDsX(ctx)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { _, errs[i] = svc.Book(as(people[i]), care.Booking{SlotID: slots[i]}) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("want one booking and one refusal, got %v", errs)
		}
		got := c.CareBooking.Query().Where(carebooking.SlotIDIn(slots...)).AllX(ctx)
		if len(got) != 1 || got[0].CaregiverID == nil || *got[0].CaregiverID != caregivers[0] {
			t.Errorf("bookings %+v, want one with caregiver %d", got, caregivers[0])
		}
	})
}
