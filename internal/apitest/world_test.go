package apitest_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
)

// Viewers of the authorization tests: nobody, a resident who just signed in
// with an unknown phone, and the twelve demo accounts by the last two digits
// of their phone ("01" is 13900000001, the street admin).
const (
	anon = "anon"
	newb = "new"
)

// newPhone is the phone of the unverified resident the authorization tests
// sign in.
const newPhone = "13700000100"

// allViewers lists every viewer in a fixed order.
var allViewers = []string{anon, newb, "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"}

// viewerSet parses a space-separated list of viewers; "all" is every
// viewer, "signed-in" every viewer but anon, "none" nobody.
func viewerSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, f := range strings.Fields(s) {
		switch f {
		case "all":
			for _, v := range allViewers {
				set[v] = true
			}
		case "signed-in":
			for _, v := range allViewers[1:] {
				set[v] = true
			}
		case "none":
		default:
			if !slices.Contains(allViewers, f) {
				panic("unknown viewer " + f)
			}
			set[f] = true
		}
	}
	return set
}

// demoPhone returns the phone of demo viewer v ("01".."12").
func demoPhone(v string) string { return "139000000" + v }

// world is the seeded demo street with a token for every viewer and the IDs
// of the objects the tests look at, by name.
type world struct {
	e      *apitest.Env
	tokens map[string]string
	ids    map[string]int
}

// newWorld starts an Env over s, seeds the demo street, signs in the
// unverified resident and collects the IDs the tests use.
func newWorld(t *testing.T, s *store.Store, opts ...apitest.Option) *world {
	t.Helper()
	e := apitest.New(t, s, opts...)
	e.SeedDemo(t)
	w := &world{e: e, tokens: map[string]string{anon: ""}, ids: map[string]int{}}
	access, _ := e.SignIn(t, newPhone)
	w.tokens[newb] = access
	for _, v := range allViewers[2:] {
		w.tokens[v] = e.TokenFor(t, demoPhone(v))
	}

	id := w.ids
	id["street"] = e.StreetID(t, seed.StreetCode)
	id["community:sg"] = e.CommunityID(t, seed.CommunityShengguang)
	id["community:cx"] = e.CommunityID(t, "cenxi")
	id["grid:sg01"] = e.GridID(t, seed.GridShengguang01)
	id["grid:sg02"] = e.GridID(t, "shengguang-02")
	id["grid:cx01"] = e.GridID(t, seed.GridCenxi01)
	id["department"] = e.DepartmentID(t, seed.DepartmentUrbanManagement)
	id["role:leader"] = e.RoleID(t, seed.PhoneGridLeader, "GRID_LEADER")
	id["role:dept"] = e.RoleID(t, seed.PhoneDepartmentStaff, "DEPARTMENT_STAFF")
	for name, phone := range map[string]string{
		"elder": seed.PhoneElder, "guardian": seed.PhoneGuardian, "leader": seed.PhoneGridLeader,
		"other": seed.PhoneOtherResident, "new": newPhone,
	} {
		rid := e.ResidentID(t, phone)
		id["resident:"+name] = rid
		id["pi:"+name] = e.PersonalInfoID(t, phone)
		if hh := e.HouseholdID(t, rid); hh != 0 {
			id["household:"+name] = hh
		}
	}
	id["place:elder"] = e.PlaceID(t, id["household:elder"])
	id["place:other"] = e.PlaceID(t, id["household:other"])

	// A resident of shengguang-02 who holds no role: staff of shengguang-01
	// must not see them.
	ctx := e.SystemCtx()
	sg02, err := e.Client.Resident.Query().
		Where(resident.HasGridWith(grid.Code("shengguang-02")), resident.Not(resident.HasRoles()), resident.HasPersonalInfo()).
		WithPersonalInfo().Order(resident.ByID()).First(ctx)
	if err != nil {
		t.Fatalf("a resident of shengguang-02: %v", err)
	}
	id["resident:sg02"] = sg02.ID
	id["pi:sg02"] = sg02.Edges.PersonalInfo.ID
	id["household:sg02"] = *sg02.HouseholdID

	id["guardianship"] = firstID(t)(e.Client.Guardianship.Query().IDs(ctx))

	// Rows of the entities that are not in the API at all.
	c := e.Client
	id["session"] = firstID(t)(c.Session.Query().IDs(ctx))
	id["signInCode"] = firstID(t)(c.SignInCode.Query().IDs(ctx))
	id["consent"] = firstID(t)(c.Consent.Query().IDs(ctx))
	audit, err := c.AuditRecord.Create().SetCreatedAt(e.Clock.Now()).SetAction("test.setup").
		SetSubjectID(id["resident:elder"]).SetDetail("made by the authorization tests").Save(ctx)
	if err != nil {
		t.Fatalf("an audit record: %v", err)
	}
	id["auditRecord"] = audit.ID
	for _, part := range worldParts {
		part(t, w)
	}
	return w
}

// worldParts add the objects of a capability (its requests, orders,
// bookings) to the world, by name in w.ids: made through the API or, for
// what the demo seed already holds, looked up as the system.
var worldParts []func(t *testing.T, w *world)

// firstID returns a function that returns the first of ids, failing the
// test when there is none.
func firstID(t *testing.T) func(ids []int, err error) int {
	return func(ids []int, err error) int {
		t.Helper()
		if err != nil || len(ids) == 0 {
			t.Fatalf("no row: %v", err)
		}
		return ids[0]
	}
}

// id returns the ID of the object with the given name.
func (w *world) id(t *testing.T, name string) int {
	t.Helper()
	id, ok := w.ids[name]
	if !ok {
		t.Fatalf("no object named %q in the test world", name)
	}
	return id
}

// containsID reports whether the decoded JSON value v holds an object whose
// "id" is id.
func containsID(v any, id string) bool {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["id"].(string); ok && s == id {
			return true
		}
		for _, e := range x {
			if containsID(e, id) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if containsID(e, id) {
				return true
			}
		}
	}
	return false
}

// data decodes r's data into any.
func data(t *testing.T, r apitest.Response) any {
	t.Helper()
	var v any
	if len(r.Data) > 0 {
		if err := json.Unmarshal(r.Data, &v); err != nil {
			t.Fatalf("data: %v\n%s", err, r)
		}
	}
	return v
}

// normalized renders what a client can tell from a response (status, data,
// error messages, paths and codes) with the given IDs replaced by <ID>, so
// that two answers about different IDs compare equal when they say the
// same thing.
func normalized(r apitest.Response, ids ...string) string {
	type errOut struct {
		Message string
		Path    []any
		Code    string
	}
	out := struct {
		Status int
		Data   json.RawMessage
		Errors []errOut
	}{Status: r.Status, Data: r.Data}
	for _, e := range r.Errors {
		out.Errors = append(out.Errors, errOut{e.Message, e.Path, e.Extensions.Code})
	}
	b, _ := json.Marshal(out)
	s := string(b)
	for _, id := range ids {
		s = strings.ReplaceAll(s, id, "<ID>")
	}
	return s
}

// str formats an int ID for GraphQL.
func str(id int) string { return fmt.Sprint(id) }
