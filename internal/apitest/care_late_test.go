package apitest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/testclock"
)

const bookCareLate = `mutation($slot: ID!, $who: ID, $wait: Boolean, $accept: Boolean) {
	bookCare(input: {slotId: $slot, residentId: $who, waitlist: $wait, acceptNoCancellation: $accept}) { id status } }`

const confirmCareOfferLate = `mutation($id: ID!, $accept: Boolean) {
	confirmCareOffer(id: $id, acceptNoCancellation: $accept) { status } }`

// lateMessage is what a place taken after the cut-off is refused with, at
// now for a slot starting at start (the default cut-off of 2 hours).
func lateMessage(now, start time.Time) string {
	return fmt.Sprintf("this slot starts in %s (at %s); bookings can no longer be cancelled 2 hours before the slot, so cancelling it closed at %s. "+
		"Send acceptNoCancellation: true to take a place you cannot cancel",
		localtime.InWords(start.Sub(now)), localtime.Clock(start), localtime.Clock(start.Add(-2*time.Hour)))
}

// TestCareBookingAfterTheCancellationCutoff: a place in a slot that starts
// in 14 minutes (cancelling closed 1 hour 46 minutes ago) is refused with a
// message in words and extensions.field acceptNoCancellation, writing
// nothing; sent again with acceptNoCancellation it is CONFIRMED (and cannot
// be cancelled). Joining the waitlist needs no acceptance: a waitlist place
// can always be cancelled.
func TestCareBookingAfterTheCancellationCutoff(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		guardian, volunteer := e.TokenFor(t, seed.PhoneGuardian), e.TokenFor(t, seed.PhoneVolunteer)
		elder := str(e.ResidentID(t, seed.PhoneElder))
		now := e.Clock.Now()
		start := now.Add(14 * time.Minute)
		slot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindBATHING, 1, start, 0, 0)

		before := careCounts(t, e)
		for _, accept := range []any{nil, false} {
			r := e.Do(t, guardian, bookCareLate, map[string]any{"slot": str(slot), "who": elder, "accept": accept}).MustFail(t, "CONFLICT")
			if r.Field() != "acceptNoCancellation" {
				t.Errorf("extensions.field = %q, want acceptNoCancellation", r.Field())
			}
			if want := lateMessage(now, start); r.Message() != want {
				t.Errorf("message\n %q\nwant\n %q", r.Message(), want)
			}
			if !strings.Contains(r.Message(), "starts in 14 minutes") {
				t.Errorf("the message does not say when the slot starts in words: %q", r.Message())
			}
		}
		if after := careCounts(t, e); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("a refused late booking wrote: %v -> %v", before, after)
		}

		r := e.Do(t, guardian, bookCareLate, map[string]any{"slot": str(slot), "who": elder, "accept": true}).Must(t)
		if r.Value("bookCare", "status") != "CONFIRMED" {
			t.Fatalf("late booking with acceptNoCancellation: %s", r)
		}
		e.Do(t, guardian, `mutation($id: ID!) { cancelCareBooking(id: $id) { id } }`,
			map[string]any{"id": r.Value("bookCare", "id")}).MustFail(t, "CONFLICT")

		// The slot is full now: a waitlist place needs no acceptance.
		w := e.Do(t, volunteer, bookCareLate, map[string]any{"slot": str(slot), "wait": true}).Must(t)
		if w.Value("bookCare", "status") != "WAITLISTED" {
			t.Errorf("waitlist after the cut-off: %s", w)
		}
	}, apitest.WithClockStart(testclock.Start()))
}

// TestCareOfferConfirmedAfterTheCancellationCutoff: a place freed before
// the cut-off and offered from the waitlist, confirmed once the cut-off has
// passed, needs acceptNoCancellation like a booking.
func TestCareOfferConfirmedAfterTheCancellationCutoff(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		guardian, volunteer := e.TokenFor(t, seed.PhoneGuardian), e.TokenFor(t, seed.PhoneVolunteer)
		start := e.Clock.Now().Add(3 * time.Hour)
		slot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindREHABILITATION, 1, start, 0, 0)
		first := book(t, e, guardian, slot, nil, false).Must(t).Value("bookCare", "id")
		waiting := book(t, e, volunteer, slot, nil, true).Must(t).Value("bookCare", "id")

		e.Clock.Advance(50 * time.Minute) // 2 hours 10 minutes before the slot
		guardian = e.TokenFor(t, seed.PhoneGuardian)
		e.Do(t, guardian, `mutation($id: ID!) { cancelCareBooking(id: $id) { status } }`, map[string]any{"id": first}).Must(t)
		e.Clock.Advance(15 * time.Minute) // the offer stands; cancelling closed 5 minutes ago
		volunteer = e.TokenFor(t, seed.PhoneVolunteer)
		before := careCounts(t, e)
		r := e.Do(t, volunteer, confirmCareOfferLate, map[string]any{"id": waiting}).MustFail(t, "CONFLICT")
		if r.Field() != "acceptNoCancellation" || r.Message() != lateMessage(e.Clock.Now(), start) {
			t.Errorf("late confirmation: field %q, message %q", r.Field(), r.Message())
		}
		if !strings.Contains(r.Message(), "starts in 1 hour 55 minutes") {
			t.Errorf("the message does not say when the slot starts in words: %q", r.Message())
		}
		if after := careCounts(t, e); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("a refused confirmation wrote: %v -> %v", before, after)
		}
		ok := e.Do(t, volunteer, confirmCareOfferLate, map[string]any{"id": waiting, "accept": true}).Must(t)
		if ok.Value("confirmCareOffer", "status") != "CONFIRMED" {
			t.Errorf("confirmed with acceptNoCancellation: %s", ok)
		}
	}, apitest.WithClockStart(testclock.Start()))
}
