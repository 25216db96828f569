package canteen_test

import (
	"testing"

	"github.com/jimei-linli/linli/ent/mealperiod"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/canteen"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// TestCanteenSetup: admins open canteens and set subsidies (which apply to
// new orders only); staff set meal periods; nobody else does either.
func TestCanteenSetup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		before, err := f.svc.PlaceOrder(f.as("elder"), f.order("elder"))
		if err != nil {
			t.Fatal(err)
		}
		st := canteen.Settings{Name: "盛光食堂", Address: "盛光路88号", SubsidyAge6079: 300, SubsidyAge80Plus: 700,
			SubsidyLowIncome: 800, SubsidyDisabled: 600, CreditFenPerMinute: 10}
		_, err = f.svc.UpdateCanteen(f.as("staff"), f.canteen.ID, st)
		wantCode(t, err, apperr.Forbidden, "admins")
		if _, err := f.svc.UpdateCanteen(f.as("admin"), f.canteen.ID, st); err != nil {
			t.Fatal(err)
		}
		after, err := f.svc.PlaceOrder(f.as("turns80"), f.order("turns80"))
		if err != nil {
			t.Fatal(err)
		}
		if before.Subsidy != 500 || after.Subsidy != 700 {
			t.Errorf("subsidy before %d, after %d; want 500, 700", before.Subsidy, after.Subsidy)
		}
		if o, err := f.client.MealOrder.Get(system(), before.ID); err != nil || o.Subsidy != 500 {
			t.Errorf("the earlier order changed: %+v %v", o, err)
		}
		bad := st
		bad.SubsidyDisabled = -1
		_, err = f.svc.UpdateCanteen(f.as("admin"), f.canteen.ID, bad)
		wantCode(t, err, apperr.BadUserInput, "0 or more")

		c, err := f.svc.CreateCanteen(f.as("admin"), f.community, canteen.Settings{Name: "第二食堂", Address: "盛光路2号"})
		if err != nil || c.CommunityID != f.community {
			t.Fatalf("create: %+v %v", c, err)
		}
		_, err = f.svc.CreateCanteen(f.as("staff"), f.community, canteen.Settings{Name: "x", Address: "y"})
		wantCode(t, err, apperr.Forbidden, "admins")

		dinner := canteen.PeriodSettings{Kind: mealperiod.KindDINNER, ServesFrom: "17:00", ServesUntil: "18:30", OrderCutoff: "15:00", Capacity: 40}
		p, err := f.svc.SetMealPeriod(f.as("staff"), f.canteen.ID, dinner)
		if err != nil || p.Capacity != 40 || p.Kind != mealperiod.KindDINNER {
			t.Fatalf("dinner: %+v %v", p, err)
		}
		dinner.Capacity = 60
		if p2, err := f.svc.SetMealPeriod(f.as("staff"), f.canteen.ID, dinner); err != nil || p2.ID != p.ID || p2.Capacity != 60 {
			t.Errorf("dinner changed: %+v %v", p2, err)
		}
		dinner.OrderCutoff = "17:30"
		_, err = f.svc.SetMealPeriod(f.as("staff"), f.canteen.ID, dinner)
		wantCode(t, err, apperr.BadUserInput, "before serving starts")
		dinner.OrderCutoff, dinner.CutoffDaysBefore = "20:00", 1
		if _, err := f.svc.SetMealPeriod(f.as("staff"), f.canteen.ID, dinner); err != nil {
			t.Errorf("the day before: %v", err)
		}
		_, err = f.svc.SetMealPeriod(f.as("elder"), f.canteen.ID, dinner)
		wantCode(t, err, apperr.Forbidden, "staff")
	})
}

// TestCutoffTheDayBefore: breakfast orders close at 20:00 the day before;
// staff write and publish the menu through the service.
func TestCutoffTheDayBefore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		_, err := f.svc.SetMealPeriod(f.as("staff"), f.canteen.ID, canteen.PeriodSettings{Kind: mealperiod.KindBREAKFAST,
			ServesFrom: "07:00", ServesUntil: "08:30", OrderCutoff: "20:00", CutoffDaysBefore: 1, Capacity: 30})
		if err != nil {
			t.Fatal(err)
		}
		in := canteen.MenuInput{CanteenID: f.canteen.ID, Date: mealDay, Period: mealperiod.KindBREAKFAST,
			Dishes: []canteen.Dish{{Name: "粥", Price: 300, Tags: []string{"SOFT"}}}}
		_, err = f.svc.CreateMenu(f.as("elder"), in)
		wantCode(t, err, apperr.Forbidden, "staff")
		m, err := f.svc.CreateMenu(f.as("staff"), in)
		if err != nil || m.Capacity != 30 || m.PublishedAt != nil {
			t.Fatalf("menu: %+v %v", m, err)
		}
		_, err = f.svc.CreateMenu(f.as("staff"), in)
		wantCode(t, err, apperr.Conflict, "already has a breakfast menu")
		dish, err := f.client.MenuItem.Query().All(system())
		if err != nil {
			t.Fatal(err)
		}
		order := canteen.OrderInput{MenuID: m.ID, Fulfillment: "DINE_IN"}
		for _, d := range dish {
			if d.MenuID == m.ID {
				order.Items = append(order.Items, canteen.Item{MenuItemID: d.ID, Quantity: 2})
			}
		}
		_, err = f.svc.PlaceOrder(f.as("elder"), order)
		wantCode(t, err, apperr.NotFound, "menu not found") // not published yet
		if _, err := f.svc.PublishMenu(f.as("staff"), m.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(at("2026-11-30", 19, 59))
		o, err := f.svc.PlaceOrder(f.as("elder"), order)
		if err != nil || o.ListPrice != 600 || o.Subsidy != 500 {
			t.Fatalf("at 19:59 the day before: %+v %v", o, err)
		}
		f.clock.Set(at("2026-11-30", 20, 0))
		_, err = f.svc.PlaceOrder(f.as("elder"), order)
		wantCode(t, err, apperr.Conflict, "closed at 2026-11-30 20:00")
		_, err = f.svc.CancelOrder(f.as("elder"), o.ID)
		wantCode(t, err, apperr.Conflict, "until 2026-11-30 20:00")
	})
}
