package canteen_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/mealperiod"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/ent/subsidyqualification"
	"github.com/jimei-linli/linli/internal/canteen"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// mealDay is the day the fixture's lunch menu is for; lunch orders close
// at 10:00 that day.
const mealDay = "2026-12-01"

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// at returns the time of day hh:mm on date in the canteens' zone.
func at(date string, hh, mm int) time.Time {
	d, _ := time.ParseInLocation(time.DateOnly, date, localtime.Zone)
	return d.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// fixture is a small neighborhood with a canteen and one published lunch
// menu, and residents of every tier.
type fixture struct {
	t      testing.TB
	s      *store.Store
	client *ent.Client
	clock  *clock
	svc    *canteen.Service

	community int
	canteen   *ent.Canteen
	lunch     *ent.MealPeriod
	menu      *ent.Menu
	// fish (1200), egg (600), rice (100), by name.
	dish map[string]*ent.MenuItem

	// residents by name: elder (82), son (51, the elder's guardian),
	// turns80 (80 on the meal day), sixty (65), almost60 (59 on the meal
	// day), poor (65, low-income), disabled (40), stranger (30, no
	// relation to anyone).
	ids map[string]int
	// staff is a canteen staff member of the community.
	staff int
}

// system returns a system context.
func system() context.Context { return viewer.SystemContext(context.Background()) }

// newFixture builds the fixture on s with the given service options.
func newFixture(t testing.TB, s *store.Store, opts ...canteen.Option) *fixture {
	t.Helper()
	ctx := system()
	c := s.Client
	f := &fixture{t: t, s: s, client: c, clock: &clock{t: at("2026-11-30", 9, 0)}, dish: map[string]*ent.MenuItem{}, ids: map[string]int{}}
	s.UseClock(f.clock.Now)
	f.svc = canteen.New(c, realtime.NewOutbox(nil, f.clock.Now), f.clock.Now, opts...)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := c.Street.Create().SetCode("jimei").SetName("集美街道").SetDistrict("集美区").Save(ctx)
	must(err)
	cm, err := c.Community.Create().SetCode("sg").SetName("盛光社区").SetStreetID(st.ID).Save(ctx)
	must(err)
	f.community = cm.ID
	g, err := c.Grid.Create().SetCode("sg-01").SetName("盛光社区第1网格").SetNumber(1).SetAreaDescription("盛光路").SetCommunityID(cm.ID).Save(ctx)
	must(err)
	pl, err := c.Place.Create().SetKind(place.KindBuilding).SetName("盛光楼").SetAddress("盛光路1号").SetGridID(g.ID).Save(ctx)
	must(err)
	people := []struct {
		name  string
		birth time.Time
	}{
		{"elder", date(1944, 3, 15)}, {"son", date(1975, 4, 18)}, {"turns80", date(1946, 12, 1)},
		{"sixty", date(1961, 5, 1)}, {"almost60", date(1966, 12, 2)}, {"poor", date(1961, 1, 1)},
		{"disabled", date(1986, 1, 1)}, {"stranger", date(1996, 1, 1)}, {"staff", date(1980, 1, 1)},
		{"declared", date(1940, 1, 1)},
	}
	for i, p := range people {
		hh, err := c.Household.Create().SetUnit(p.name).SetPlaceID(pl.ID).Save(ctx)
		must(err)
		r, err := c.Resident.Create().SetName(p.name).SetHouseholdID(hh.ID).Save(ctx)
		must(err)
		info := c.PersonalInfo.Create().SetResidentID(r.ID).SetPhone("1380000000" + string(rune('0'+i))).SetBirthDate(p.birth)
		if p.name != "declared" {
			// Verified at the community office; "declared" only says so.
			info.SetBirthDateVerifiedAt(date(2025, 1, 1))
		}
		must(info.Exec(ctx))
		f.ids[p.name] = r.ID
	}
	f.staff = f.ids["staff"]
	must(c.SubsidyQualification.Create().SetResidentID(f.ids["poor"]).SetKind(subsidyqualification.KindLOW_INCOME).Exec(ctx))
	must(c.SubsidyQualification.Create().SetResidentID(f.ids["disabled"]).SetKind(subsidyqualification.KindDISABLED).SetValidUntil("2027-12-31").Exec(ctx))
	f.canteen, err = c.Canteen.Create().SetCommunityID(cm.ID).SetName("盛光食堂").SetAddress("盛光路88号").
		SetSubsidyAge6079(300).SetSubsidyAge80Plus(500).SetSubsidyLowIncome(800).SetSubsidyDisabled(600).
		SetCreditFenPerMinute(10).Save(ctx)
	must(err)
	f.lunch, err = c.MealPeriod.Create().SetCanteenID(f.canteen.ID).SetKind(mealperiod.KindLUNCH).
		SetServesFrom("11:00").SetServesUntil("12:30").SetOrderCutoff("10:00").SetCapacity(50).Save(ctx)
	must(err)
	f.menu = f.newMenu(mealDay, 50)
	return f
}

// newMenu writes a published lunch menu for date with the fixture's dishes.
func (f *fixture) newMenu(date string, capacity int) *ent.Menu {
	f.t.Helper()
	ctx := system()
	m, err := f.client.Menu.Create().SetCanteenID(f.canteen.ID).SetPeriodID(f.lunch.ID).SetDate(date).
		SetCapacity(capacity).SetPublishedAt(f.clock.Now()).Save(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, d := range []struct {
		name  string
		price int
	}{{"fish", 1200}, {"egg", 600}, {"rice", 100}} {
		it, err := f.client.MenuItem.Create().SetMenuID(m.ID).SetName(d.name).SetPrice(d.price).Save(ctx)
		if err != nil {
			f.t.Fatal(err)
		}
		if date == mealDay {
			f.dish[d.name] = it
		}
	}
	return m
}

// as returns a context acting as the named resident; the son is the
// elder's active guardian, staff is canteen staff of the community, admin
// a community admin.
func (f *fixture) as(name string) context.Context {
	v := &viewer.Viewer{ResidentID: f.ids[name]}
	switch name {
	case "son":
		v.DependentIDs = []int{f.ids["elder"]}
	case "elder":
		v.GuardianIDs = []int{f.ids["son"]}
	case "staff":
		v.Roles = []viewer.Role{{Role: viewer.CanteenStaff, CommunityID: f.community}}
	case "admin": // the staff member's colleague at the community office
		v.ResidentID = f.staff
		v.Roles = []viewer.Role{{Role: viewer.CommunityAdmin, CommunityID: f.community}}
	}
	return viewer.NewContext(context.Background(), v)
}

// order is the usual order: fish and rice (1300 fen), picked up.
func (f *fixture) order(beneficiary string) canteen.OrderInput {
	return canteen.OrderInput{
		MenuID: f.menu.ID, BeneficiaryID: f.ids[beneficiary], Fulfillment: mealorder.FulfillmentPICK_UP,
		Items: []canteen.Item{{MenuItemID: f.dish["fish"].ID, Quantity: 1}, {MenuItemID: f.dish["rice"].ID, Quantity: 1}},
	}
}

// counts returns the number of orders, order items and places taken.
func (f *fixture) counts() [3]int {
	f.t.Helper()
	ctx := system()
	orders, err := f.client.MealOrder.Query().Count(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	items, err := f.client.MealOrderItem.Query().Count(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	m, err := f.client.Menu.Get(ctx, f.menu.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return [3]int{orders, items, m.Ordered}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// diners writes n more residents aged 70, each in their own household,
// and returns their IDs.
func (f *fixture) diners(n int) []int {
	f.t.Helper()
	ctx := system()
	pl, err := f.client.Place.Query().First(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	hhs := make([]*ent.HouseholdCreate, n)
	for i := range hhs {
		hhs[i] = f.client.Household.Create().SetUnit(fmt.Sprint("diner ", i)).SetPlaceID(pl.ID)
	}
	households, err := f.client.Household.CreateBulk(hhs...).Save(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	rs := make([]*ent.ResidentCreate, n)
	for i, hh := range households {
		rs[i] = f.client.Resident.Create().SetName(fmt.Sprint("diner ", i)).SetHouseholdID(hh.ID).SetGridID(pl.GridID)
	}
	residents, err := f.client.Resident.CreateBulk(rs...).Save(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	pis := make([]*ent.PersonalInfoCreate, n)
	ids := make([]int, n)
	for i, r := range residents {
		pis[i] = f.client.PersonalInfo.Create().SetResidentID(r.ID).SetBirthDate(date(1956, 6, 1)).SetBirthDateVerifiedAt(date(2025, 1, 1))
		ids[i] = r.ID
	}
	if err := f.client.PersonalInfo.CreateBulk(pis...).Exec(ctx); err != nil {
		f.t.Fatal(err)
	}
	return ids
}

// asResident returns a context acting as resident id.
func asResident(id int) context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{ResidentID: id})
}

// orderFor is the usual order for resident id, by themselves.
func (f *fixture) orderFor(id int) canteen.OrderInput {
	in := f.order("elder")
	in.BeneficiaryID = id
	return in
}
