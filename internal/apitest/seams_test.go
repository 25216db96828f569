package apitest_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/volunteertask"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/seed"
)

// TestCanteenOrderPaysWithCreditAndDispatchesAVolunteer crosses the seams
// between the canteen and Red Neighbor on a real server: a volunteer gives
// an elder time-bank minutes; she orders lunch delivered and paid partly
// with her credit (whoever orders pays with their own credit); her account is debited and a volunteer task for the delivery
// appears in her community; cancelling refunds the credit and withdraws
// the task, in the same transaction as the order.
func TestCanteenOrderPaysWithCreditAndDispatchesAVolunteer(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tok := e.DemoTokens(t)
		staff, elder := tok[seed.PhoneCanteenStaff], tok[seed.PhoneElder]
		elderID := e.ResidentID(t, seed.PhoneElder)
		balance := func() float64 {
			t.Helper()
			return e.Do(t, elder, `{ myTimeAccount { balance } }`, nil).Must(t).Value("myTimeAccount", "balance").(float64)
		}
		start := balance()
		e.Do(t, tok[seed.PhoneVolunteer], `mutation($in: TransferTimeInput!) { transferTime(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"toResidentId": apitest.ID(elderID), "minutes": 30, "memo": "for your lunches", "key": "gift-1"}}).Must(t)

		canteenID := e.Do(t, staff, canteenQuery, nil).Must(t).Value("canteens", "edges", 0, "node", "id")
		day := e.Clock.Now().In(localtime.Zone).AddDate(0, 0, 9).Format(time.DateOnly)
		r := e.Do(t, staff, createMenuMutation, map[string]any{"input": map[string]any{
			"canteenId": canteenID, "date": day, "period": "LUNCH", "capacity": 20,
			"dishes": []map[string]any{{"name": "番茄炒蛋", "price": 1000}}}}).Must(t)
		menuID, dish := r.Value("createMenu", "id"), r.Value("createMenu", "items", 0, "id")
		e.Do(t, staff, `mutation($id: ID!) { publishMenu(id: $id) { publishedAt } }`, map[string]any{"id": menuID}).Must(t)

		r = e.Do(t, elder, placeOrderMutation, map[string]any{"input": map[string]any{
			"menuId": menuID, "fulfillment": "DELIVERY", "creditMinutes": 20,
			"items": []map[string]any{{"menuItemId": dish, "quantity": 1}}}}).Must(t)
		o := r.Value("placeMealOrder").(map[string]any)
		if o["creditMinutes"] != 20.0 || o["creditValue"] != 200.0 || o["amountPaid"] != o["listPrice"].(float64)-o["subsidy"].(float64)-200 {
			t.Fatalf("price breakdown with 20 minutes of credit at 10 fen: %v", o)
		}
		if got := balance(); got != start+30-20 {
			t.Errorf("balance after the order: %v, want %v", got, start+30-20)
		}
		ctx := e.SystemCtx()
		orderID, err := strconv.Atoi(o["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		row := e.Client.MealOrder.Query().Where(mealorder.ID(orderID)).OnlyX(ctx)
		if row.DispatchTaskID == nil {
			t.Fatal("a delivered order made no volunteer task")
		}
		task := e.Client.VolunteerTask.GetX(ctx, *row.DispatchTaskID)
		if task.Status != volunteertask.StatusOPEN || task.CommunityID != e.CommunityID(t, seed.CommunityShengguang) {
			t.Errorf("the delivery task: %+v", task)
		}

		e.Do(t, elder, `mutation($id: ID!) { cancelMealOrder(id: $id) { status } }`, map[string]any{"id": o["id"]}).Must(t)
		if got := balance(); got != start+30 {
			t.Errorf("balance after cancelling: %v, want %v (credit refunded)", got, start+30)
		}
		if task := e.Client.VolunteerTask.GetX(ctx, *row.DispatchTaskID); task.Status != volunteertask.StatusCANCELLED {
			t.Errorf("the delivery task after cancelling: %s", task.Status)
		}
	})
}
