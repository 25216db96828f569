package apitest_test

import (
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/testclock"
)

// TestMessageStyle: the messages that mixed styles now name states as the
// API does and say durations in words. Each is the exact text a client
// gets.
func TestMessageStyle(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		t.Run("rating a request that is not CONFIRMED", func(t *testing.T) {
			q := newRequests(t, e)
			id := q.file(t, seed.PhoneGuardian, map[string]any{
				"categoryId": categoryID(t, e, seed.CategoryRepair), "description": "楼道灯坏了",
				"answers": []map[string]any{{"name": "spot", "value": "2单元3楼"}},
			}).ID
			q.must(t, seed.PhoneGridWorker, "claimRequest", id, "", nil)
			q.must(t, seed.PhoneGridWorker, "resolveRequest", id, ", resolution: $resolution", map[string]any{"resolution": "已更换灯泡"})
			r := q.do(t, seed.PhoneGuardian, "rateRequest", id, ", rating: $rating", map[string]any{"rating": 5}).MustFail(t, "CONFLICT")
			if want := "the request is RESOLVED: you can rate it only when it is CONFIRMED"; r.Message() != want {
				t.Errorf("message %q, want %q", r.Message(), want)
			}
		})

		t.Run("checking in twice", func(t *testing.T) {
			tokens := e.DemoTokens(t)
			vol := tokens[seed.PhoneVolunteer]
			now := e.Clock.Now()
			task := e.Do(t, tokens[seed.PhoneCommunityAdmin], createTask, map[string]any{"input": map[string]any{
				"communityId": apitest.ID(e.CommunityID(t, seed.CommunityShengguang)), "title": "搬桌椅", "location": "红邻客厅",
				"windowStart": now.Format(time.RFC3339), "windowEnd": now.Add(2 * time.Hour).Format(time.RFC3339), "minutes": 60,
				"volunteerIds": []string{apitest.ID(e.ResidentID(t, seed.PhoneVolunteer))},
			}}).Must(t).Value("createVolunteerTask", "id")
			e.Do(t, vol, respond, map[string]any{"t": task, "yes": true}).Must(t)
			checkIn := `mutation($t: ID!) { checkInVolunteerTask(taskId: $t) { status } }`
			e.Do(t, vol, checkIn, map[string]any{"t": task}).Must(t)
			r := e.Do(t, vol, checkIn, map[string]any{"t": task}).MustFail(t, "CONFLICT")
			if want := "only an ACCEPTED assignment can be checked in (this one is CHECKED_IN)"; r.Message() != want {
				t.Errorf("message %q, want %q", r.Message(), want)
			}
		})

		t.Run("cancelling care after the cut-off", func(t *testing.T) {
			start := e.Clock.Now().Add(3 * time.Hour).Truncate(time.Minute)
			slot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindBATHING, 2, start, 60, 0)
			elder := str(e.ResidentID(t, seed.PhoneElder))
			booked := book(t, e, e.TokenFor(t, seed.PhoneGuardian), slot, elder, false).Must(t).Value("bookCare", "id")
			e.Clock.Set(start.Add(-90 * time.Minute)) // the cut-off is 2 hours before
			r := e.Do(t, e.TokenFor(t, seed.PhoneGuardian), `mutation($id: ID!) { cancelCareBooking(id: $id) { id } }`,
				map[string]any{"id": booked}).MustFail(t, "CONFLICT")
			want := "too late to cancel: cancellation closed at " +
				start.Add(-2*time.Hour).In(localtime.Zone).Format("2006-01-02 15:04") + ", 2 hours before the slot"
			if r.Message() != want {
				t.Errorf("message %q, want %q", r.Message(), want)
			}
		})
	}, apitest.WithClockStart(testclock.Start()))
}
