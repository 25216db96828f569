package canteen

import (
	"context"
	"regexp"
	"slices"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Kitchen is what a canteen's kitchen needs for one day: the portions of
// each dish per meal period, and the deliveries grouped by grid.
type Kitchen struct {
	Date       string
	Periods    []KitchenPeriod
	Deliveries []GridDeliveries
}

// KitchenPeriod counts one meal period's orders.
type KitchenPeriod struct {
	Period mealorder.Period
	// Meals is the number of orders (places taken).
	Meals  int
	Dishes []DishCount
}

// DishCount is how many portions of a dish were ordered.
type DishCount struct {
	MenuItemID int
	Name       string
	Portions   int
}

// GridDeliveries are the deliveries of one day to one grid.
type GridDeliveries struct {
	Grid   *ent.Grid
	Orders []*ent.MealOrder
}

// periodOrder is the order meal periods are listed in.
var periodOrder = []mealorder.Period{mealorder.PeriodBREAKFAST, mealorder.PeriodLUNCH, mealorder.PeriodDINNER}

// KitchenView returns the kitchen's counts and delivery list of a canteen
// for date (canteen staff and the community's admins). Cancelled orders do
// not count.
func (s *Service) KitchenView(ctx context.Context, canteenID int, date string) (*Kitchen, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.staffOf(ctx, v, canteenID); err != nil {
		return nil, err
	}
	if _, err := day(date); err != nil {
		return nil, err
	}
	// Read with the caller's rights: staff see their canteen's orders.
	orders, err := s.client.MealOrder.Query().
		Where(mealorder.CanteenID(canteenID), mealorder.Date(date), mealorder.StatusNEQ(mealorder.StatusCANCELLED)).
		WithItems().Order(ent.Asc(mealorder.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	k := &Kitchen{Date: date}
	for _, p := range periodOrder {
		kp := KitchenPeriod{Period: p}
		for _, o := range orders {
			if o.Period != p {
				continue
			}
			kp.Meals++
			for _, it := range o.Edges.Items {
				i := slices.IndexFunc(kp.Dishes, func(d DishCount) bool { return d.MenuItemID == it.MenuItemID })
				if i < 0 {
					kp.Dishes = append(kp.Dishes, DishCount{MenuItemID: it.MenuItemID, Name: it.Name})
					i = len(kp.Dishes) - 1
				}
				kp.Dishes[i].Portions += it.Quantity
			}
		}
		if kp.Meals > 0 {
			k.Periods = append(k.Periods, kp)
		}
	}
	byGrid := map[int][]*ent.MealOrder{}
	var grids []int
	for _, o := range orders {
		if o.Fulfillment != mealorder.FulfillmentDELIVERY || o.DeliveryGridID == nil {
			continue
		}
		g := *o.DeliveryGridID
		if _, ok := byGrid[g]; !ok {
			grids = append(grids, g)
		}
		byGrid[g] = append(byGrid[g], o)
	}
	if len(grids) > 0 {
		gs, err := s.client.Grid.Query().Where(grid.IDIn(grids...)).Order(ent.Asc(grid.FieldCode)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			k.Deliveries = append(k.Deliveries, GridDeliveries{Grid: g, Orders: byGrid[g.ID]})
		}
	}
	return k, nil
}

// Totals adds up meals and money (in fen).
type Totals struct {
	Meals       int
	ListPrice   int
	Subsidy     int
	CreditValue int
	AmountPaid  int
}

// TierTotal is the totals of one tier.
type TierTotal struct {
	Tier mealorder.Tier
	Totals
}

// MonthlyReport is a canteen's meals of one month by tier, with the
// subsidy total the operator claims back from the government.
type MonthlyReport struct {
	Canteen *ent.Canteen
	// Month is YYYY-MM.
	Month string
	Tiers []TierTotal
	Total Totals
}

var monthPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// Report returns the monthly report of a canteen (its staff, the
// community's admins, street admins). Cancelled orders do not count.
func (s *Service) Report(ctx context.Context, canteenID int, month string) (*MonthlyReport, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.staffOf(ctx, v, canteenID)
	if err != nil {
		return nil, err
	}
	if !monthPattern.MatchString(month) {
		return nil, apperr.New(apperr.BadUserInput, "a month is written YYYY-MM, e.g. 2026-11")
	}
	var rows []struct {
		Tier        mealorder.Tier `json:"tier"`
		Meals       int            `json:"meals"`
		ListPrice   int            `json:"list_price"`
		Subsidy     int            `json:"subsidy"`
		CreditValue int            `json:"credit_value"`
		AmountPaid  int            `json:"amount_paid"`
	}
	err = s.client.MealOrder.Query().
		Where(mealorder.CanteenID(canteenID), mealorder.DateHasPrefix(month+"-"), mealorder.StatusNEQ(mealorder.StatusCANCELLED)).
		GroupBy(mealorder.FieldTier).
		Aggregate(ent.As(ent.Count(), "meals"),
			ent.As(ent.Sum(mealorder.FieldListPrice), "list_price"), ent.As(ent.Sum(mealorder.FieldSubsidy), "subsidy"),
			ent.As(ent.Sum(mealorder.FieldCreditValue), "credit_value"), ent.As(ent.Sum(mealorder.FieldAmountPaid), "amount_paid")).
		Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	r := &MonthlyReport{Canteen: c, Month: month}
	for _, t := range []mealorder.Tier{mealorder.TierREGULAR, mealorder.TierAGE_60_79, mealorder.TierAGE_80_PLUS, mealorder.TierLOW_INCOME, mealorder.TierDISABLED} {
		tt := TierTotal{Tier: t}
		for _, row := range rows {
			if row.Tier == t {
				tt.Totals = Totals{row.Meals, row.ListPrice, row.Subsidy, row.CreditValue, row.AmountPaid}
			}
		}
		r.Tiers = append(r.Tiers, tt)
		r.Total.Meals += tt.Meals
		r.Total.ListPrice += tt.ListPrice
		r.Total.Subsidy += tt.Subsidy
		r.Total.CreditValue += tt.CreditValue
		r.Total.AmountPaid += tt.AmountPaid
	}
	return r, nil
}
