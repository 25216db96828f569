package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/mealperiod"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/subsidyqualification"
	"github.com/jimei-linli/linli/internal/canteen"
)

// CanteenShengguang is the name of 盛光社区's canteen in the demo street.
const CanteenShengguang = "盛光社区长者食堂"

// demoPeriods are the demo canteen's meal periods.
var demoPeriods = []struct {
	kind                 mealperiod.Kind
	from, until, cutoff  string
	daysBefore, capacity int
}{
	{mealperiod.KindBREAKFAST, "07:00", "08:30", "20:00", 1, 60},
	{mealperiod.KindLUNCH, "11:00", "12:30", "10:00", 0, 120},
	{mealperiod.KindDINNER, "17:00", "18:30", "15:00", 0, 80},
}

// demoDishes are the dishes the demo canteen rotates through (prices in fen).
var demoDishes = []canteen.Dish{
	{Name: "清蒸鲈鱼", Price: 1200, Tags: []string{"LOW_SALT", "SOFT"}, Allergens: []string{"fish"}},
	{Name: "番茄炒蛋", Price: 600, Tags: []string{"VEGETARIAN", "SOFT"}, Allergens: []string{"egg"}},
	{Name: "白灼菜心", Price: 400, Tags: []string{"VEGETARIAN", "LOW_SALT"}},
	{Name: "红烧豆腐", Price: 500, Tags: []string{"VEGETARIAN", "SOFT"}, Allergens: []string{"soy"}},
	{Name: "沙茶面", Price: 1000, Allergens: []string{"peanut", "shellfish", "gluten"}},
	{Name: "土笋冻", Price: 800, Allergens: []string{"shellfish"}},
	{Name: "南瓜小米粥", Price: 300, Tags: []string{"VEGETARIAN", "LOW_SUGAR", "SOFT"}},
	{Name: "清炖牛肉", Price: 1300, Tags: []string{"HALAL", "SOFT"}},
	{Name: "蒸水蛋", Price: 350, Tags: []string{"SOFT", "LOW_SALT"}, Allergens: []string{"egg"}},
	{Name: "米饭", Price: 100, Tags: []string{"VEGETARIAN"}},
}

// writeCanteen writes 盛光社区's canteen with lunch and dinner menus for
// this week (Monday to Sunday around Today), a low-income qualification,
// the elder and her son following the canteen, and orders: the elder's
// lunches this week (some ordered by her son, some delivered) and lunches
// of other elderly residents of shengguang-01, with statuses that follow
// the day (past meals collected or delivered, later ones placed).
func writeCanteen(ctx context.Context, c *ent.Client, w *Written) error {
	community := w.Communities[CommunityShengguang]
	ct, err := c.Canteen.Create().SetCommunityID(community).SetName(CanteenShengguang).
		SetAddress("厦门市集美区盛光路88号一楼").SetOpeningHours("每日 07:00–19:00").
		SetSubsidyAge6079(300).SetSubsidyAge80Plus(500).SetSubsidyLowIncome(800).SetSubsidyDisabled(600).
		SetCreditFenPerMinute(10).SetCreatedAt(w.Today).SetUpdatedAt(w.Today).Save(ctx)
	if err != nil {
		return err
	}
	periods := map[mealperiod.Kind]*ent.MealPeriod{}
	for _, p := range demoPeriods {
		mp, err := c.MealPeriod.Create().SetCanteenID(ct.ID).SetKind(p.kind).SetServesFrom(p.from).
			SetServesUntil(p.until).SetOrderCutoff(p.cutoff).SetCutoffDaysBefore(p.daysBefore).
			SetCapacity(p.capacity).Save(ctx)
		if err != nil {
			return err
		}
		periods[p.kind] = mp
	}
	monday := w.Today.AddDate(0, 0, -((int(w.Today.Weekday()) + 6) % 7))
	type menuRow struct {
		menu   *ent.Menu
		dishes []*ent.MenuItem
		day    time.Time
	}
	var lunches []menuRow
	for d := range 7 {
		day := monday.AddDate(0, 0, d)
		for pi, kind := range []mealperiod.Kind{mealperiod.KindLUNCH, mealperiod.KindDINNER} {
			published := day.AddDate(0, 0, -3)
			m, err := c.Menu.Create().SetCanteenID(ct.ID).SetPeriodID(periods[kind].ID).
				SetDate(day.Format(time.DateOnly)).SetCapacity(periods[kind].Capacity).
				SetPublishedAt(published).SetCreatedAt(published).SetUpdatedAt(published).Save(ctx)
			if err != nil {
				return err
			}
			var builders []*ent.MenuItemCreate
			for k := range 4 {
				dish := demoDishes[(d*3+pi*5+k)%(len(demoDishes)-1)]
				builders = append(builders, c.MenuItem.Create().SetMenuID(m.ID).SetName(dish.Name).
					SetPrice(dish.Price).SetTags(dish.Tags).SetAllergens(dish.Allergens))
			}
			rice := demoDishes[len(demoDishes)-1]
			builders = append(builders, c.MenuItem.Create().SetMenuID(m.ID).SetName(rice.Name).
				SetPrice(rice.Price).SetTags(rice.Tags))
			items, err := c.MenuItem.CreateBulk(builders...).Save(ctx)
			if err != nil {
				return err
			}
			if kind == mealperiod.KindLUNCH {
				lunches = append(lunches, menuRow{m, items, day})
			}
		}
	}
	elder, guardian := w.Residents[PhoneElder], w.Residents[PhoneGuardian]
	for _, r := range []int{elder, guardian} {
		if err := c.CanteenFollow.Create().SetCanteenID(ct.ID).SetResidentID(r).SetCreatedAt(monday.AddDate(0, 0, -14)).Exec(ctx); err != nil {
			return err
		}
	}
	// Elderly residents of shengguang-01 other than the demo accounts.
	born := w.Today.AddDate(-60, 0, 0)
	elders, err := c.Resident.Query().Where(
		resident.IDIn(w.GridResidents[GridShengguang01]...),
		resident.IDNotIn(demoIDs(w)...),
		resident.HasPersonalInfoWith(personalinfo.BirthDateLTE(born), personalinfo.BirthDateVerifiedAtNotNil()),
	).WithPersonalInfo().WithHousehold().Order(ent.Asc(resident.FieldID)).Limit(12).All(ctx)
	if err != nil {
		return err
	}
	if len(elders) > 0 {
		if err := c.SubsidyQualification.Create().SetResidentID(elders[0].ID).
			SetKind(subsidyqualification.KindLOW_INCOME).SetRecordedByID(w.Residents[PhoneCommunityAdmin]).
			SetCreatedAt(monday.AddDate(0, -2, 0)).SetUpdatedAt(monday.AddDate(0, -2, 0)).Exec(ctx); err != nil {
			return err
		}
	}
	o := &orderWriter{c: c, canteen: ct, lunch: periods[mealperiod.KindLUNCH], today: w.Today}
	elderRes, err := c.Resident.Query().Where(resident.ID(elder)).WithPersonalInfo().WithHousehold().Only(ctx)
	if err != nil {
		return err
	}
	for i, l := range lunches {
		by, how := elder, mealorder.FulfillmentPICK_UP
		if i%2 == 1 {
			by, how = guardian, mealorder.FulfillmentDELIVERY
		}
		if err := o.write(ctx, l.menu, l.dishes[:2], l.day, elderRes, by, how, mealorder.TierAGE_80_PLUS); err != nil {
			return err
		}
	}
	for i, r := range elders {
		tier := mealorder.TierAGE_60_79
		if canteen.AgeOn(*r.Edges.PersonalInfo.BirthDate, w.Today) >= 80 {
			tier = mealorder.TierAGE_80_PLUS
		}
		if i == 0 {
			tier = mealorder.TierLOW_INCOME
		}
		for d, l := range lunches {
			if (i+d)%3 == 0 {
				continue
			}
			how := []mealorder.Fulfillment{mealorder.FulfillmentDINE_IN, mealorder.FulfillmentPICK_UP, mealorder.FulfillmentDELIVERY}[(i+d)%3]
			if err := o.write(ctx, l.menu, l.dishes[d%3:d%3+2], l.day, r, r.ID, how, tier); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoIDs returns the IDs of the demo accounts.
func demoIDs(w *Written) []int {
	ids := make([]int, 0, len(DemoAccounts))
	for _, a := range DemoAccounts {
		ids = append(ids, w.Residents[a.Phone])
	}
	return ids
}

// orderWriter writes the demo orders, priced as the canteen service prices
// them.
type orderWriter struct {
	c       *ent.Client
	canteen *ent.Canteen
	lunch   *ent.MealPeriod
	today   time.Time
	n       int
}

// write writes one lunch order of dishes for r, placed by by, and takes
// its place on the menu.
func (o *orderWriter) write(ctx context.Context, m *ent.Menu, dishes []*ent.MenuItem, day time.Time, r *ent.Resident, by int, how mealorder.Fulfillment, tier mealorder.Tier) error {
	o.n++
	list := 0
	for _, d := range dishes {
		list += d.Price
	}
	price, err := canteen.Price(o.canteen, tier, list, 0)
	if err != nil {
		return err
	}
	status := mealorder.StatusPLACED
	if day.Before(o.today) {
		status = mealorder.StatusCOLLECTED
		if how == mealorder.FulfillmentDELIVERY {
			status = mealorder.StatusDELIVERED
		}
	}
	at := day.AddDate(0, 0, -1).Add(time.Duration(9*60+o.n%600) * time.Minute)
	create := o.c.MealOrder.Create().SetCanteenID(o.canteen.ID).SetCommunityID(o.canteen.CommunityID).
		SetMenuID(m.ID).SetDate(m.Date).SetPeriod(mealorder.PeriodLUNCH).
		SetBeneficiaryID(r.ID).SetOrderedByID(by).SetRecipientName(r.Name).SetFulfillment(how).
		SetTier(price.Tier).SetListPrice(price.ListPrice).SetSubsidy(price.Subsidy).
		SetCreditMinutes(0).SetCreditValue(0).SetAmountPaid(price.AmountPaid).
		SetStatus(status).SetPickupCode(fmt.Sprintf("%06d", (o.n*7919+104729)%1000000)).
		SetCreatedAt(at).SetUpdatedAt(at)
	if how == mealorder.FulfillmentDELIVERY && r.Edges.Household != nil {
		pl, err := o.c.Place.Query().Where(place.ID(r.Edges.Household.PlaceID)).Only(ctx)
		if err != nil {
			return err
		}
		create.SetDeliveryAddress(pl.Address).SetDeliveryGridID(pl.GridID)
	}
	ord, err := create.Save(ctx)
	if err != nil {
		return err
	}
	for _, d := range dishes {
		if err := o.c.MealOrderItem.Create().SetOrderID(ord.ID).SetMenuItemID(d.ID).SetName(d.Name).
			SetQuantity(1).SetUnitPrice(d.Price).Exec(ctx); err != nil {
			return err
		}
	}
	return o.c.Menu.UpdateOneID(m.ID).AddOrdered(1).Exec(ctx)
}
