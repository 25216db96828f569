package apitest_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/household"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// attempt is one write a viewer tries: the mutation, its variables, and how
// to tell (as the system) whether it took effect.
type attempt struct {
	query   string
	vars    map[string]any
	changed func() bool
}

// The write half of the authorization matrix: each mutation, tried by every
// viewer. The viewers in allowed succeed and change exactly delta rows (a
// change of someone's rights includes the event that reconnects their
// websockets);
// anonymous gets UNAUTHENTICATED and every other viewer FORBIDDEN, with
// nothing written at all.
var writeMatrix = []struct {
	name    string
	allowed string
	delta   map[string]int
	try     func(t *testing.T, w *world, row, viewer int) attempt
	undo    func(t *testing.T, w *world) // after a success, as the system
}{
	{"assignRole: VOLUNTEER in shengguang-01", "01 02",
		map[string]int{"role_assignments": 1, "audit_records": 1, "events": 1},
		assignRole("resident:elder", "VOLUNTEER", "grid:sg01"), dropRoles("resident:elder")},
	{"assignRole: COMMUNITY_ADMIN of 盛光", "01 02",
		map[string]int{"role_assignments": 1, "audit_records": 1, "events": 1},
		assignRole("resident:elder", "COMMUNITY_ADMIN", "community:sg"), dropRoles("resident:elder")},
	{"assignRole: GRID_WORKER in cenxi-01 (another community)", "01",
		map[string]int{"role_assignments": 1, "audit_records": 1, "events": 1},
		assignRole("resident:other", "GRID_WORKER", "grid:cx01"), dropRoles("resident:other")},
	{"assignRole: STREET_ADMIN (no escalation by a community admin)", "01",
		map[string]int{"role_assignments": 1, "audit_records": 1, "events": 1},
		assignRole("resident:elder", "STREET_ADMIN", "street"), dropRoles("resident:elder")},
	{"assignRole: DEPARTMENT_STAFF", "01",
		map[string]int{"role_assignments": 1, "audit_records": 1, "events": 1},
		assignRole("resident:elder", "DEPARTMENT_STAFF", "department"), dropRoles("resident:elder")},

	{"revokeRole: the volunteer of shengguang-01", "01 02",
		map[string]int{"role_assignments": -1, "audit_records": 1, "events": 1},
		revokeRole(seed.PhoneVolunteer, "VOLUNTEER"), restoreRole(seed.PhoneVolunteer, "VOLUNTEER", "grid:sg01")},
	{"revokeRole: the department staff", "01",
		map[string]int{"role_assignments": -1, "audit_records": 1, "events": 1},
		revokeRole(seed.PhoneDepartmentStaff, "DEPARTMENT_STAFF"), restoreRole(seed.PhoneDepartmentStaff, "DEPARTMENT_STAFF", "department")},
	{"revokeRole: a grid worker of cenxi-01", "01",
		map[string]int{"role_assignments": -1, "audit_records": 1, "events": 1},
		func(t *testing.T, w *world, row, viewer int) attempt {
			id := w.cenxiWorkerRole(t)
			return revokeRoleID(w, id)
		},
		func(t *testing.T, w *world) { w.restoreCenxiWorker(t) }},

	{"registerHousehold: at a place of shengguang-01", "01 02",
		map[string]int{"households": 1, "residents": 1, "personal_infos": 1, "audit_records": 1},
		registerHousehold("place:elder", nil), nil},
	{"registerHousehold: at a place of 岑西", "01",
		map[string]int{"households": 1, "residents": 1, "personal_infos": 1, "audit_records": 1},
		registerHousehold("place:other", nil), nil},
	{"registerHousehold: with an unverified resident's phone", "01 02",
		map[string]int{"households": 1, "audit_records": 2, "events": 1},
		registerHousehold("place:elder", func(t *testing.T, w *world, row, viewer int) string {
			return w.unverified(t, row, viewer)
		}), nil},
	{"registerHousehold: moving the resident of 岑西 into 盛光", "01",
		map[string]int{"households": 1, "audit_records": 2, "events": 1},
		registerHousehold("place:elder", func(*testing.T, *world, int, int) string { return seed.PhoneOtherResident }),
		moveBack("resident:other", "household:other")},

	{"verifyResident: an unverified resident into a household of 盛光", "01 02",
		map[string]int{"audit_records": 1, "events": 1},
		func(t *testing.T, w *world, row, viewer int) attempt {
			phone := w.unverified(t, row, viewer)
			return verifyResident(t, w, phone, "household:guardian")
		}, nil},
	{"verifyResident: the resident of 岑西 into 盛光", "01",
		map[string]int{"audit_records": 1, "events": 1},
		func(t *testing.T, w *world, row, viewer int) attempt {
			return verifyResident(t, w, seed.PhoneOtherResident, "household:guardian")
		}, moveBack("resident:other", "household:other")},

	{"updateMyProfile: name", "signed-in", map[string]int{},
		func(t *testing.T, w *world, row, viewer int) attempt {
			name := fmt.Sprintf("改名%d", viewer)
			return attempt{
				query: `mutation($n: String!) { updateMyProfile(input: {name: $n}) { id name } }`,
				vars:  map[string]any{"n": name},
				changed: func() bool {
					n, err := w.e.Client.Resident.Query().Where(resident.Name(name)).Count(w.e.SystemCtx())
					return err != nil || n > 0
				},
			}
		}, nil},
	{"updateMyProfile: birth date", "signed-in", map[string]int{},
		func(t *testing.T, w *world, row, viewer int) attempt {
			d := time.Date(1950, 1, 1, 13, 37, viewer, 0, time.UTC) // the seed writes no time of day
			return attempt{
				query: `mutation($d: Time!) { updateMyProfile(input: {birthDate: $d}) { id personalInfo { birthDate } } }`,
				vars:  map[string]any{"d": d.Format(time.RFC3339)},
				changed: func() bool {
					n, err := w.e.Client.PersonalInfo.Query().Where(personalinfo.BirthDate(d)).Count(w.e.SystemCtx())
					return err != nil || n > 0
				},
			}
		}, nil},
}

func TestAuthzWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		for row, m := range writeMatrix {
			allowed := viewerSet(m.allowed)
			t.Run(m.name, func(t *testing.T) {
				for vi, v := range allViewers {
					a := m.try(t, w, row, vi)
					before := w.e.Counts(t)
					r := w.e.Do(t, w.tokens[v], a.query, a.vars)
					after := w.e.Counts(t)
					diff := countDiff(before, after)
					switch {
					case allowed[v]:
						if r.Status != 200 || len(r.Errors) > 0 {
							t.Errorf("%s: refused: %s", v, r)
							continue
						}
						if !maps.Equal(diff, m.delta) {
							t.Errorf("%s: changed %v rows, want %v", v, diff, m.delta)
						}
						if !a.changed() {
							t.Errorf("%s: succeeded but changed nothing: %s", v, r)
						}
						if m.undo != nil {
							m.undo(t, w)
						}
					default:
						want := "FORBIDDEN"
						if v == anon {
							want = "UNAUTHENTICATED"
						}
						if r.Code() != want {
							t.Errorf("%s: want %s, got %s", v, want, r)
						}
						if len(diff) > 0 {
							t.Errorf("%s: refused, but rows changed: %v", v, diff)
						}
						if a.changed() {
							t.Errorf("%s: refused, but the change is there", v)
						}
						if a.changed() && m.undo != nil {
							m.undo(t, w)
						}
					}
				}
			})
		}
	})
}

// countDiff returns the tables whose row counts differ, with the change.
func countDiff(before, after map[string]int) map[string]int {
	d := map[string]int{}
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if after[k] != before[k] {
			d[k] = after[k] - before[k]
		}
	}
	return d
}

// assignRole tries to give the resident named who the role in scope.
func assignRole(who, role, scope string) func(*testing.T, *world, int, int) attempt {
	return func(t *testing.T, w *world, row, viewer int) attempt {
		rid, sid := w.id(t, who), w.id(t, scope)
		return attempt{
			query: `mutation($r: ID!, $role: RoleAssignmentRole!, $s: ID!) { assignRole(input: {residentId: $r, role: $role, scopeId: $s}) { id role } }`,
			vars:  map[string]any{"r": str(rid), "role": role, "s": str(sid)},
			changed: func() bool {
				n, err := w.e.Client.RoleAssignment.Query().
					Where(roleassignment.ResidentID(rid), roleassignment.RoleEQ(roleassignment.Role(role))).Count(w.e.SystemCtx())
				return err != nil || n > 0
			},
		}
	}
}

// dropRoles removes every role of the resident named who.
func dropRoles(who string) func(*testing.T, *world) {
	return func(t *testing.T, w *world) {
		if _, err := w.e.Client.RoleAssignment.Delete().Where(roleassignment.ResidentID(w.id(t, who))).Exec(w.e.SystemCtx()); err != nil {
			t.Fatal(err)
		}
	}
}

// revokeRole tries to revoke the role held by the resident with phone.
func revokeRole(phone, role string) func(*testing.T, *world, int, int) attempt {
	return func(t *testing.T, w *world, row, viewer int) attempt {
		return revokeRoleID(w, w.e.RoleID(t, phone, role))
	}
}

func revokeRoleID(w *world, id int) attempt {
	return attempt{
		query: `mutation($id: ID!) { revokeRole(id: $id) }`,
		vars:  map[string]any{"id": str(id)},
		changed: func() bool {
			ok, err := w.e.Client.RoleAssignment.Query().Where(roleassignment.ID(id)).Exist(w.e.SystemCtx())
			return err != nil || !ok
		},
	}
}

// restoreRole gives the resident with phone the role in scope again.
func restoreRole(phone, role, scope string) func(*testing.T, *world) {
	return func(t *testing.T, w *world) {
		c := w.e.Client.RoleAssignment.Create().SetResidentID(w.e.ResidentID(t, phone)).SetRole(roleassignment.Role(role))
		switch scope {
		case "department":
			c.SetDepartmentID(w.id(t, scope))
		default:
			c.SetGridID(w.id(t, scope))
		}
		if err := c.Exec(w.e.SystemCtx()); err != nil {
			t.Fatal(err)
		}
	}
}

// cenxiWorkerRole returns a GRID_WORKER role of cenxi-01, remembering whose.
func (w *world) cenxiWorkerRole(t *testing.T) int {
	t.Helper()
	ra, err := w.e.Client.RoleAssignment.Query().
		Where(roleassignment.GridID(w.id(t, "grid:cx01")), roleassignment.RoleEQ(roleassignment.RoleGRID_WORKER)).
		Order(roleassignment.ByID()).First(w.e.SystemCtx())
	if err != nil {
		t.Fatal(err)
	}
	w.ids["cenxi worker"] = ra.ResidentID
	return ra.ID
}

// restoreCenxiWorker makes the remembered resident a worker of cenxi-01 again.
func (w *world) restoreCenxiWorker(t *testing.T) {
	t.Helper()
	err := w.e.Client.RoleAssignment.Create().SetResidentID(w.id(t, "cenxi worker")).
		SetRole(roleassignment.RoleGRID_WORKER).SetGridID(w.id(t, "grid:cx01")).Exec(w.e.SystemCtx())
	if err != nil {
		t.Fatal(err)
	}
}

// registerHousehold tries to register a household at place with one member,
// who has the phone member gives (none when member is nil).
func registerHousehold(place string, member func(*testing.T, *world, int, int) string) func(*testing.T, *world, int, int) attempt {
	return func(t *testing.T, w *world, row, viewer int) attempt {
		unit := fmt.Sprintf("W%d-%d", row, viewer)
		m := map[string]any{"name": "新住户"}
		if member != nil {
			m["phone"] = member(t, w, row, viewer)
		}
		pid := w.id(t, place)
		return attempt{
			query: `mutation($in: RegisterHouseholdInput!) { registerHousehold(input: $in) { id unit } }`,
			vars:  map[string]any{"in": map[string]any{"placeId": str(pid), "unit": unit, "members": []any{m}}},
			changed: func() bool {
				ok, err := w.e.Client.Household.Query().Where(household.PlaceID(pid), household.Unit(unit)).Exist(w.e.SystemCtx())
				return err != nil || ok
			},
		}
	}
}

// verifyResident tries to verify the resident with phone into a household.
func verifyResident(t *testing.T, w *world, phone, hh string) attempt {
	hid := w.id(t, hh)
	return attempt{
		query: `mutation($p: String!, $h: ID!) { verifyResident(phone: $p, householdId: $h) { id } }`,
		vars:  map[string]any{"p": phone, "h": str(hid)},
		changed: func() bool {
			ok, err := w.e.Client.Resident.Query().
				Where(resident.HasPersonalInfoWith(personalinfo.Phone(phone)), resident.HouseholdID(hid)).Exist(w.e.SystemCtx())
			return err != nil || ok
		},
	}
}

// moveBack puts the resident named who back into the household named hh.
func moveBack(who, hh string) func(*testing.T, *world) {
	return func(t *testing.T, w *world) {
		if err := w.e.Client.Resident.UpdateOneID(w.id(t, who)).SetHouseholdID(w.id(t, hh)).Exec(w.e.SystemCtx()); err != nil {
			t.Fatal(err)
		}
	}
}

// unverified creates, as the system, a resident who signed in but is in no
// household, with a phone of its own for this row and viewer.
func (w *world) unverified(t *testing.T, row, viewer int) string {
	t.Helper()
	phone := fmt.Sprintf("1370%02d%05d", row, viewer)
	ctx := w.e.SystemCtx()
	r, err := w.e.Client.Resident.Create().SetName("未验证").Save(ctx)
	if err == nil {
		err = w.e.Client.PersonalInfo.Create().SetResidentID(r.ID).SetPhone(phone).Exec(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	return phone
}

// TestRefusalsRevealNothing: a refused write must not tell the caller
// whether what it named exists. requestSignInCode answers the same whether
// or not Linli knows a phone; the other mutations that take a phone or an
// ID must not undo that.
func TestRefusalsRevealNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		cases := []struct {
			name, query string
			// the variables naming something that exists (and is hidden
			// from the viewer) and something that does not exist
			exists, missing map[string]any
		}{
			{"verifyResident: is this phone a resident?",
				`mutation($p: String!, $h: ID!) { verifyResident(phone: $p, householdId: $h) { id } }`,
				map[string]any{"p": seed.PhoneOtherResident, "h": str(w.id(t, "household:guardian"))},
				map[string]any{"p": "13799999999", "h": str(w.id(t, "household:guardian"))}},
			{"assignRole: does this resident exist?",
				`mutation($r: ID!, $s: ID!) { assignRole(input: {residentId: $r, role: VOLUNTEER, scopeId: $s}) { id } }`,
				map[string]any{"r": str(w.id(t, "resident:other")), "s": str(w.id(t, "grid:sg01"))},
				map[string]any{"r": str(apitest.MissingID(w.id(t, "resident:other"))), "s": str(w.id(t, "grid:sg01"))}},
			{"registerHousehold: is this phone a resident?",
				`mutation($p: String!, $pl: ID!) { registerHousehold(input: {placeId: $pl, members: [{name: "x", phone: $p}]}) { id } }`,
				map[string]any{"p": seed.PhoneOtherResident, "pl": str(w.id(t, "place:elder"))},
				map[string]any{"p": "13799999999", "pl": str(w.id(t, "place:elder"))}},
		}
		for _, c := range cases {
			for _, v := range []string{newb, "06", "05", "03"} {
				t.Run(c.name+"/"+v, func(t *testing.T) {
					r1 := w.e.Do(t, w.tokens[v], c.query, c.exists)
					r2 := w.e.Do(t, w.tokens[v], c.query, c.missing)
					if r1.Code() == "" || r2.Code() == "" {
						t.Fatalf("a write by %s was not refused: %s / %s", v, r1, r2)
					}
					if r1.Code() != r2.Code() || r1.Message() != r2.Message() {
						t.Errorf("the refusal tells existing from missing:\nexisting: %s\nmissing:  %s", r1, r2)
					}
				})
			}
		}
	})
}
