package apitest_test

import (
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/canteen"
	"github.com/jimei-linli/linli/ent/canteenfollow"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/mealorderitem"
	"github.com/jimei-linli/linli/ent/mealperiod"
	"github.com/jimei-linli/linli/ent/menu"
	"github.com/jimei-linli/linli/ent/menuitem"
	"github.com/jimei-linli/linli/ent/subsidyqualification"
	"github.com/jimei-linli/linli/internal/seed"
)

// The canteen's rows of the authorization matrix: canteens, meal periods
// and published menus are public; a menu not yet published is seen by the
// canteen's staff (10), the community admin (02) and the street admin
// (01); an order is seen by its beneficiary (07), whoever ordered it and
// the beneficiary's guardian (06), the canteen's staff and the admins —
// and staff see the order, not the resident behind it; a 低保
// qualification only by the admins (and the resident and their guardians).
func init() {
	readMatrix = append(readMatrix,
		matrixRow{"canteen", "node", "", "all"},
		matrixRow{"canteen", "nodes", "", "all"},
		matrixRow{"canteen", "Query.canteens", "", "all"},
		matrixRow{"canteen", "MealOrder.canteen", "order:elder", "01 02 06 07 10"},
		matrixRow{"mealPeriod", "node", "", "all"},
		matrixRow{"mealPeriod", "Canteen.periods", "canteen", "all"},
		matrixRow{"menu:published", "node", "", "all"},
		matrixRow{"menu:published", "Canteen.menus", "canteen", "all"},
		matrixRow{"menuItem:published", "node", "", "all"},
		matrixRow{"menuItem:published", "Menu.items", "menu:published", "all"},
		matrixRow{"menu:draft", "node", "", "01 02 10"},
		matrixRow{"menu:draft", "nodes", "", "01 02 10"},
		matrixRow{"menu:draft", "Canteen.menus", "canteen", "01 02 10"},
		matrixRow{"menuItem:draft", "node", "", "01 02 10"},
		matrixRow{"menuItem:draft", "Menu.items", "menu:draft", "01 02 10"},
		matrixRow{"follow:elder", "node", "", "07"},
		matrixRow{"follow:elder", "nodes", "", "07"},
		matrixRow{"order:elder", "node", "", "01 02 06 07 10"},
		matrixRow{"order:elder", "nodes", "", "01 02 06 07 10"},
		matrixRow{"order:elder", "Query.mealOrders", "", "01 02 06 07 10"},
		matrixRow{"order:elder-by-son", "node", "", "01 02 06 07 10"},
		matrixRow{"order:elder-by-son", "Query.mealOrders", "", "01 02 06 07 10"},
		matrixRow{"orderItem:elder", "node", "", "01 02 06 07 10"},
		matrixRow{"orderItem:elder", "MealOrder.items", "order:elder", "01 02 06 07 10"},
		matrixRow{"resident:elder", "MealOrder.beneficiary", "order:elder", "01 02 06 07"},
		matrixRow{"resident:guardian", "MealOrder.orderedBy", "order:elder-by-son", "01 02 06 07"},
		matrixRow{"order:sg01", "node", "", "01 02 10"},
		matrixRow{"order:sg01", "Query.mealOrders", "", "01 02 10"},
		matrixRow{"qualification:sg01", "node", "", "01 02"},
		matrixRow{"qualification:sg01", "nodes", "", "01 02"},
		matrixRow{"qualification:sg01", "Resident.subsidyQualifications", "resident:lowincome", "01 02"},
	)
	probes["Query.canteens"] = rootConnection("canteens")
	probes["Query.mealOrders"] = rootConnection("mealOrders")
	probes["Canteen.periods"] = edge("Canteen", "periods")
	probes["Canteen.menus"] = connection("Canteen", "menus")
	probes["Menu.items"] = edge("Menu", "items")
	probes["MealOrder.items"] = edge("MealOrder", "items")
	probes["MealOrder.canteen"] = edge("MealOrder", "canteen")
	probes["MealOrder.beneficiary"] = edge("MealOrder", "beneficiary")
	probes["MealOrder.orderedBy"] = edge("MealOrder", "orderedBy")
	probes["Resident.subsidyQualifications"] = edge("Resident", "subsidyQualifications")
	worldParts = append(worldParts, canteenWorld)
}

// canteenWorld names the demo canteen's objects, and adds a menu that is
// not published yet.
func canteenWorld(t *testing.T, w *world) {
	ctx := w.e.SystemCtx()
	c := w.e.Client
	id := w.ids
	first := firstID(t)
	id["canteen"] = first(c.Canteen.Query().Where(canteen.Name(seed.CanteenShengguang)).IDs(ctx))
	id["mealPeriod"] = first(c.MealPeriod.Query().Where(mealperiod.CanteenID(id["canteen"]), mealperiod.KindEQ(mealperiod.KindLUNCH)).IDs(ctx))
	id["menu:published"] = first(c.Menu.Query().Where(menu.CanteenID(id["canteen"]), menu.PublishedAtNotNil()).Order(ent.Asc(menu.FieldID)).IDs(ctx))
	id["menuItem:published"] = first(c.MenuItem.Query().Where(menuitem.MenuID(id["menu:published"])).IDs(ctx))
	draft, err := c.Menu.Create().SetCanteenID(id["canteen"]).SetPeriodID(id["mealPeriod"]).
		SetDate(w.e.Clock.Now().AddDate(0, 0, 30).Format(time.DateOnly)).SetCapacity(10).Save(ctx)
	if err != nil {
		t.Fatalf("a draft menu: %v", err)
	}
	id["menu:draft"] = draft.ID
	item, err := c.MenuItem.Create().SetMenuID(draft.ID).SetName("试菜").SetPrice(500).Save(ctx)
	if err != nil {
		t.Fatalf("a draft dish: %v", err)
	}
	id["menuItem:draft"] = item.ID
	elder, guardian := id["resident:elder"], id["resident:guardian"]
	id["follow:elder"] = first(c.CanteenFollow.Query().Where(canteenfollow.ResidentID(elder)).IDs(ctx))
	id["order:elder"] = first(c.MealOrder.Query().Where(mealorder.BeneficiaryID(elder), mealorder.OrderedByID(elder)).IDs(ctx))
	id["order:elder-by-son"] = first(c.MealOrder.Query().Where(mealorder.BeneficiaryID(elder), mealorder.OrderedByID(guardian)).IDs(ctx))
	id["orderItem:elder"] = first(c.MealOrderItem.Query().Where(mealorderitem.OrderID(id["order:elder"])).IDs(ctx))
	q, err := c.SubsidyQualification.Query().Where(subsidyqualification.KindEQ(subsidyqualification.KindLOW_INCOME)).First(ctx)
	if err != nil {
		t.Fatalf("the seeded qualification: %v", err)
	}
	id["qualification:sg01"] = q.ID
	id["resident:lowincome"] = q.ResidentID
	id["order:sg01"] = first(c.MealOrder.Query().Where(mealorder.BeneficiaryID(q.ResidentID)).IDs(ctx))
}
