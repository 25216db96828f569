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
	Grid *ent.Grid
	// orders are the grid's delivered orders of the day, by ID.
	orders []*ent.MealOrder
}

// Orders returns a page of the orders to deliver to the grid, by ID, as a
// Relay connection: those after the after cursor and before the before
// cursor, then the first first of them or else the last last. The server's
// limits bound first and last and give a connection without them a page of
// 100. The orders are those KitchenView read for the day's counts (one
// canteen's orders of one day, bounded by its menus' capacity), so a page
// costs no statement of its own.
func (d GridDeliveries) Orders(after *ent.Cursor, first *int, before *ent.Cursor, last *int) (*ent.MealOrderConnection, error) {
	os := d.orders
	if after != nil {
		i := 0
		for i < len(os) && os[i].ID <= after.ID {
			i++
		}
		os = os[i:]
	}
	if before != nil {
		i := len(os)
		for i > 0 && os[i-1].ID >= before.ID {
			i--
		}
		os = os[:i]
	}
	c := &ent.MealOrderConnection{TotalCount: len(d.orders)}
	// As ent's pages: a cursor says there are orders on its side.
	c.PageInfo.HasNextPage, c.PageInfo.HasPreviousPage = before != nil, after != nil
	switch {
	case first != nil && *first < 0, last != nil && *last < 0:
		return nil, apperr.New(apperr.BadUserInput, "first and last must not be negative")
	case first != nil && len(os) > *first:
		os, c.PageInfo.HasNextPage = os[:*first], true
	case first == nil && last != nil && len(os) > *last:
		os, c.PageInfo.HasPreviousPage = os[len(os)-*last:], true
	}
	for _, o := range os {
		c.Edges = append(c.Edges, &ent.MealOrderEdge{Node: o, Cursor: ent.Cursor{ID: o.ID}})
	}
	if len(c.Edges) > 0 {
		c.PageInfo.StartCursor = &c.Edges[0].Cursor
		c.PageInfo.EndCursor = &c.Edges[len(c.Edges)-1].Cursor
	}
	return c, nil
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
			k.Deliveries = append(k.Deliveries, GridDeliveries{Grid: g, orders: byGrid[g.ID]})
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
