package apitest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/ent/carefacility"
	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/care"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/seed"
)

// careTestSlot makes, as the system, a service of the demo day-care centre
// (or childcare centre, for child) with one slot at start, and returns the
// slot's ID.
func careTestSlot(t *testing.T, e *apitest.Env, centre string, kind careservice.Kind, capacity int, start time.Time, minAge, maxAge int) int {
	t.Helper()
	ctx := e.SystemCtx()
	fac, err := e.Client.CareFacility.Query().Where(carefacility.Name(centre)).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	audience := careservice.AudienceELDERLY
	if centre == seed.ChildcareCentre {
		audience = careservice.AudienceCHILD
	}
	create := e.Client.CareService.Create().SetFacilityID(fac.ID).SetName(fmt.Sprintf("test %s %d", kind, start.Unix())).
		SetKind(kind).SetDurationMinutes(60).SetCapacity(capacity).SetPriceFen(1000).SetSubsidyFen(500).
		SetAudience(audience).SetWeekdays([]int{1, 2, 3, 4, 5, 6, 7}).SetStartTimes([]string{start.In(localtime.Zone).Format("15:04")})
	if minAge > 0 {
		create.SetMinAge(minAge)
	}
	if maxAge > 0 {
		create.SetMaxAge(maxAge)
	}
	svc, err := create.Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sl, err := e.Client.CareSlot.Create().SetServiceID(svc.ID).SetStartsAt(start.UTC()).SetEndsAt(start.Add(time.Hour).UTC()).
		SetCapacity(capacity).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return sl.ID
}

// tomorrowAt returns hh:mm tomorrow (Shanghai) by e's clock.
// bookedHalfDay seeds the demo street, opens a half day (five places, 60
// and over) at the day-care centre tomorrow at 9:00, sets the clock to
// 8:50 and books the elder into it as her guardian: the elder's ID, the
// slot, its start and the booking's ID.
func bookedHalfDay(t *testing.T, e *apitest.Env) (elder string, slot int, start time.Time, booking any) {
	t.Helper()
	e.SeedDemo(t)
	elder = str(e.ResidentID(t, seed.PhoneElder))
	start = tomorrowAt(e, 9, 0)
	slot = careTestSlot(t, e, seed.DayCareCentre, careservice.KindHALF_DAY, 5, start, 60, 0)
	e.Clock.Set(start.Add(-10 * time.Minute))
	booking = e.Do(t, e.TokenFor(t, seed.PhoneGuardian), bookCareLate, map[string]any{"slot": str(slot), "who": elder, "accept": true}).
		Must(t).Value("bookCare", "id")
	return elder, slot, start, booking
}

func tomorrowAt(e *apitest.Env, hh, mm int) time.Time {
	n := e.Clock.Now().In(localtime.Zone).AddDate(0, 0, 1)
	return time.Date(n.Year(), n.Month(), n.Day(), hh, mm, 0, 0, localtime.Zone)
}

// careCounts counts the care tables, events and notifications: a refused
// operation must leave them as they were.
func careCounts(t *testing.T, e *apitest.Env) map[string]int {
	t.Helper()
	ctx := e.SystemCtx()
	c := e.Client
	out := map[string]int{}
	for name, count := range map[string]func(context.Context) (int, error){
		"bookings": c.CareBooking.Query().Count, "events": c.CareEvent.Query().Count,
		"notes": c.CareNote.Query().Count, "incidents": c.CareIncident.Query().Count,
		"outbox": c.Event.Query().Count, "notifications": c.Notification.Query().Count,
		"residents": c.Resident.Query().Count, "guardianships": c.Guardianship.Query().Count,
	} {
		n, err := count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

const bookCare = `mutation($slot: ID!, $who: ID, $wait: Boolean) {
	bookCare(input: {slotId: $slot, residentId: $who, waitlist: $wait}) { id status waitlistPosition offerExpiresAt personName } }`

// book books slot for who (nil: oneself) as token.
func book(t *testing.T, e *apitest.Env, token string, slot int, who any, wait bool) apitest.Response {
	t.Helper()
	return e.Do(t, token, bookCare, map[string]any{"slot": str(slot), "who": who, "wait": wait})
}

// bookingStatus reads a booking's status as the system.
func bookingStatus(t *testing.T, e *apitest.Env, id string) carebooking.Status {
	t.Helper()
	var n int
	fmt.Sscan(id, &n)
	b, err := e.Client.CareBooking.Get(e.SystemCtx(), n)
	if err != nil {
		t.Fatal(err)
	}
	return b.Status
}

// TestCareWaitlistChain: a full slot waitlists in arrival order; a
// cancellation offers the place to the first in line, who is notified;
// the offer lapses (Tick with the clock moved) and passes to the next, who
// confirms; a lapsed offer can no longer be confirmed.
func TestCareWaitlistChain(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		svc := care.New(e.Client, e.Outbox, e.Clock.Now, care.Options{})
		slot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindREHABILITATION, 1, tomorrowAt(e, 10, 0), 0, 0)
		guardian, volunteer, other := e.TokenFor(t, seed.PhoneGuardian), e.TokenFor(t, seed.PhoneVolunteer), e.TokenFor(t, seed.PhoneOtherResident)

		first := book(t, e, guardian, slot, nil, false).Must(t)
		if s := first.Value("bookCare", "status"); s != "CONFIRMED" {
			t.Fatalf("first booking %v, want CONFIRMED", s)
		}
		before := careCounts(t, e)
		r := book(t, e, volunteer, slot, nil, false).MustFail(t, "CONFLICT")
		if !strings.Contains(r.Message(), "waitlist") {
			t.Errorf("a full slot should say how to join the waitlist: %s", r.Message())
		}
		if after := careCounts(t, e); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("a refused booking wrote: %v -> %v", before, after)
		}
		b := book(t, e, volunteer, slot, nil, true).Must(t)
		c := book(t, e, other, slot, nil, true).Must(t)
		for i, w := range []apitest.Response{b, c} {
			if w.Value("bookCare", "status") != "WAITLISTED" || w.Value("bookCare", "waitlistPosition") != float64(i+1) {
				t.Errorf("waitlisted %d: %s", i, w)
			}
		}
		bID, cID := b.Value("bookCare", "id").(string), c.Value("bookCare", "id").(string)

		// Cancel: the first in line is offered the place and told.
		e.Do(t, guardian, `mutation($id: ID!) { cancelCareBooking(id: $id) { status } }`,
			map[string]any{"id": first.Value("bookCare", "id")}).Must(t)
		if s := bookingStatus(t, e, bID); s != carebooking.StatusOFFERED {
			t.Fatalf("after the cancellation the first waiting is %s, want OFFERED", s)
		}
		volunteerID := e.ResidentID(t, seed.PhoneVolunteer)
		if n := e.Client.Notification.Query().Where(notification.ResidentID(volunteerID), notification.KindEQ(notification.KindCARE),
			notification.MessageKey("care.offered")).CountX(e.SystemCtx()); n != 1 {
			t.Errorf("the offered resident has %d offer notifications, want 1", n)
		}
		if s := bookingStatus(t, e, cID); s != carebooking.StatusWAITLISTED {
			t.Errorf("the second waiting is %s, want WAITLISTED", s)
		}

		// Not yet due: nothing lapses.
		e.Clock.Advance(29 * time.Minute)
		if n, err := svc.Tick(context.Background()); err != nil || n != 0 {
			t.Fatalf("Tick before the offer lapsed: %d, %v", n, err)
		}
		// Lapsed: two ticks at once expire it once and offer the next once.
		e.Clock.Advance(2 * time.Minute)
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range counts {
			wg.Go(func() {
				n, err := svc.Tick(context.Background())
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			})
		}
		wg.Wait()
		if counts[0]+counts[1] != 1 {
			t.Fatalf("two ticks expired %v offers, want 1 in all", counts)
		}
		volunteer, other = e.TokenFor(t, seed.PhoneVolunteer), e.TokenFor(t, seed.PhoneOtherResident)
		if s := bookingStatus(t, e, bID); s != carebooking.StatusEXPIRED {
			t.Errorf("the lapsed offer is %s, want EXPIRED", s)
		}
		if s := bookingStatus(t, e, cID); s != carebooking.StatusOFFERED {
			t.Fatalf("the next waiting is %s, want OFFERED", s)
		}
		e.Do(t, volunteer, `mutation($id: ID!) { confirmCareOffer(id: $id) { status } }`, map[string]any{"id": bID}).MustFail(t, "CONFLICT")
		ok := e.Do(t, other, `mutation($id: ID!) { confirmCareOffer(id: $id) { status offerExpiresAt slot { taken capacity } } }`,
			map[string]any{"id": cID}).Must(t)
		if ok.Value("confirmCareOffer", "status") != "CONFIRMED" || ok.Value("confirmCareOffer", "slot", "taken") != float64(1) {
			t.Errorf("confirm: %s", ok)
		}
		if n, _ := svc.Tick(context.Background()); n != 0 {
			t.Errorf("a tick after the confirmation expired %d", n)
		}
		offers := e.Client.CareEvent.Query().CountX(e.SystemCtx())
		if offers == 0 {
			t.Error("no care log")
		}
	})
}

// TestCareBadInput: every refused request says why and writes nothing.
func TestCareBadInput(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		guardian, volunteer, caregiver := e.TokenFor(t, seed.PhoneGuardian), e.TokenFor(t, seed.PhoneVolunteer), e.TokenFor(t, seed.PhoneCaregiver)
		elder := str(e.ResidentID(t, seed.PhoneElder))
		soon := e.Clock.Now().Add(90 * time.Minute).Truncate(time.Minute)
		soonSlot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindBATHING, 2, soon, 60, 0)
		later := careTestSlot(t, e, seed.DayCareCentre, careservice.KindBATHING, 2, tomorrowAt(e, 15, 0), 60, 0)
		kids := careTestSlot(t, e, seed.ChildcareCentre, careservice.KindAFTER_SCHOOL, 5, tomorrowAt(e, 16, 30), 6, 12)
		booked := e.Do(t, guardian, bookCareLate, map[string]any{"slot": str(soonSlot), "who": elder, "accept": true}).
			Must(t).Value("bookCare", "id")

		for _, tc := range []struct {
			name, token, query string
			vars               map[string]any
			code, says         string
		}{
			{"not their guardian", volunteer, bookCare, map[string]any{"slot": str(later), "who": elder}, "FORBIDDEN", "guardian"},
			{"outside the age range", guardian, bookCare, map[string]any{"slot": str(kids)}, "BAD_USER_INPUT", "ages 6 to 12"},
			{"too young for elderly care", guardian, bookCare, map[string]any{"slot": str(later)}, "BAD_USER_INPUT", "ages 60 and over"},
			{"twice in one slot", guardian, bookCare, map[string]any{"slot": str(soonSlot), "who": elder}, "CONFLICT", "already"},
			{"cancelling too late", guardian, `mutation($id: ID!) { cancelCareBooking(id: $id) { id } }`, map[string]any{"id": booked}, "CONFLICT", "too late"},
			{"someone else's booking", volunteer, `mutation($id: ID!) { cancelCareBooking(id: $id) { id } }`, map[string]any{"id": booked}, "NOT_FOUND", ""},
			{"checking in someone not booked", caregiver, `mutation($s: ID!, $r: ID!) { checkInCare(slotId: $s, residentId: $r) { id } }`,
				map[string]any{"s": str(later), "r": elder}, "CONFLICT", "not booked"},
			{"checking in as a non-caregiver", guardian, `mutation($s: ID!, $r: ID!) { checkInCare(slotId: $s, residentId: $r) { id } }`,
				map[string]any{"s": str(soonSlot), "r": elder}, "FORBIDDEN", "caregivers"},
			{"a note by a non-caregiver", guardian, `mutation($b: ID!) { addCareNote(bookingId: $b, body: "x") { id } }`,
				map[string]any{"b": booked}, "FORBIDDEN", "caregivers"},
			{"an empty note", caregiver, `mutation($b: ID!) { addCareNote(bookingId: $b, body: "  ") { id } }`,
				map[string]any{"b": booked}, "BAD_USER_INPUT", "note"},
			{"a no-show before the slot", caregiver, `mutation($b: ID!) { markCareNoShow(bookingId: $b) { id } }`,
				map[string]any{"b": booked}, "CONFLICT", "after"},
			{"anonymous", "", bookCare, map[string]any{"slot": str(later)}, "UNAUTHENTICATED", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := careCounts(t, e)
				r := e.Do(t, tc.token, tc.query, tc.vars).MustFail(t, tc.code)
				if !strings.Contains(r.Message(), tc.says) {
					t.Errorf("message %q does not say %q", r.Message(), tc.says)
				}
				if after := careCounts(t, e); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Errorf("wrote: %v -> %v", before, after)
				}
			})
		}
	})
}

// TestCareDay: the caregiver's day at the clock's 09:02, followed live by
// the guardian: check-in with its time, a note, an incident (notified at
// once), check-out; then the reports count it.
func TestCareDay(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		elder, slot, start, booking := bookedHalfDay(t, e)
		guardian, caregiver, elderTok := e.TokenFor(t, seed.PhoneGuardian), e.TokenFor(t, seed.PhoneCaregiver), e.TokenFor(t, seed.PhoneElder)

		// The guardian follows from the cursor of now, after the booking's
		// event is published: the feed replays what follows it, so the
		// check-in below is heard however soon it comes, and the booking
		// (before the cursor) is not.
		if err := e.Relay.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		now := e.Do(t, guardian, `{ streamCursor }`, nil).Must(t).Value("streamCursor")
		ws := e.DialWS(t, guardian)
		ws.Subscribe("care", `subscription($d: ID!, $since: Cursor) { careEvents(dependentId: $d, since: $since) { cursor event { kind at note { body } incident { severity }
			booking { status checkedInAt personName } } } }`, map[string]any{"d": elder, "since": now})
		e.Clock.Set(start.Add(2 * time.Minute))
		in := e.Do(t, caregiver, `mutation($s: ID!, $r: ID!) { checkInCare(slotId: $s, residentId: $r) { status checkedInAt } }`,
			map[string]any{"s": str(slot), "r": elder}).Must(t)
		if at, _ := time.Parse(time.RFC3339, in.Value("checkInCare", "checkedInAt").(string)); at.In(localtime.Zone).Format("15:04") != "09:02" {
			t.Errorf("checked in at %v, want 09:02", in.Value("checkInCare", "checkedInAt"))
		}
		var ev struct {
			CareEvents struct {
				Event struct {
					Kind     string
					At       time.Time
					Note     *struct{ Body string }
					Incident *struct{ Severity string }
					Booking  struct {
						Status     string
						PersonName string
					}
				}
			}
		}
		ws.Next("care", 10*time.Second, &ev)
		if ev.CareEvents.Event.Kind != "CHECKED_IN" || ev.CareEvents.Event.At.In(localtime.Zone).Format("15:04") != "09:02" || ev.CareEvents.Event.Booking.Status != "CHECKED_IN" {
			t.Errorf("guardian heard %+v, want CHECKED_IN at 09:02", ev)
		}
		e.Do(t, caregiver, `mutation($b: ID!) { addCareNote(bookingId: $b, body: "午睡一小时，精神好。") { id } }`, map[string]any{"b": booking}).Must(t)
		ws.Next("care", 10*time.Second, &ev)
		if ev.CareEvents.Event.Kind != "NOTE" || ev.CareEvents.Event.Note == nil || ev.CareEvents.Event.Note.Body != "午睡一小时，精神好。" {
			t.Errorf("guardian heard %+v, want the note", ev)
		}
		before := e.Client.Notification.Query().Where(notification.ResidentID(e.ResidentID(t, seed.PhoneGuardian))).CountX(e.SystemCtx())
		e.Do(t, caregiver, `mutation($b: ID!) { reportCareIncident(input: {bookingId: $b, severity: SERIOUS, description: "跌倒，右膝擦伤，已处理。"}) { id } }`,
			map[string]any{"b": booking}).Must(t)
		ws.Next("care", 10*time.Second, &ev)
		if ev.CareEvents.Event.Kind != "INCIDENT" || ev.CareEvents.Event.Incident == nil || ev.CareEvents.Event.Incident.Severity != "SERIOUS" {
			t.Errorf("guardian heard %+v, want the incident", ev)
		}
		if after := e.Client.Notification.Query().Where(notification.ResidentID(e.ResidentID(t, seed.PhoneGuardian))).CountX(e.SystemCtx()); after != before+1 {
			t.Errorf("the guardian has %d new notifications after the incident, want 1", after-before)
		}
		e.Clock.Advance(50 * time.Minute)
		caregiver, elderTok = e.TokenFor(t, seed.PhoneCaregiver), e.TokenFor(t, seed.PhoneElder)
		guardian = e.TokenFor(t, seed.PhoneGuardian)
		e.Do(t, caregiver, `mutation($b: ID!) { checkOutCare(bookingId: $b) { status checkedOutAt } }`, map[string]any{"b": booking}).Must(t)
		ws.Next("care", 10*time.Second, &ev)
		if ev.CareEvents.Event.Kind != "CHECKED_OUT" {
			t.Errorf("guardian heard %+v, want CHECKED_OUT", ev)
		}
		// The elder (an adult) reads her notes; her caregiver too; the
		// community admin does not.
		for tok, want := range map[string]bool{elderTok: true, caregiver: true, e.TokenFor(t, seed.PhoneCommunityAdmin): false} {
			r := e.Do(t, tok, `query($b: ID!) { node(id: $b) { ... on CareBooking { notes { body } } } }`, map[string]any{"b": booking}).Must(t)
			if got := strings.Contains(string(r.Data), "午睡"); got != want {
				t.Errorf("note read=%v, want %v: %s", got, want, r)
			}
		}
		// The day and the reports.
		fac := e.Client.CareFacility.Query().Where(carefacility.Name(seed.DayCareCentre)).OnlyIDX(e.SystemCtx())
		day := e.Do(t, caregiver, `query($f: ID!) { careDay(facilityId: $f) { id caregivers { id } bookings { totalCount edges { node { personName status } } } } }`,
			map[string]any{"f": str(fac)}).Must(t)
		if !strings.Contains(string(day.Data), `"status":"CHECKED_OUT"`) {
			t.Errorf("the caregiver's day does not show the checked-out elder: %s", day)
		}
		from, to := start.Add(-time.Hour), start.Add(time.Hour)
		att := e.Do(t, caregiver, `query($f: ID!, $from: Time!, $to: Time!) { careAttendance(facilityId: $f, from: $from, to: $to, period: DAY) { period booked checkedIn noShows } }`,
			map[string]any{"f": str(fac), "from": from, "to": to}).Must(t)
		if att.Value("careAttendance", 0, "checkedIn") != float64(1) || att.Value("careAttendance", 0, "period") != start.Format(time.DateOnly) {
			t.Errorf("attendance: %s", att)
		}
		util := e.Do(t, caregiver, `query($f: ID!, $from: Time!, $to: Time!) { careUtilisation(facilityId: $f, from: $from, to: $to) { slot { id } capacity taken rate } }`,
			map[string]any{"f": str(fac), "from": from, "to": to}).Must(t)
		var rows struct {
			CareUtilisation []struct {
				Slot            *struct{ ID string }
				Capacity, Taken int
				Rate            float64
			}
		}
		util.Decode(t, &rows)
		found := false
		for i, row := range rows.CareUtilisation {
			if row.Slot != nil && row.Slot.ID == str(slot) {
				found = row.Capacity == 5 && row.Taken == 1 && row.Rate == 0.2
				// The service's total comes first.
				found = found && i > 0 && rows.CareUtilisation[i-1].Slot == nil && rows.CareUtilisation[i-1].Rate == 0.2
			}
		}
		if !found {
			t.Errorf("utilisation: %s", util)
		}
		e.Do(t, guardian, `query($f: ID!, $from: Time!, $to: Time!) { careAttendance(facilityId: $f, from: $from, to: $to, period: MONTH) { period } }`,
			map[string]any{"f": str(fac), "from": from, "to": to}).MustFail(t, "FORBIDDEN")
	})
}

// TestCareEventsSubscriptionAuthz: only the person and their active
// guardians follow a care log.
func TestCareEventsSubscriptionAuthz(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		elder := str(e.ResidentID(t, seed.PhoneElder))
		for _, v := range allViewers[2:] {
			ws := e.DialWS(t, e.TokenFor(t, demoPhone(v)))
			ws.Subscribe("c", `subscription($d: ID!) { careEvents(dependentId: $d) { event { kind } } }`, map[string]any{"d": elder})
			allowed := v == "06" || v == "07"
			if allowed {
				ws.Quiet(200 * time.Millisecond)
				continue
			}
			m := ws.Read(5 * time.Second)
			if (m.Type != "error" && m.Type != "next") || !strings.Contains(string(m.Payload), "FORBIDDEN") {
				t.Errorf("viewer %s subscribed: %s %s", v, m.Type, m.Payload)
			}
		}
	})
}

// TestHomeVisitGoesToAFreeCaregiver: a home visit takes a caregiver who is
// free then and goes to the household's place; when none is free it is a
// CONFLICT.
func TestHomeVisitGoesToAFreeCaregiver(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		guardian := e.TokenFor(t, seed.PhoneGuardian)
		elderID := e.ResidentID(t, seed.PhoneElder)
		// 12:30 to 13:30: between the demo caregiver's half-day shifts.
		start := tomorrowAt(e, 12, 30)
		visit := careTestSlot(t, e, seed.DayCareCentre, careservice.KindHOME_VISIT, 5, start, 60, 0)
		r := e.Do(t, guardian, `mutation($s: ID!, $w: ID!) { bookCare(input: {slotId: $s, residentId: $w}) { id caregiver { id } visitPlace { id } } }`,
			map[string]any{"s": str(visit), "w": str(elderID)}).Must(t)
		place := e.PlaceID(t, e.HouseholdID(t, elderID))
		if r.Value("bookCare", "visitPlace", "id") != str(place) || r.Value("bookCare", "caregiver", "id") == nil {
			t.Fatalf("home visit: %s", r)
		}
		// Every caregiver of the community on duty elsewhere at that time:
		// nobody is free.
		ctx := e.SystemCtx()
		sg := e.CommunityID(t, seed.CommunityShengguang)
		var all []int
		for _, ra := range e.Client.RoleAssignment.Query().AllX(ctx) {
			if ra.Role == "CAREGIVER" && ra.CommunityID != nil && *ra.CommunityID == sg {
				all = append(all, ra.ResidentID)
			}
		}
		duty := careTestSlot(t, e, seed.DayCareCentre, careservice.KindHALF_DAY, 5, start.Add(-30*time.Minute), 0, 0)
		e.Client.CareSlot.UpdateOneID(duty).SetCaregiverIds(all).ExecX(ctx)
		second := careTestSlot(t, e, seed.DayCareCentre, careservice.KindHOME_VISIT, 5, start, 60, 0)
		before := careCounts(t, e)
		r = e.Do(t, guardian, `mutation($s: ID!, $w: ID!) { bookCare(input: {slotId: $s, residentId: $w}) { id } }`,
			map[string]any{"s": str(second), "w": str(elderID)}).MustFail(t, "CONFLICT")
		if !strings.Contains(r.Message(), "no caregiver is free") {
			t.Errorf("message: %s", r.Message())
		}
		if after := careCounts(t, e); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("wrote: %v -> %v", before, after)
		}
	})
}

// TestCareInDataExport: the elder's export holds her bookings, care log,
// incident and the notes about her.
func TestCareInDataExport(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		r := e.Do(t, e.TokenFor(t, seed.PhoneElder), `mutation { exportMyData { json } }`, nil).Must(t)
		doc, _ := r.Value("exportMyData", "json").(string)
		for _, want := range []string{`"care"`, "精神不错", "脚滑", `"CHECKED_OUT"`} {
			if !strings.Contains(doc, want) {
				t.Errorf("the export does not hold %s", want)
			}
		}
	})
}

// TestHomeVisitFromTheWaitlist: a home-visit place offered from the
// waitlist gets its caregiver and address when it is confirmed.
func TestHomeVisitFromTheWaitlist(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		guardian, volunteer := e.TokenFor(t, seed.PhoneGuardian), e.TokenFor(t, seed.PhoneVolunteer)
		visit := careTestSlot(t, e, seed.DayCareCentre, careservice.KindHOME_VISIT, 1, tomorrowAt(e, 12, 30), 0, 0)
		first := book(t, e, guardian, visit, nil, false).Must(t).Value("bookCare", "id")
		waiting := book(t, e, volunteer, visit, nil, true).Must(t).Value("bookCare", "id")
		e.Do(t, guardian, `mutation($id: ID!) { cancelCareBooking(id: $id) { status } }`, map[string]any{"id": first}).Must(t)
		r := e.Do(t, volunteer, `mutation($id: ID!) { confirmCareOffer(id: $id) { status caregiver { id } visitPlace { id } } }`,
			map[string]any{"id": waiting}).Must(t)
		me := e.ResidentID(t, seed.PhoneVolunteer)
		if r.Value("confirmCareOffer", "status") != "CONFIRMED" || r.Value("confirmCareOffer", "caregiver", "id") == nil ||
			r.Value("confirmCareOffer", "visitPlace", "id") != str(e.PlaceID(t, e.HouseholdID(t, me))) {
			t.Errorf("confirmed home visit: %s", r)
		}
	})
}

// TestCareNoShow: once the slot has begun, a caregiver marks a confirmed
// person who did not come; the attendance report counts it.
func TestCareNoShow(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		start := tomorrowAt(e, 10, 0)
		slot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindBATHING, 2, start, 0, 0)
		b := book(t, e, e.TokenFor(t, seed.PhoneGuardian), slot, nil, false).Must(t).Value("bookCare", "id")
		e.Clock.Set(start.Add(20 * time.Minute))
		caregiver := e.TokenFor(t, seed.PhoneCaregiver)
		r := e.Do(t, caregiver, `mutation($b: ID!) { markCareNoShow(bookingId: $b) { status } }`, map[string]any{"b": b}).Must(t)
		if r.Value("markCareNoShow", "status") != "NO_SHOW" {
			t.Fatalf("no-show: %s", r)
		}
		e.Do(t, caregiver, `mutation($s: ID!, $r: ID!) { checkInCare(slotId: $s, residentId: $r) { id } }`,
			map[string]any{"s": str(slot), "r": str(e.ResidentID(t, seed.PhoneGuardian))}).MustFail(t, "CONFLICT")
		fac := e.Client.CareFacility.Query().Where(carefacility.Name(seed.DayCareCentre)).OnlyIDX(e.SystemCtx())
		att := e.Do(t, caregiver, `query($f: ID!, $from: Time!, $to: Time!) { careAttendance(facilityId: $f, from: $from, to: $to, period: MONTH) { period booked noShows } }`,
			map[string]any{"f": str(fac), "from": start, "to": start.Add(time.Minute)}).Must(t)
		if att.Value("careAttendance", 0, "noShows") != float64(1) || att.Value("careAttendance", 0, "period") != start.Format("2006-01") {
			t.Errorf("attendance: %s", att)
		}
	})
}
