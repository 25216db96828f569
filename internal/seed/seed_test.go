package seed_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/community"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/household"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/phone"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// wantAccounts is DOMAIN.md's table of demo accounts, written out here
// independently of seed.DemoAccounts: the phone, the role, where it is held
// (for residents: the grid they live in) and the grid the account lives in.
var wantAccounts = []struct {
	phone, role, scope, home string
}{
	{"13900000001", "STREET_ADMIN", "jimei", "shengguang-01"},
	{"13900000002", "COMMUNITY_ADMIN", "shengguang", "shengguang-01"},
	{"13900000003", "GRID_LEADER", "shengguang-01", "shengguang-01"},
	{"13900000004", "GRID_WORKER", "shengguang-01", "shengguang-01"},
	{"13900000005", "SAFETY_INFORMANT", "shengguang-01", "shengguang-01"},
	{"13900000006", "RESIDENT", "shengguang-01", "shengguang-01"},
	{"13900000007", "RESIDENT", "shengguang-01", "shengguang-01"},
	{"13900000008", "VOLUNTEER", "shengguang-01", "shengguang-01"},
	{"13900000009", "CAREGIVER", "shengguang", "shengguang-01"},
	{"13900000010", "CANTEEN_STAFF", "shengguang", "shengguang-01"},
	{"13900000011", "DEPARTMENT_STAFF", "urban-management", "shengguang-01"},
	{"13900000012", "RESIDENT", "cenxi-01", "cenxi-01"},
}

func TestDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := viewer.SystemContext(context.Background())
		c := s.Client
		start := time.Now()
		res, err := seed.Demo(ctx, c, testclock.Start())
		if err != nil {
			t.Fatalf("Demo: %v", err)
		}
		t.Logf("%s: seeded in %v: %+v", s.Dialect, time.Since(start).Round(time.Millisecond), res)

		t.Run("counts", func(t *testing.T) { testCounts(t, c, res) })
		t.Run("shengguang places", func(t *testing.T) { testShengguangPlaces(t, c) })
		t.Run("places", func(t *testing.T) { testPlaces(t, c) })
		t.Run("residents", func(t *testing.T) { testResidents(t, c) })
		t.Run("grid staff", func(t *testing.T) { testGridStaff(t, c) })
		t.Run("other staff", func(t *testing.T) { testOtherStaff(t, c) })
		t.Run("demo accounts", func(t *testing.T) { testDemoAccounts(t, c) })

		t.Run("second run adds nothing", func(t *testing.T) {
			before := tableCounts(t, c)
			again, err := seed.Demo(ctx, c, testclock.Start())
			if err != nil {
				t.Fatalf("second Demo: %v", err)
			}
			if again != (seed.Result{AlreadySeeded: true}) {
				t.Errorf("second Demo = %+v, want only AlreadySeeded", again)
			}
			if after := tableCounts(t, c); after != before {
				t.Errorf("second Demo changed the counts from %v to %v", before, after)
			}
		})

		t.Run("deterministic", func(t *testing.T) {
			other := storetest.Open(t, backendOf(t, s)).Client
			if _, err := seed.Demo(ctx, other, testclock.Start()); err != nil {
				t.Fatalf("Demo on a second database: %v", err)
			}
			compareDumps(t, "first database", dump(t, c, true), "second database", dump(t, other, true))
		})
	})
}

// TestDemoSameOnBothBackends seeds SQLite and PostgreSQL and expects the same
// rows. IDs are left out: SQLite numbers each type's range from start+1,
// PostgreSQL's identity columns from start.
func TestDemoSameOnBothBackends(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skipf("needs %s", storetest.EnvPostgres)
	}
	ctx := viewer.SystemContext(context.Background())
	lite := storetest.Client(t, storetest.SQLite)
	pg := storetest.Client(t, storetest.Postgres)
	for _, c := range []*ent.Client{lite, pg} {
		if _, err := seed.Demo(ctx, c, testclock.Start()); err != nil {
			t.Fatalf("Demo: %v", err)
		}
	}
	compareDumps(t, "SQLite", dump(t, lite, false), "PostgreSQL", dump(t, pg, false))
}

// TestDemoWritesNothingOnFailure makes the seed fail half-way (a demo
// account's phone is already taken, as when someone signed in before
// seeding) and expects nothing of it in the database.
func TestDemoWritesNothingOnFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := viewer.SystemContext(context.Background())
		c := s.Client
		early := c.Resident.Create().SetName("早到的人").SaveX(ctx)
		c.PersonalInfo.Create().SetResident(early).SetPhone(seed.PhoneOtherResident).SaveX(ctx)
		if res, err := seed.Demo(ctx, c, testclock.Start()); err == nil {
			t.Fatalf("Demo = %+v, want an error for the taken phone", res)
		}
		want := counts{residents: 1}
		if got := tableCounts(t, c); got != want {
			t.Errorf("after a failed Demo the database has %v, want %v", got, want)
		}
	})
}

// TestDemoConcurrent runs two Demo at once: one seeds, the other finds the
// street there, and neither fails.
func TestDemoConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := viewer.SystemContext(context.Background())
		var (
			wg      sync.WaitGroup
			results [2]seed.Result
			errs    [2]error
		)
		for i := range results {
			wg.Go(func() { results[i], errs[i] = seed.Demo(ctx, s.Client, testclock.Start()) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("Demo %d: %v", i, err)
			}
		}
		if results[0].AlreadySeeded == results[1].AlreadySeeded {
			t.Fatalf("AlreadySeeded = %v and %v, want exactly one seeding", results[0].AlreadySeeded, results[1].AlreadySeeded)
		}
		created := results[0]
		if created.AlreadySeeded {
			created = results[1]
		}
		got := tableCounts(t, s.Client)
		if got.streets != 1 || got.residents != created.Residents || got.roles != created.Roles {
			t.Errorf("database has %v, want what one Demo created: %+v", got, created)
		}
	})
}

func testCounts(t *testing.T, c *ent.Client, res seed.Result) {
	ctx := viewer.SystemContext(context.Background())
	got := tableCounts(t, c)
	for _, tc := range []struct {
		name         string
		result, rows int
		least, most  int
	}{
		{name: "streets", result: res.Streets, rows: got.streets, least: 1, most: 1},
		{name: "communities", result: res.Communities, rows: got.communities, least: 5, most: 5},
		{name: "grids", result: res.Grids, rows: got.grids, least: 39, most: 39},
		{name: "places", result: res.Places, rows: got.places, least: 8 + 28 + 320 + 318 + 39, most: 2000},
		{name: "households", result: res.Households, rows: got.households, least: 500, most: 3000},
		{name: "residents", result: res.Residents, rows: got.residents, least: 2000, most: 6000},
		{name: "departments", result: res.Departments, rows: got.departments, least: 8, most: 12},
		{name: "roles", result: res.Roles, rows: got.roles, least: 39 * (1 + 2 + 6), most: 2000},
	} {
		if tc.result != tc.rows {
			t.Errorf("Result.%s = %d, but the database has %d", tc.name, tc.result, tc.rows)
		}
		if tc.rows < tc.least || tc.rows > tc.most {
			t.Errorf("%d %s, want %d to %d", tc.rows, tc.name, tc.least, tc.most)
		}
	}
	if res.AlreadySeeded {
		t.Error("first Demo reported AlreadySeeded")
	}
	perCommunity := map[string]int{}
	for _, g := range c.Grid.Query().WithCommunity().AllX(ctx) {
		perCommunity[g.Edges.Community.Code]++
		if want := fmt.Sprintf("%s-%02d", g.Edges.Community.Code, g.Number); g.Code != want {
			t.Errorf("grid %s has number %d, want code %s", g.Code, g.Number, want)
		}
		if g.AreaDescription == "" {
			t.Errorf("grid %s has no area description", g.Code)
		}
	}
	for _, code := range []string{"shengguang", "cenxi"} {
		if perCommunity[code] == 0 {
			t.Errorf("community %s has no grids", code)
		}
	}
	for code, n := range perCommunity {
		if n > perCommunity["shengguang"] {
			t.Errorf("community %s has %d grids, more than Shengguang's %d", code, n, perCommunity["shengguang"])
		}
	}
}

func testShengguangPlaces(t *testing.T, c *ent.Client) {
	for _, tc := range []struct {
		kind place.Kind
		want int
	}{
		{place.KindCompound, 8},
		{place.KindBuilding, 28},
		{place.KindSelfBuiltHouse, 320},
		{place.KindShop, 318},
	} {
		got := c.Place.Query().
			Where(place.KindEQ(tc.kind), place.HasGridWith(grid.HasCommunityWith(community.Code("shengguang")))).
			CountX(context.Background())
		if got != tc.want {
			t.Errorf("Shengguang has %d places of kind %s, want %d", got, tc.kind, tc.want)
		}
	}
}

func testPlaces(t *testing.T, c *ent.Client) {
	ctx := viewer.SystemContext(context.Background())
	places := c.Place.Query().WithGrid().WithHouseholds().AllX(ctx)
	addresses := map[string]bool{}
	located := 0
	perGrid := map[string]int{}
	for _, p := range places {
		perGrid[p.Edges.Grid.Code]++
		if !strings.HasPrefix(p.Address, "集美区") || !strings.HasSuffix(p.Address, "号") {
			t.Errorf("place %q has address %q, want 集美区…号", p.Name, p.Address)
		}
		if addresses[p.Address] {
			t.Errorf("address %q is given twice", p.Address)
		}
		addresses[p.Address] = true
		if (p.Latitude == nil) != (p.Longitude == nil) {
			t.Errorf("place %q has only half its coordinates", p.Name)
		}
		if p.Latitude != nil {
			located++
			if *p.Latitude < 24.57 || *p.Latitude > 24.60 || *p.Longitude < 118.09 || *p.Longitude > 118.12 {
				t.Errorf("place %q at (%v, %v) is not in Jimei", p.Name, *p.Latitude, *p.Longitude)
			}
		}
		n := len(p.Edges.Households)
		switch p.Kind {
		case place.KindCompound:
			if n < 5 {
				t.Errorf("compound %q has %d households, want many", p.Name, n)
			}
		case place.KindBuilding:
			if n < 2 {
				t.Errorf("building %q has %d households, want several", p.Name, n)
			}
		case place.KindSelfBuiltHouse:
			if n < 1 || n > 2 {
				t.Errorf("self-built house %q has %d households, want 1 or 2", p.Name, n)
			}
		case place.KindShop:
			if n > 1 {
				t.Errorf("shop %q has %d households, want at most 1", p.Name, n)
			}
		}
	}
	if located*10 < len(places)*8 {
		t.Errorf("%d of %d places have coordinates, want most", located, len(places))
	}
	if len(perGrid) != 39 {
		t.Errorf("%d grids have places, want all 39", len(perGrid))
	}
}

func testResidents(t *testing.T, c *ent.Client) {
	ctx := viewer.SystemContext(context.Background())
	residents := c.Resident.Query().WithPersonalInfo().AllX(ctx)
	youngest, oldest := 200, -1
	for _, r := range residents {
		info := r.Edges.PersonalInfo
		if info == nil || info.BirthDate == nil {
			t.Errorf("resident %s has no personal info with a birth date", r.Name)
			continue
		}
		age := ageOn(*info.BirthDate, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		youngest, oldest = min(youngest, age), max(oldest, age)
		ph := phoneOf(r)
		switch {
		case age < 12 && ph != "" && !isDemoPhone(ph):
			t.Errorf("resident %s is %d and has phone %s; children under 12 have none", r.Name, age, ph)
		case age >= 12 && (phone.Validate(ph) != nil || len(ph) != 11):
			t.Errorf("resident %s (%d) has phone %q, want an 11-digit mainland mobile", r.Name, age, ph)
		}
		if strings.HasPrefix(ph, "139") && !isDemoPhone(ph) {
			t.Errorf("resident %s has phone %s in the demo accounts' range", r.Name, ph)
		}
		if r.HouseholdID == nil {
			t.Errorf("resident %s (%s) has no household", r.Name, ph)
		}
		if n := len([]rune(r.Name)); n < 2 || n > 3 {
			t.Errorf("resident name %q has %d characters, want 2 or 3", r.Name, n)
		}
	}
	if youngest < 1 || youngest > 3 || oldest < 90 || oldest > 95 {
		t.Errorf("ages on 2026-01-01 run from %d to %d, want from 1–3 to 90–95", youngest, oldest)
	}
	for _, g := range c.Grid.Query().AllX(ctx) {
		n := c.Resident.Query().Where(resident.HasHouseholdWith(household.HasPlaceWith(place.GridID(g.ID)))).CountX(ctx)
		if n < 20 {
			t.Errorf("grid %s has %d residents, want at least 20", g.Code, n)
		}
	}
}

func testGridStaff(t *testing.T, c *ent.Client) {
	ctx := viewer.SystemContext(context.Background())
	perGrid := map[int]map[roleassignment.Role]int{}
	roles := c.RoleAssignment.Query().Where(roleassignment.GridIDNotNil()).
		WithResident(func(q *ent.ResidentQuery) { q.WithHousehold(func(q *ent.HouseholdQuery) { q.WithPlace() }) }).
		AllX(ctx)
	for _, r := range roles {
		if perGrid[*r.GridID] == nil {
			perGrid[*r.GridID] = map[roleassignment.Role]int{}
		}
		perGrid[*r.GridID][r.Role]++
		if r.Role == roleassignment.RoleSAFETY_INFORMANT || r.Role == roleassignment.RoleVOLUNTEER {
			h := r.Edges.Resident.Edges.Household
			if h == nil || h.Edges.Place.GridID != *r.GridID {
				t.Errorf("%s %s does not live in the grid", r.Role, r.Edges.Resident.Name)
			}
		}
	}
	for _, g := range c.Grid.Query().AllX(ctx) {
		got := perGrid[g.ID]
		for _, tc := range []struct {
			role        roleassignment.Role
			least, most int
		}{
			{roleassignment.RoleGRID_LEADER, 1, 1},
			{roleassignment.RoleGRID_WORKER, 2, 4},
			{roleassignment.RoleSAFETY_INFORMANT, 6, 7},
			{roleassignment.RoleVOLUNTEER, 2, 5},
			{roleassignment.RoleRED_STEWARD, 0, 1},
		} {
			if n := got[tc.role]; n < tc.least || n > tc.most {
				t.Errorf("grid %s has %d %s, want %d to %d", g.Code, n, tc.role, tc.least, tc.most)
			}
		}
	}
	if n := c.RoleAssignment.Query().Where(roleassignment.RoleEQ(roleassignment.RoleRED_STEWARD)).CountX(ctx); n == 0 {
		t.Error("no red stewards")
	}
}

func testOtherStaff(t *testing.T, c *ent.Client) {
	ctx := viewer.SystemContext(context.Background())
	for _, cm := range c.Community.Query().AllX(ctx) {
		for _, tc := range []struct {
			role        roleassignment.Role
			least, most int
		}{
			{roleassignment.RoleCOMMUNITY_ADMIN, 1, 2},
			{roleassignment.RoleCAREGIVER, 1, 2},
			{roleassignment.RoleCANTEEN_STAFF, 1, 2},
		} {
			n := c.RoleAssignment.Query().Where(roleassignment.RoleEQ(tc.role), roleassignment.CommunityID(cm.ID)).CountX(ctx)
			if n < tc.least || n > tc.most {
				t.Errorf("community %s has %d %s, want %d to %d", cm.Code, n, tc.role, tc.least, tc.most)
			}
		}
	}
	if n := c.RoleAssignment.Query().Where(roleassignment.RoleEQ(roleassignment.RoleSTREET_ADMIN), roleassignment.StreetIDNotNil()).CountX(ctx); n < 1 || n > 2 {
		t.Errorf("%d street admins, want 1 or 2", n)
	}
	kinds := map[string]int{}
	for _, d := range c.Department.Query().WithStaff().AllX(ctx) {
		kinds[d.Kind.String()]++
		if len(d.Edges.Staff) == 0 {
			t.Errorf("department %s has no staff", d.Code)
		}
	}
	if kinds["GOVERNMENT"] < 8 || kinds["CO_BUILDING_UNIT"] < 1 {
		t.Errorf("departments by kind: %v, want 8 government and a co-building unit", kinds)
	}
}

func testDemoAccounts(t *testing.T, c *ent.Client) {
	ctx := viewer.SystemContext(context.Background())
	if len(seed.DemoAccounts) != len(wantAccounts) {
		t.Fatalf("seed.DemoAccounts has %d accounts, want %d", len(seed.DemoAccounts), len(wantAccounts))
	}
	households := map[string]int{}
	for i, want := range wantAccounts {
		a := seed.DemoAccounts[i]
		t.Run(want.phone, func(t *testing.T) {
			if a.Phone != want.phone || a.Role != want.role || a.Scope != want.scope {
				t.Errorf("seed.DemoAccounts[%d] = %s %s in %s, want %s %s in %s", i, a.Phone, a.Role, a.Scope, want.phone, want.role, want.scope)
			}
			if a.Name == "" || a.Description == "" {
				t.Errorf("account %s has no name or description", a.Phone)
			}
			r, err := c.Resident.Query().Where(resident.HasPersonalInfoWith(personalinfo.Phone(want.phone))).
				WithPersonalInfo().
				WithHousehold(func(q *ent.HouseholdQuery) {
					q.WithPlace(func(q *ent.PlaceQuery) { q.WithGrid() }).WithMembers()
				}).
				WithRoles(func(q *ent.RoleAssignmentQuery) {
					q.WithGrid().WithCommunity().WithStreet().WithDepartment()
				}).
				Only(ctx)
			if err != nil {
				t.Fatalf("resident %s: %v", want.phone, err)
			}
			if r.Name != a.Name {
				t.Errorf("resident %s is named %s, want %s", want.phone, r.Name, a.Name)
			}
			h := r.Edges.Household
			if h == nil {
				t.Fatalf("resident %s has no household", want.phone)
			}
			households[want.phone] = h.ID
			if home := h.Edges.Place.Edges.Grid.Code; home != want.home {
				t.Errorf("resident %s lives in %s, want %s", want.phone, home, want.home)
			}
			var held []string
			for _, ra := range r.Edges.Roles {
				held = append(held, string(ra.Role)+" in "+scopeCode(ra))
			}
			wantHeld := []string{want.role + " in " + want.scope}
			if want.role == "RESIDENT" {
				wantHeld = nil
			}
			if fmt.Sprint(held) != fmt.Sprint(wantHeld) {
				t.Errorf("resident %s holds %v, want %v", want.phone, held, wantHeld)
			}
			if want.phone == seed.PhoneElder {
				born := r.Edges.PersonalInfo.BirthDate
				if got := born.Format(time.DateOnly); got != "1944-03-15" {
					t.Errorf("the elder was born on %s, want 1944-03-15", got)
				}
				if age := ageOn(*born, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)); age != 82 {
					t.Errorf("the elder is %d on 2026-11-26, want 82", age)
				}
				if n := len(h.Edges.Members); n != 1 {
					t.Errorf("the elder's household has %d members, want the elder alone", n)
				}
			}
		})
	}
	if households[seed.PhoneGuardian] == households[seed.PhoneElder] {
		t.Error("the guardian and the elder share a household, want two")
	}
	leader := c.RoleAssignment.Query().
		Where(roleassignment.RoleEQ(roleassignment.RoleGRID_LEADER), roleassignment.HasGridWith(grid.Code(seed.GridShengguang01))).
		QueryResident().WithPersonalInfo().OnlyX(ctx)
	if phoneOf(leader) != seed.PhoneGridLeader {
		t.Errorf("the leader of %s is %s, want %s", seed.GridShengguang01, phoneOf(leader), seed.PhoneGridLeader)
	}
}

// counts are the number of rows in each table.
type counts struct {
	streets, communities, grids, places, households, residents, departments, roles int
}

func tableCounts(t *testing.T, c *ent.Client) counts {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	return counts{
		streets:     c.Street.Query().CountX(ctx),
		communities: c.Community.Query().CountX(ctx),
		grids:       c.Grid.Query().CountX(ctx),
		places:      c.Place.Query().CountX(ctx),
		households:  c.Household.Query().CountX(ctx),
		residents:   c.Resident.Query().CountX(ctx),
		departments: c.Department.Query().CountX(ctx),
		roles:       c.RoleAssignment.Query().CountX(ctx),
	}
}

// dump lists the seeded rows, one line each, in ID order: everything that
// should be the same on every run (not the timestamps).
func dump(t *testing.T, c *ent.Client, withIDs bool) []string {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	var lines []string
	add := func(id int, format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		if withIDs {
			line = strconv.Itoa(id) + " " + line
		}
		lines = append(lines, line)
	}
	for _, s := range c.Street.Query().Order(ent.Asc("id")).AllX(ctx) {
		add(s.ID, "street %s %s %s", s.Code, s.Name, s.District)
	}
	for _, cm := range c.Community.Query().Order(ent.Asc("id")).AllX(ctx) {
		add(cm.ID, "community %s %s", cm.Code, cm.Name)
	}
	for _, d := range c.Department.Query().Order(ent.Asc("id")).AllX(ctx) {
		add(d.ID, "department %s %s %s %s", d.Code, d.Name, d.Kind, d.Description)
	}
	for _, g := range c.Grid.Query().Order(ent.Asc("id")).WithCommunity().AllX(ctx) {
		add(g.ID, "grid %s %s %d %s %s", g.Code, g.Name, g.Number, g.AreaDescription, g.Edges.Community.Code)
	}
	coord := func(f *float64) string {
		if f == nil {
			return "-"
		}
		return strconv.FormatFloat(*f, 'f', 6, 64)
	}
	for _, p := range c.Place.Query().Order(ent.Asc("id")).WithGrid().AllX(ctx) {
		add(p.ID, "place %s %s %s %s %s %s", p.Kind, p.Name, p.Address, coord(p.Latitude), coord(p.Longitude), p.Edges.Grid.Code)
	}
	for _, r := range c.Resident.Query().Order(ent.Asc("id")).WithPersonalInfo().
		WithHousehold(func(q *ent.HouseholdQuery) { q.WithPlace() }).AllX(ctx) {
		birth, unit, address := "-", "-", "-"
		if info := r.Edges.PersonalInfo; info != nil && info.BirthDate != nil {
			birth = info.BirthDate.Format(time.DateOnly)
		}
		if h := r.Edges.Household; h != nil {
			unit, address = h.Unit, h.Edges.Place.Address
			if withIDs {
				unit = strconv.Itoa(h.ID) + ":" + unit
			}
		}
		add(r.ID, "resident %s %s %s %s %s", phoneOf(r), r.Name, birth, unit, address)
	}
	for _, ra := range c.RoleAssignment.Query().Order(ent.Asc("id")).
		WithResident(func(q *ent.ResidentQuery) { q.WithPersonalInfo() }).
		WithGrid().WithCommunity().WithStreet().WithDepartment().AllX(ctx) {
		add(ra.ID, "role %s %s %s %s", ra.Role, ra.Title, phoneOf(ra.Edges.Resident), scopeCode(ra))
	}
	return lines
}

// compareDumps fails the test at the first line where two dumps differ.
func compareDumps(t *testing.T, nameA string, a []string, nameB string, b []string) {
	t.Helper()
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			t.Fatalf("line %d differs:\n%s: %s\n%s: %s", i+1, nameA, a[i], nameB, b[i])
		}
	}
	if len(a) != len(b) {
		t.Fatalf("%s has %d lines, %s %d", nameA, len(a), nameB, len(b))
	}
	if len(a) < 5000 {
		t.Fatalf("dump has only %d lines; is the database seeded?", len(a))
	}
}

// scopeCode is the code of where a role assignment (loaded with its scope
// edges) is held.
func scopeCode(ra *ent.RoleAssignment) string {
	switch e := ra.Edges; {
	case e.Grid != nil:
		return e.Grid.Code
	case e.Community != nil:
		return e.Community.Code
	case e.Street != nil:
		return e.Street.Code
	case e.Department != nil:
		return e.Department.Code
	}
	return "nowhere"
}

func backendOf(t *testing.T, s *store.Store) storetest.Backend {
	t.Helper()
	switch s.Dialect {
	case dialect.SQLite:
		return storetest.SQLite
	case dialect.Postgres:
		return storetest.Postgres
	}
	t.Fatalf("unknown dialect %q", s.Dialect)
	return ""
}

func isDemoPhone(p string) bool {
	for _, a := range wantAccounts {
		if a.phone == p {
			return true
		}
	}
	return false
}

// phoneOf returns the phone of a resident loaded with its personal info,
// or "" when it has none.
func phoneOf(r *ent.Resident) string {
	if info := r.Edges.PersonalInfo; info != nil && info.Phone != nil {
		return *info.Phone
	}
	return ""
}

// ageOn is the age on day of someone born on birth.
func ageOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		age--
	}
	return age
}
