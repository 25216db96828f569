package canteen_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/canteen"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// wantCode fails the test unless err is an apperr with code whose message
// contains want.
func wantCode(t *testing.T, err error, code apperr.Code, want string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("want %s error, got %v", code, err)
	}
	if !strings.Contains(ae.Message, want) {
		t.Errorf("message %q does not say %q", ae.Message, want)
	}
}

func tier(t mealorder.Tier) *mealorder.Tier { return &t }

// TestPriceTable orders fish and rice (1300 fen) for a resident of every
// tier, with the best tier by default or the tier asked for, and checks
// the breakdown the server wrote.
func TestPriceTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, canteen.WithSpender(&recordingSpender{}))
		cases := []struct {
			who, by     string
			ask         *mealorder.Tier
			credit      int
			items       []canteen.Item
			tier        mealorder.Tier
			subsidy     int
			creditValue int
			paid        int
		}{
			{who: "elder", by: "elder", tier: mealorder.TierAGE_80_PLUS, subsidy: 500, paid: 800},
			{who: "elder", by: "son", tier: mealorder.TierAGE_80_PLUS, subsidy: 500, paid: 800},
			{who: "elder", by: "elder", ask: tier(mealorder.TierREGULAR), tier: mealorder.TierREGULAR, paid: 1300},
			{who: "turns80", by: "turns80", tier: mealorder.TierAGE_80_PLUS, subsidy: 500, paid: 800},
			{who: "sixty", by: "sixty", tier: mealorder.TierAGE_60_79, subsidy: 300, paid: 1000},
			{who: "almost60", by: "almost60", tier: mealorder.TierREGULAR, paid: 1300},
			{who: "poor", by: "poor", tier: mealorder.TierLOW_INCOME, subsidy: 800, paid: 500},
			{who: "poor", by: "poor", ask: tier(mealorder.TierAGE_60_79), tier: mealorder.TierAGE_60_79, subsidy: 300, paid: 1000},
			{who: "disabled", by: "disabled", tier: mealorder.TierDISABLED, subsidy: 600, paid: 700},
			{who: "son", by: "son", tier: mealorder.TierREGULAR, paid: 1300},
			// A birth date nobody verified gives no age tier, however old.
			{who: "declared", by: "declared", tier: mealorder.TierREGULAR, paid: 1300},
			{who: "sixty", by: "sixty", credit: 50, tier: mealorder.TierAGE_60_79, subsidy: 300, creditValue: 500, paid: 500},
			{who: "poor", by: "poor", credit: 50, tier: mealorder.TierLOW_INCOME, subsidy: 800, creditValue: 500, paid: 0},
			// The subsidy never exceeds the list price.
			{who: "elder", by: "elder", items: []canteen.Item{{Quantity: 1}}, tier: mealorder.TierAGE_80_PLUS, subsidy: 100, paid: 0},
		}
		for _, c := range cases {
			in := f.order(c.who)
			in.Tier, in.CreditMinutes = c.ask, c.credit
			if c.items != nil {
				in.Items = []canteen.Item{{MenuItemID: f.dish["rice"].ID, Quantity: 1}}
			}
			o, err := f.svc.PlaceOrder(f.as(c.by), in)
			if err != nil {
				t.Fatalf("%s for %s: %v", c.by, c.who, err)
			}
			list := 1300
			if c.items != nil {
				list = 100
			}
			got := [6]any{o.Tier, o.ListPrice, o.Subsidy, o.CreditMinutes, o.CreditValue, o.AmountPaid}
			want := [6]any{c.tier, list, c.subsidy, c.credit, c.creditValue, c.paid}
			if got != want {
				t.Errorf("%s for %s (ask %v, credit %d): got %v, want %v", c.by, c.who, c.ask, c.credit, got, want)
			}
			if o.ListPrice != o.Subsidy+o.CreditValue+o.AmountPaid {
				t.Errorf("breakdown does not add up: %+v", o)
			}
			// One meal per person per menu: cancel it for the next case.
			if _, err := f.svc.CancelOrder(f.as(c.by), o.ID); err != nil {
				t.Fatal(err)
			}
		}
		// The quote says the same, and lists the tiers best first.
		q, err := f.svc.QuoteOrder(f.as("poor"), f.order("poor"))
		if err != nil {
			t.Fatal(err)
		}
		if q.Tier != mealorder.TierLOW_INCOME || q.AmountPaid != 500 ||
			len(q.Eligible) != 3 || q.Eligible[0] != mealorder.TierLOW_INCOME || q.Eligible[1] != mealorder.TierAGE_60_79 {
			t.Errorf("quote for poor: %+v", q)
		}
		if q.BirthDateUnverified {
			t.Errorf("quote for poor says the verified birth date is unverified")
		}
		// The quote says why a declared 86-year-old pays the list price.
		q, err = f.svc.QuoteOrder(f.as("declared"), f.order("declared"))
		if err != nil {
			t.Fatal(err)
		}
		if q.Tier != mealorder.TierREGULAR || q.AmountPaid != 1300 || !q.BirthDateUnverified ||
			len(q.Eligible) != 1 || q.Eligible[0] != mealorder.TierREGULAR {
			t.Errorf("quote for declared: %+v", q)
		}
	})
}

// TestRefusedOrdersWriteNothing: every bad order is refused with a clear
// error, and nothing is written.
func TestRefusedOrdersWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		other := f.newMenu("2026-12-02", 50)
		full := f.newMenu("2026-12-03", 0)
		otherDish, err := f.client.MenuItem.Query().All(system())
		if err != nil {
			t.Fatal(err)
		}
		var foreign int
		for _, d := range otherDish {
			if d.MenuID == other.ID {
				foreign = d.ID
			}
		}
		unpublished, err := f.client.Menu.Create().SetCanteenID(f.canteen.ID).SetPeriodID(f.lunch.ID).
			SetDate("2026-12-04").SetCapacity(10).Save(system())
		if err != nil {
			t.Fatal(err)
		}
		before := f.counts()
		cases := []struct {
			name, by string
			in       func() canteen.OrderInput
			code     apperr.Code
			message  string
		}{
			{"dish of another day", "elder", func() canteen.OrderInput {
				in := f.order("elder")
				in.Items = append(in.Items, canteen.Item{MenuItemID: foreign, Quantity: 1})
				return in
			}, apperr.BadUserInput, "not on the lunch menu of 2026-12-01"},
			{"not one's dependent", "stranger", func() canteen.OrderInput { return f.order("elder") },
				apperr.Forbidden, "active guardian"},
			{"the dependent does not act for the guardian", "elder", func() canteen.OrderInput { return f.order("son") },
				apperr.Forbidden, "active guardian"},
			{"a tier one does not qualify for", "sixty", func() canteen.OrderInput {
				in := f.order("sixty")
				in.Tier = tier(mealorder.TierAGE_80_PLUS)
				return in
			}, apperr.Forbidden, "does not qualify for the AGE_80_PLUS tier"},
			{"low income without the qualification", "son", func() canteen.OrderInput {
				in := f.order("elder")
				in.Tier = tier(mealorder.TierLOW_INCOME)
				return in
			}, apperr.Forbidden, "does not qualify for the LOW_INCOME tier"},
			{"credit without a time bank", "elder", func() canteen.OrderInput {
				in := f.order("elder")
				in.CreditMinutes = 10
				return in
			}, apperr.BadUserInput, "credit cannot be used"},
			{"no dishes", "elder", func() canteen.OrderInput {
				in := f.order("elder")
				in.Items = nil
				return in
			}, apperr.BadUserInput, "at least one dish"},
			{"full", "elder", func() canteen.OrderInput {
				in := f.order("elder")
				in.MenuID, in.Items = full.ID, nil
				for _, d := range otherDish {
					if d.MenuID == full.ID && d.Name == "fish" {
						in.Items = append(in.Items, canteen.Item{MenuItemID: d.ID, Quantity: 1})
					}
				}
				return in
			}, apperr.Conflict, "fully booked"},
			{"unpublished menu", "elder", func() canteen.OrderInput {
				in := f.order("elder")
				in.MenuID = unpublished.ID
				return in
			}, apperr.NotFound, "menu not found"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.svc.PlaceOrder(f.as(c.by), c.in())
				wantCode(t, err, c.code, c.message)
				if after := f.counts(); after != before {
					t.Errorf("written: %v, was %v", after, before)
				}
			})
		}
		// After the cut-off.
		f.clock.Set(at(mealDay, 10, 0))
		_, err = f.svc.PlaceOrder(f.as("elder"), f.order("elder"))
		wantCode(t, err, apperr.Conflict, "closed at 2026-12-01 10:00")
		if after := f.counts(); after != before {
			t.Errorf("written after the cut-off: %v, was %v", after, before)
		}
	})
}

// TestOrderCancelAndCutoff: an order takes a place; cancelling before the
// cut-off gives it back; after the cut-off neither ordering nor
// cancelling is possible; a full menu accepts again after a cancellation.
func TestOrderCancelAndCutoff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := system()
		if err := f.client.Menu.UpdateOneID(f.menu.ID).SetCapacity(2).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		a, err := f.svc.PlaceOrder(f.as("son"), f.order("elder"))
		if err != nil {
			t.Fatal(err)
		}
		if a.OrderedByID != f.ids["son"] || a.BeneficiaryID != f.ids["elder"] || a.Status != mealorder.StatusPLACED || len(a.PickupCode) != 6 {
			t.Errorf("order: %+v", a)
		}
		// She cannot have a second lunch: her own order is refused.
		_, err = f.svc.PlaceOrder(f.as("elder"), f.order("elder"))
		wantCode(t, err, apperr.Conflict, "elder already has lunch on 2026-12-01 (ordered by son)")
		if _, err := f.svc.PlaceOrder(f.as("sixty"), f.order("sixty")); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.PlaceOrder(f.as("poor"), f.order("poor"))
		wantCode(t, err, apperr.Conflict, "fully booked (2 meals)")

		// The elder cancels what her son ordered, a minute before the cut-off.
		f.clock.Set(at(mealDay, 9, 59))
		c, err := f.svc.CancelOrder(f.as("elder"), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != mealorder.StatusCANCELLED || c.CancelledAt == nil {
			t.Errorf("cancelled: %+v", c)
		}
		// Her son hears of it; she, who cancelled, does not.
		for who, want := range map[string]int{"son": 1, "elder": 1} {
			// The elder has one already: her son ordered for her.
			n, err := f.client.Notification.Query().
				Where(notification.ResidentID(f.ids[who]), notification.KindEQ(notification.KindMEAL_ORDER)).Count(ctx)
			if err != nil || n != want {
				t.Errorf("%s has %d meal notifications, want %d (%v)", who, n, want, err)
			}
		}
		if got := f.counts(); got[2] != 1 {
			t.Errorf("places taken after cancelling: %d, want 1", got[2])
		}
		_, err = f.svc.CancelOrder(f.as("elder"), a.ID)
		wantCode(t, err, apperr.Conflict, "only a PLACED order can be cancelled")
		// The place is free again.
		b, err := f.svc.PlaceOrder(f.as("poor"), f.order("poor"))
		if err != nil {
			t.Fatal(err)
		}
		// A stranger cannot cancel, and cannot even see the order.
		_, err = f.svc.CancelOrder(f.as("stranger"), b.ID)
		wantCode(t, err, apperr.NotFound, "not found")

		// At the cut-off.
		f.clock.Set(at(mealDay, 10, 0))
		_, err = f.svc.CancelOrder(f.as("poor"), b.ID)
		wantCode(t, err, apperr.Conflict, "could be cancelled until 2026-12-01 10:00")
		_, err = f.svc.PlaceOrder(f.as("elder"), f.order("elder"))
		wantCode(t, err, apperr.Conflict, "closed")
		if got := f.counts(); got[2] != 2 {
			t.Errorf("places taken: %d, want 2", got[2])
		}
	})
}

// TestAdvance: staff move an order along its states; residents cannot;
// impossible steps are refused.
func TestAdvance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		in := f.order("elder")
		in.Fulfillment = mealorder.FulfillmentDELIVERY
		o, err := f.svc.PlaceOrder(f.as("son"), in)
		if err != nil {
			t.Fatal(err)
		}
		if o.DeliveryAddress == nil || *o.DeliveryAddress != "盛光路1号" || o.DeliveryGridID == nil {
			t.Errorf("delivery: %+v", o)
		}
		_, err = f.svc.AdvanceOrder(f.as("son"), o.ID, mealorder.StatusPREPARING)
		wantCode(t, err, apperr.Forbidden, "staff")
		// Not the day before the meal: it is prepared and delivered on its day.
		_, err = f.svc.AdvanceOrder(f.as("staff"), o.ID, mealorder.StatusPREPARING)
		wantCode(t, err, apperr.Conflict, "an order for lunch on 2026-12-01 becomes PREPARING on that day only (today is 2026-11-30)")
		f.clock.Set(at(mealDay, 9, 0))
		_, err = f.svc.AdvanceOrder(f.as("staff"), o.ID, mealorder.StatusREADY)
		wantCode(t, err, apperr.Conflict, "cannot become READY")
		for _, st := range []mealorder.Status{mealorder.StatusPREPARING, mealorder.StatusREADY} {
			if o, err = f.svc.AdvanceOrder(f.as("staff"), o.ID, st); err != nil || o.Status != st {
				t.Fatalf("to %s: %v %v", st, o, err)
			}
		}
		_, err = f.svc.AdvanceOrder(f.as("staff"), o.ID, mealorder.StatusCOLLECTED)
		wantCode(t, err, apperr.Conflict, "cannot become COLLECTED")
		for _, st := range []mealorder.Status{mealorder.StatusOUT_FOR_DELIVERY, mealorder.StatusDELIVERED} {
			if o, err = f.svc.AdvanceOrder(f.as("staff"), o.ID, st); err != nil || o.Status != st {
				t.Fatalf("to %s: %v %v", st, o, err)
			}
		}
		_, err = f.svc.CancelOrder(f.as("elder"), o.ID)
		wantCode(t, err, apperr.Conflict, "only a PLACED order")
		// The kitchen view and the report count it.
		k, err := f.svc.KitchenView(f.as("staff"), f.canteen.ID, mealDay)
		if err != nil {
			t.Fatal(err)
		}
		if len(k.Periods) != 1 || k.Periods[0].Meals != 1 || len(k.Periods[0].Dishes) != 2 || len(k.Deliveries) != 1 {
			t.Errorf("kitchen: %+v", k)
		} else if c, err := k.Deliveries[0].Orders(nil, nil, nil, nil); err != nil || c.TotalCount != 1 || len(c.Edges) != 1 {
			t.Errorf("kitchen deliveries: %+v, %v", c, err)
		}
		_, err = f.svc.KitchenView(f.as("elder"), f.canteen.ID, mealDay)
		wantCode(t, err, apperr.Forbidden, "staff")
		r, err := f.svc.Report(f.as("staff"), f.canteen.ID, "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		if r.Total.Meals != 1 || r.Total.Subsidy != 500 || r.Tiers[2].Tier != mealorder.TierAGE_80_PLUS || r.Tiers[2].Meals != 1 {
			t.Errorf("report: %+v", r)
		}
	})
}

// TestWhoSeesWhySubsidised: the tier of a 低保 order is seen by the
// beneficiary, the community admin and (for his mother's order) her son;
// canteen staff and anyone else get nil, and staff still see that it is
// subsidised.
func TestWhoSeesWhySubsidised(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		poor, err := f.svc.PlaceOrder(f.as("poor"), f.order("poor"))
		if err != nil {
			t.Fatal(err)
		}
		elder, err := f.svc.PlaceOrder(f.as("son"), f.order("elder"))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			who   string
			order *ent.MealOrder
			want  mealorder.Tier // "" for nil
		}{
			{"poor", poor, mealorder.TierLOW_INCOME},
			{"admin", poor, mealorder.TierLOW_INCOME},
			{"staff", poor, ""},
			{"stranger", poor, ""},
			{"son", elder, mealorder.TierAGE_80_PLUS},
			{"elder", elder, mealorder.TierAGE_80_PLUS},
			{"staff", elder, ""},
		} {
			got := f.svc.Tier(f.as(c.who), c.order)
			if (got == nil) != (c.want == "") || (got != nil && *got != c.want) {
				t.Errorf("%s sees tier %v of %s's order, want %q", c.who, got, c.order.RecipientName, c.want)
			}
		}
		if !canteen.Subsidised(poor) || poor.Subsidy != 800 {
			t.Errorf("the 低保 order: subsidised %v, subsidy %d", canteen.Subsidised(poor), poor.Subsidy)
		}
	})
}
