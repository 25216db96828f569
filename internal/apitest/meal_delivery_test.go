package apitest_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/seed"
)

const (
	advanceOrder = `mutation($id: ID!, $s: MealOrderStatus!) { advanceMealOrder(id: $id, status: $s) { status } }`
	taskCheckIn  = `mutation($t: ID!) { checkInVolunteerTask(taskId: $t) { status } }`
	taskCheckOut = `mutation($t: ID!) { checkOutVolunteerTask(taskId: $t) { status creditedMinutes } }`
	taskStatus   = `query($id: ID!) { node(id: $id) { ... on VolunteerTask { status } } }`
	orderStatus  = `query($id: ID!) { node(id: $id) { ... on MealOrder { status } } }`
)

// deliveryOrder publishes a lunch menu of the demo canteen on day and has
// the elder order it delivered; it returns the order's ID and its
// volunteer task's ID.
func deliveryOrder(t *testing.T, e *apitest.Env, day string) (order, task string) {
	t.Helper()
	tok := e.DemoTokens(t)
	staff := tok[seed.PhoneCanteenStaff]
	canteenID := e.Do(t, staff, canteenQuery, nil).Must(t).Value("canteens", "edges", 0, "node", "id")
	r := e.Do(t, staff, createMenuMutation, map[string]any{"input": map[string]any{
		"canteenId": canteenID, "date": day, "period": "LUNCH", "capacity": 20,
		"dishes": []map[string]any{{"name": "番茄炒蛋", "price": 1000}}}}).Must(t)
	menuID, dish := r.Value("createMenu", "id"), r.Value("createMenu", "items", 0, "id")
	e.Do(t, staff, `mutation($id: ID!) { publishMenu(id: $id) { publishedAt } }`, map[string]any{"id": menuID}).Must(t)
	r = e.Do(t, tok[seed.PhoneElder], placeOrderMutation, map[string]any{"input": map[string]any{
		"menuId": menuID, "fulfillment": "DELIVERY", "items": []map[string]any{{"menuItemId": dish, "quantity": 1}}}}).Must(t)
	order = r.Value("placeMealOrder", "id").(string)
	id, err := strconv.Atoi(order)
	if err != nil {
		t.Fatal(err)
	}
	row := e.Client.MealOrder.Query().Where(mealorder.ID(id)).OnlyX(e.SystemCtx())
	if row.DispatchTaskID == nil {
		t.Fatal("a delivered order made no volunteer task")
	}
	return order, apitest.ID(*row.DispatchTaskID)
}

// localAt returns hh:mm on day (YYYY-MM-DD) in the canteens' zone.
func localAt(t *testing.T, day string, hh, mm int) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, day, localtime.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// TestMealOrderStepsOnItsDay: an order for a later day cannot be prepared
// (nor go out) today; on its day the canteen takes it through every step,
// and delivering it withdraws its volunteer task, which no volunteer can
// then take.
func TestMealOrderStepsOnItsDay(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		day := e.Clock.Now().In(localtime.Zone).AddDate(0, 0, 9).Format(time.DateOnly)
		order, task := deliveryOrder(t, e, day)
		staff := e.TokenFor(t, seed.PhoneCanteenStaff)
		r := e.Do(t, staff, advanceOrder, map[string]any{"id": order, "s": "PREPARING"}).MustFail(t, "CONFLICT")
		if want := "an order for lunch on " + day + " becomes PREPARING on that day only (today is "; !strings.HasPrefix(r.Message(), want) {
			t.Errorf("message %q, want it to begin %q", r.Message(), want)
		}

		e.Clock.Set(localAt(t, day, 11, 0))
		tok := e.DemoTokens(t) // the clock moved past the tokens
		staff, vol := tok[seed.PhoneCanteenStaff], tok[seed.PhoneVolunteer]
		for _, st := range []string{"PREPARING", "READY", "OUT_FOR_DELIVERY", "DELIVERED"} {
			e.Do(t, staff, advanceOrder, map[string]any{"id": order, "s": st}).Must(t)
		}
		if got := e.Do(t, vol, taskStatus, map[string]any{"id": task}).Must(t).Value("node", "status"); got != "CANCELLED" {
			t.Errorf("the delivery task of a DELIVERED order is %v, want CANCELLED", got)
		}
		e.Do(t, vol, respond, map[string]any{"t": task, "yes": true}).MustFail(t, "CONFLICT")
		e.Do(t, vol, taskCheckIn, map[string]any{"t": task}).MustFail(t, "CONFLICT")
	})
}

// TestVolunteerDeliversTheMeal: the volunteer who takes a delivery checks
// in no earlier than the grace before the serving window, cannot hand
// over a meal the kitchen has not made READY, and checking out delivers
// the order and completes the task, crediting the minutes served inside
// the window.
func TestVolunteerDeliversTheMeal(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		day := e.Clock.Now().In(localtime.Zone).AddDate(0, 0, 9).Format(time.DateOnly)
		order, task := deliveryOrder(t, e, day)

		// Lunch is served 11:00 to 12:30; check-in opens at 10:30.
		e.Clock.Set(localAt(t, day, 10, 15))
		tok := e.DemoTokens(t)
		staff, vol, elder := tok[seed.PhoneCanteenStaff], tok[seed.PhoneVolunteer], tok[seed.PhoneElder]
		e.Do(t, vol, respond, map[string]any{"t": task, "yes": true}).Must(t)
		r := e.Do(t, vol, taskCheckIn, map[string]any{"t": task}).MustFail(t, "CONFLICT")
		if want := "check-in opens 30 minutes before the task's window, at " + day + " 10:30"; r.Message() != want {
			t.Errorf("message %q, want %q", r.Message(), want)
		}
		e.Clock.Set(localAt(t, day, 10, 40))
		tok = e.DemoTokens(t)
		staff, vol = tok[seed.PhoneCanteenStaff], tok[seed.PhoneVolunteer]
		e.Do(t, vol, taskCheckIn, map[string]any{"t": task}).Must(t)
		e.Do(t, staff, advanceOrder, map[string]any{"id": order, "s": "PREPARING"}).Must(t)
		r = e.Do(t, vol, taskCheckOut, map[string]any{"t": task}).MustFail(t, "CONFLICT")
		if want := "the meal order is PREPARING: the canteen marks it READY before it can be delivered"; r.Message() != want {
			t.Errorf("message %q, want %q", r.Message(), want)
		}
		e.Do(t, staff, advanceOrder, map[string]any{"id": order, "s": "READY"}).Must(t)
		before := balance(t, e, vol)

		e.Clock.Set(localAt(t, day, 11, 20))
		tok = e.DemoTokens(t)
		staff, vol, elder = tok[seed.PhoneCanteenStaff], tok[seed.PhoneVolunteer], tok[seed.PhoneElder]
		r = e.Do(t, vol, taskCheckOut, map[string]any{"t": task}).Must(t)
		// 11:00 to 11:20: the 20 minutes before the window do not count.
		if r.Value("checkOutVolunteerTask", "status") != "DONE" || r.Value("checkOutVolunteerTask", "creditedMinutes") != 20.0 {
			t.Errorf("checked out: %s", r)
		}
		if got := balance(t, e, vol); got != before+20 {
			t.Errorf("balance %d, want %d", got, before+20)
		}
		if got := e.Do(t, elder, orderStatus, map[string]any{"id": order}).Must(t).Value("node", "status"); got != "DELIVERED" {
			t.Errorf("the order after the volunteer delivered it: %v", got)
		}
		if got := e.Do(t, vol, taskStatus, map[string]any{"id": task}).Must(t).Value("node", "status"); got != "DONE" {
			t.Errorf("the task after delivering: %v", got)
		}
		e.Do(t, staff, advanceOrder, map[string]any{"id": order, "s": "OUT_FOR_DELIVERY"}).MustFail(t, "CONFLICT")
	})
}

// TestVolunteerTaskWindow: check-in opens the grace (30 minutes) before a
// task's window, not a day early, and closes at its end; check-out
// credits only the minutes served inside the window.
func TestVolunteerTaskWindow(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tok := e.DemoTokens(t)
		vol, admin := tok[seed.PhoneVolunteer], tok[seed.PhoneCommunityAdmin]
		start := e.Clock.Now().Add(24 * time.Hour).Truncate(time.Minute)
		end := start.Add(time.Hour)
		tasks := make([]any, 2)
		for i := range tasks {
			tasks[i] = e.Do(t, admin, createTask, map[string]any{"input": map[string]any{
				"communityId": apitest.ID(e.CommunityID(t, seed.CommunityShengguang)), "title": "搬桌椅", "location": "红邻客厅",
				"windowStart": start.Format(time.RFC3339), "windowEnd": end.Format(time.RFC3339), "minutes": 120,
				"volunteerIds": []string{apitest.ID(e.ResidentID(t, seed.PhoneVolunteer))},
			}}).Must(t).Value("createVolunteerTask", "id")
			e.Do(t, vol, respond, map[string]any{"t": tasks[i], "yes": true}).Must(t)
		}
		// A day early.
		r := e.Do(t, vol, taskCheckIn, map[string]any{"t": tasks[0]}).MustFail(t, "CONFLICT")
		if want := "check-in opens 30 minutes before the task's window, at " + localtime.Clock(start.Add(-30*time.Minute)); r.Message() != want {
			t.Errorf("message %q, want %q", r.Message(), want)
		}
		e.Clock.Set(start.Add(-31 * time.Minute))
		vol = e.TokenFor(t, seed.PhoneVolunteer)
		e.Do(t, vol, taskCheckIn, map[string]any{"t": tasks[0]}).MustFail(t, "CONFLICT")
		e.Clock.Set(start.Add(-30 * time.Minute))
		e.Do(t, vol, taskCheckIn, map[string]any{"t": tasks[0]}).Must(t)

		// Checked in 30 minutes early, out 40 minutes late: the hour of the
		// window is credited, not 130 minutes (capped at 120).
		e.Clock.Set(end.Add(40 * time.Minute))
		vol = e.TokenFor(t, seed.PhoneVolunteer)
		r = e.Do(t, vol, taskCheckOut, map[string]any{"t": tasks[0]}).Must(t)
		if r.Value("checkOutVolunteerTask", "creditedMinutes") != 60.0 {
			t.Errorf("checked out: %s", r)
		}
		r = e.Do(t, vol, taskCheckIn, map[string]any{"t": tasks[1]}).MustFail(t, "CONFLICT")
		if want := "check-in closed at the end of the task's window, " + localtime.Clock(end); r.Message() != want {
			t.Errorf("message %q, want %q", r.Message(), want)
		}
	})
}
