package apitest_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/seed"
)

const canteenQuery = `{ canteens(where: {name: "` + seed.CanteenShengguang + `"}) { edges { node { id followedByMe periods { id kind } } } } }`

const createMenuMutation = `mutation($input: CreateMenuInput!) { createMenu(input: $input) { id publishedAt items { id name price } } }`

const placeOrderMutation = `mutation($input: PlaceMealOrderInput!) { placeMealOrder(input: $input) {
	id status tier listPrice subsidy creditMinutes creditValue amountPaid pickupCode recipientName deliveryAddress
	beneficiary { id } orderedBy { id } items { name quantity unitPrice } } }`

const orderSubscription = `subscription($id: ID!) { mealOrderUpdated(id: $id) { order { id status } } }`

// TestCanteenThroughTheAPI walks a day of the demo canteen: staff write
// and publish a menu (followers hear of it), a son orders lunch delivered
// to his mother at her tier, follows it live while staff prepare it, both
// are notified when it is ready, the kitchen sees it in its grid's
// delivery list, and the cut-off closes ordering and cancelling.
func TestCanteenThroughTheAPI(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tok := e.DemoTokens(t)
		staff, son, elder, other, admin := tok[seed.PhoneCanteenStaff], tok[seed.PhoneGuardian], tok[seed.PhoneElder], tok[seed.PhoneOtherResident], tok[seed.PhoneCommunityAdmin]
		r := e.Do(t, elder, canteenQuery, nil).Must(t)
		canteenID := r.Value("canteens", "edges", 0, "node", "id")
		if canteenID == nil || r.Value("canteens", "edges", 0, "node", "followedByMe") != true {
			t.Fatalf("canteen: %s", r)
		}
		// Following is idempotent, and so is not following.
		follow := `mutation($id: ID!) { followCanteen(id: $id) { followedByMe } }`
		unfollow := `mutation($id: ID!) { unfollowCanteen(id: $id) { followedByMe } }`
		for _, step := range []struct {
			m    string
			want bool
		}{{unfollow, false}, {unfollow, false}, {follow, true}, {follow, true}} {
			r := e.Do(t, son, step.m, map[string]any{"id": canteenID}).Must(t)
			if got := r.Value("followCanteen", "followedByMe"); got != nil && got != step.want {
				t.Errorf("follow: %s", r)
			}
			if got := r.Value("unfollowCanteen", "followedByMe"); got != nil && got != step.want {
				t.Errorf("unfollow: %s", r)
			}
		}
		e.Do(t, "", follow, map[string]any{"id": canteenID}).MustFail(t, "UNAUTHENTICATED")

		// A day after the seeded week, so that there is no menu yet.
		day := e.Clock.Now().In(localtime.Zone).AddDate(0, 0, 9).Format(time.DateOnly)
		input := map[string]any{"canteenId": canteenID, "date": day, "period": "LUNCH", "capacity": 20, "dishes": []map[string]any{
			{"name": "清蒸鲈鱼", "price": 1200, "tags": []string{"LOW_SALT", "SOFT"}, "allergens": []string{"fish"}},
			{"name": "米饭", "price": 100},
		}}
		r = e.Do(t, staff, createMenuMutation, map[string]any{"input": input})
		r.Must(t)
		e.Do(t, staff, createMenuMutation, map[string]any{"input": input}).MustFail(t, "CONFLICT")
		menuID := r.Value("createMenu", "id")
		fish, rice := r.Value("createMenu", "items", 0, "id"), r.Value("createMenu", "items", 1, "id")
		e.Do(t, son, createMenuMutation, map[string]any{"input": input}).MustFail(t, "FORBIDDEN")
		bad := map[string]any{"canteenId": canteenID, "date": day, "period": "DINNER", "dishes": []map[string]any{{"name": "x", "price": 100, "tags": []string{"SPICY"}}}}
		e.Do(t, staff, createMenuMutation, map[string]any{"input": bad}).MustFail(t, "BAD_USER_INPUT")

		order := map[string]any{"menuId": menuID, "beneficiaryId": apitest.ID(e.ResidentID(t, seed.PhoneElder)), "fulfillment": "DELIVERY",
			"items": []map[string]any{{"menuItemId": fish, "quantity": 1}, {"menuItemId": rice, "quantity": 2}}}
		// Not published: residents do not see it.
		e.Do(t, son, placeOrderMutation, map[string]any{"input": order}).MustFail(t, "NOT_FOUND")
		e.Do(t, staff, `mutation($id: ID!) { publishMenu(id: $id) { publishedAt } }`, map[string]any{"id": menuID}).Must(t)
		e.Relay.Flush(t.Context())
		for _, who := range []string{son, elder} {
			r := e.Do(t, who, `{ notifications(first: 5) { edges { node { kind title } } } }`, nil).Must(t)
			if r.Value("notifications", "edges", 0, "node", "kind") != "MENU_PUBLISHED" {
				t.Errorf("a follower was not told of the menu: %s", r)
			}
		}

		// Residents find it through the canteen's lunch period.
		pm := e.Do(t, son, `query($c: ID!, $d: String!) { node(id: $c) { ... on Canteen { periods { kind menu(date: $d) { id capacity ordered } } } } }`,
			map[string]any{"c": canteenID, "d": day}).Must(t)
		found := false
		for i := range 3 {
			if pm.Value("node", "periods", i, "kind") == "LUNCH" {
				found = pm.Value("node", "periods", i, "menu", "id") == menuID && pm.Value("node", "periods", i, "menu", "capacity") == 20.0
			}
		}
		if !found {
			t.Errorf("the lunch period does not lead to the menu: %s", pm)
		}
		q := e.Do(t, son, `query($input: PlaceMealOrderInput!) { quoteMealOrder(input: $input) { tier amountPaid eligible } }`,
			map[string]any{"input": order}).Must(t)
		if q.Value("quoteMealOrder", "tier") != "AGE_80_PLUS" || q.Value("quoteMealOrder", "amountPaid") != 900.0 {
			t.Errorf("quote: %s", q)
		}
		e.Do(t, other, placeOrderMutation, map[string]any{"input": order}).MustFail(t, "FORBIDDEN")
		withTier := map[string]any{}
		for k, v := range order {
			withTier[k] = v
		}
		withTier["tier"] = "LOW_INCOME"
		before := e.Counts(t)
		if r := e.Do(t, son, placeOrderMutation, map[string]any{"input": withTier}).MustFail(t, "FORBIDDEN"); !strings.Contains(r.Message(), "does not qualify for the LOW_INCOME tier") {
			t.Errorf("message: %s", r.Message())
		}
		if after := e.Counts(t); !equalCounts(before, after) {
			t.Errorf("a refused order wrote something")
		}
		// The kitchen follows the day live; residents may not.
		kitchenSub := `subscription($c: ID!, $d: String!) { canteenKitchenUpdated(canteenId: $c, date: $d) { kitchen { periods { meals } deliveries { orders { edges { node { id } } } } } } }`
		kws := e.DialWS(t, staff)
		kws.Subscribe("k", kitchenSub, map[string]any{"c": canteenID, "d": day})
		var kitchen struct {
			CanteenKitchenUpdated struct {
				Kitchen struct {
					Periods    []struct{ Meals int }
					Deliveries []struct {
						Orders struct {
							Edges []struct{ Node struct{ ID string } }
						}
					}
				}
			}
		}
		kws.Next("k", 10*time.Second, &kitchen)
		if len(kitchen.CanteenKitchenUpdated.Kitchen.Periods) != 0 {
			t.Fatalf("kitchen before any order: %+v", kitchen)
		}
		nosy := e.DialWS(t, son)
		nosy.Subscribe("k", kitchenSub, map[string]any{"c": canteenID, "d": day})
		if m := nosy.Read(10 * time.Second); !strings.Contains(string(m.Payload), "FORBIDDEN") {
			t.Fatalf("a resident's kitchen subscription gave %s %s", m.Type, m.Payload)
		}

		r = e.Do(t, son, placeOrderMutation, map[string]any{"input": order}).Must(t)
		o := func(k string) any { return r.Value("placeMealOrder", k) }
		kws.Next("k", 10*time.Second, &kitchen)
		if k := kitchen.CanteenKitchenUpdated.Kitchen; len(k.Periods) != 1 || k.Periods[0].Meals != 1 ||
			len(k.Deliveries) != 1 || len(k.Deliveries[0].Orders.Edges) != 1 || k.Deliveries[0].Orders.Edges[0].Node.ID != o("id") {
			t.Errorf("kitchen after the order: %+v", kitchen)
		}
		// His mother hears that he ordered for her.
		e.Relay.Flush(t.Context())
		n := e.Do(t, elder, `{ notifications(first: 1) { edges { node { kind title subject { id } } } } }`, nil).Must(t)
		if n.Value("notifications", "edges", 0, "node", "kind") != "MEAL_ORDER" ||
			!strings.Contains(n.Value("notifications", "edges", 0, "node", "title").(string), "为您订了") {
			t.Errorf("the elder was not told: %s", n)
		}
		if o("status") != "PLACED" || o("tier") != "AGE_80_PLUS" || o("listPrice") != 1400.0 || o("subsidy") != 500.0 ||
			o("amountPaid") != 900.0 || o("creditMinutes") != 0.0 || o("recipientName") == "" ||
			o("deliveryAddress") == nil || len(o("pickupCode").(string)) != 6 || r.Value("placeMealOrder", "orderedBy", "id") == nil {
			t.Errorf("order: %s", r)
		}
		orderID := o("id")

		// The kitchen works on the meal's day (before the cut-off, so
		// that ordering and cancelling stay open a little longer).
		e.Clock.Set(cutoffOf(t, day).Add(-time.Hour))
		tok = e.DemoTokens(t) // the clock moved past the tokens
		staff, son, elder, other, admin = tok[seed.PhoneCanteenStaff], tok[seed.PhoneGuardian], tok[seed.PhoneElder], tok[seed.PhoneOtherResident], tok[seed.PhoneCommunityAdmin]

		// The son follows it live; a stranger may not.
		ws := e.DialWS(t, son)
		ws.Subscribe("o", orderSubscription, map[string]any{"id": orderID})
		var got struct {
			MealOrderUpdated struct{ Order struct{ ID, Status string } }
		}
		ws.Next("o", 10*time.Second, &got)
		if got.MealOrderUpdated.Order.Status != "PLACED" {
			t.Fatalf("first: %+v", got)
		}
		stranger := e.DialWS(t, other)
		stranger.Subscribe("o", orderSubscription, map[string]any{"id": orderID})
		if m := stranger.Read(10 * time.Second); !strings.Contains(string(m.Payload), "NOT_FOUND") {
			t.Fatalf("a stranger's subscription gave %s %s", m.Type, m.Payload)
		}
		advance := `mutation($id: ID!, $s: MealOrderStatus!) { advanceMealOrder(id: $id, status: $s) { status } }`
		e.Do(t, son, advance, map[string]any{"id": orderID, "s": "PREPARING"}).MustFail(t, "FORBIDDEN")
		for _, st := range []string{"PREPARING", "READY"} {
			e.Do(t, staff, advance, map[string]any{"id": orderID, "s": st}).Must(t)
			ws.Next("o", 10*time.Second, &got)
			if got.MealOrderUpdated.Order.Status != st {
				t.Fatalf("live: %+v, want %s", got, st)
			}
		}
		e.Relay.Flush(t.Context())
		for _, who := range []string{son, elder} {
			r := e.Do(t, who, `{ notifications(first: 1) { edges { node { kind title subject { id } } } } }`, nil).Must(t)
			if r.Value("notifications", "edges", 0, "node", "kind") != "MEAL_ORDER" ||
				r.Value("notifications", "edges", 0, "node", "subject", "id") != orderID {
				t.Errorf("not told the meal is ready: %s", r)
			}
		}

		// The kitchen: the dish counts and the delivery in the elder's grid.
		// Staff see the recipient's name, not the resident.
		k := e.Do(t, staff, `query($c: ID!, $d: String!) { canteenKitchen(canteenId: $c, date: $d) {
			periods { period meals dishes { name portions } }
			deliveries { grid { code } orders(first: 1) { totalCount pageInfo { hasNextPage }
				edges { node { id recipientName deliveryAddress beneficiary { id } } } } } } }`,
			map[string]any{"c": canteenID, "d": day}).Must(t)
		if k.Value("canteenKitchen", "periods", 0, "meals") != 1.0 || k.Value("canteenKitchen", "periods", 0, "dishes", 1, "portions") != 2.0 ||
			k.Value("canteenKitchen", "deliveries", 0, "grid", "code") != seed.GridShengguang01 ||
			k.Value("canteenKitchen", "deliveries", 0, "orders", "totalCount") != 1.0 ||
			k.Value("canteenKitchen", "deliveries", 0, "orders", "pageInfo", "hasNextPage") != false ||
			k.Value("canteenKitchen", "deliveries", 0, "orders", "edges", 0, "node", "id") != orderID ||
			k.Value("canteenKitchen", "deliveries", 0, "orders", "edges", 0, "node", "beneficiary") != nil {
			t.Errorf("kitchen: %s", k)
		}
		e.Do(t, son, `query($c: ID!, $d: String!) { canteenKitchen(canteenId: $c, date: $d) { date } }`,
			map[string]any{"c": canteenID, "d": day}).MustFail(t, "FORBIDDEN")
		month := day[:7]
		rep := e.Do(t, admin, `query($c: ID!, $m: String!) { canteenMonthlyReport(canteenId: $c, month: $m) { total { meals subsidy } tiers { tier meals subsidy } } }`,
			map[string]any{"c": canteenID, "m": month}).Must(t)
		if n, _ := rep.Value("canteenMonthlyReport", "total", "meals").(float64); n < 1 {
			t.Errorf("report: %s", rep)
		}
		e.Do(t, elder, `query($c: ID!, $m: String!) { canteenMonthlyReport(canteenId: $c, month: $m) { month } }`,
			map[string]any{"c": canteenID, "m": month}).MustFail(t, "FORBIDDEN")

		// A 低保 qualification recorded by the community admin makes
		// LOW_INCOME the elder's best tier; her son may not record one.
		rec := `mutation($r: ID!) { recordSubsidyQualification(residentId: $r, kind: LOW_INCOME) { id kind } }`
		elderID := apitest.ID(e.ResidentID(t, seed.PhoneElder))
		e.Do(t, son, rec, map[string]any{"r": elderID}).MustFail(t, "FORBIDDEN")
		e.Do(t, admin, rec, map[string]any{"r": elderID}).Must(t)
		q = e.Do(t, son, `query($input: PlaceMealOrderInput!) { quoteMealOrder(input: $input) { tier subsidy } }`,
			map[string]any{"input": order}).Must(t)
		if q.Value("quoteMealOrder", "tier") != "LOW_INCOME" || q.Value("quoteMealOrder", "subsidy") != 800.0 {
			t.Errorf("quote with 低保: %s", q)
		}
		// One lunch per person: she cannot order a second one; her son
		// orders his own.
		own := map[string]any{"menuId": menuID, "fulfillment": "PICK_UP", "items": []map[string]any{{"menuItemId": rice, "quantity": 1}}}
		if r := e.Do(t, elder, placeOrderMutation, map[string]any{"input": own}).MustFail(t, "CONFLICT"); !strings.Contains(r.Message(), "already has lunch") {
			t.Errorf("second lunch: %s", r.Message())
		}
		second := e.Do(t, son, placeOrderMutation, map[string]any{"input": own}).Must(t)

		// The elder's data export holds her orders, including the one her
		// son placed, and her 低保 qualification.
		x := e.Do(t, elder, `mutation { exportMyData { json } }`, nil).Must(t)
		var doc struct {
			MealOrders []struct {
				ID    int    `json:"id"`
				Tier  string `json:"tier"`
				Edges struct {
					Items []struct{ Name string } `json:"items"`
				} `json:"edges"`
			} `json:"mealOrders"`
			SubsidyQualifications []struct{ Kind string } `json:"subsidyQualifications"`
		}
		if err := json.Unmarshal([]byte(x.Value("exportMyData", "json").(string)), &doc); err != nil {
			t.Fatal(err)
		}
		exported := false
		for _, mo := range doc.MealOrders {
			exported = exported || (apitest.ID(mo.ID) == orderID && len(mo.Edges.Items) == 2)
		}
		if !exported || len(doc.SubsidyQualifications) != 1 || doc.SubsidyQualifications[0].Kind != "LOW_INCOME" {
			t.Errorf("export: %d orders (son's order there: %v), qualifications %+v", len(doc.MealOrders), exported, doc.SubsidyQualifications)
		}

		// The cut-off: no more orders, no cancelling.
		e.Clock.Set(cutoffOf(t, day))
		son, elder = e.TokenFor(t, seed.PhoneGuardian), e.TokenFor(t, seed.PhoneElder) // the clock moved past their tokens
		e.Do(t, son, placeOrderMutation, map[string]any{"input": order}).MustFail(t, "CONFLICT")
		e.Do(t, son, `mutation($id: ID!) { cancelMealOrder(id: $id) { status } }`,
			map[string]any{"id": second.Value("placeMealOrder", "id")}).MustFail(t, "CONFLICT")
	})
}

// cutoffOf returns the lunch cut-off of the demo canteen on day (10:00).
func cutoffOf(t *testing.T, day string) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, day, localtime.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(10 * time.Hour)
}
