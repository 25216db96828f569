package apitest_test

import (
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/ent/idempotencykey"
	"github.com/jimei-linli/linli/ent/migrate"
	"github.com/jimei-linli/linli/graph/generated"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/personaldata"
	"github.com/jimei-linli/linli/internal/seed"
)

// keyedCall is one call of a mutation that takes an idempotency key: who
// sends it, the document (with a $key variable for idempotencyKey), its
// variables without the key, and the same with another input (nil when
// the mutation has no input to vary but its target).
type keyedCall struct {
	token, query, field string
	vars, other         map[string]any
}

// keyedMutations are the mutations that take an idempotency key, each
// with what it needs to be called: prepare(n) sets up a fresh target for
// the n-th round (round 0 is retried one call after another, round 1 by
// ten calls at once), writing what it needs without a key.
var keyedMutations = []struct {
	name    string
	prepare func(t *testing.T, e *apitest.Env, n int) keyedCall
}{
	{"fileRequest", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		in := map[string]any{"categoryId": categoryID(t, e, seed.CategoryOther), "description": fmt.Sprint("路灯不亮 ", n)}
		return keyedCall{e.TokenFor(t, seed.PhoneElder), `mutation($in: FileRequestInput!, $key: String) {
			fileRequest(input: $in, idempotencyKey: $key) { id } }`, "fileRequest",
			map[string]any{"in": in}, map[string]any{"in": with(in, "description", "另一件事")}}
	}},
	{"addRequestNote", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		id := fileUnkeyed(t, e, n)
		worker := e.TokenFor(t, seed.PhoneGridWorker)
		e.Do(t, worker, `mutation($id: ID!) { claimRequest(id: $id) { id } }`, map[string]any{"id": id}).Must(t)
		return keyedCall{worker, `mutation($id: ID!, $body: String!, $key: String) {
			addRequestNote(id: $id, body: $body, idempotencyKey: $key) { id } }`, "addRequestNote",
			map[string]any{"id": id, "body": "明天上门"}, map[string]any{"id": id, "body": "后天上门"}}
	}},
	{"claimRequest", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		id := fileUnkeyed(t, e, 20+n)
		return keyedCall{e.TokenFor(t, seed.PhoneGridWorker), `mutation($id: ID!, $key: String) {
			claimRequest(id: $id, idempotencyKey: $key) { id status } }`, "claimRequest", map[string]any{"id": id}, nil}
	}},
	{"callDepartment", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		id := fileUnkeyed(t, e, 30+n)
		worker := e.TokenFor(t, seed.PhoneGridWorker)
		e.Do(t, worker, `mutation($id: ID!) { claimRequest(id: $id) { id } }`, map[string]any{"id": id}).Must(t)
		vars := map[string]any{"id": id, "d": apitest.ID(e.DepartmentID(t, seed.DepartmentUrbanManagement)), "reason": "需要执法"}
		return keyedCall{worker, `mutation($id: ID!, $d: ID!, $reason: String!, $key: String) {
			callDepartment(id: $id, departmentId: $d, reason: $reason, idempotencyKey: $key) { id status } }`, "callDepartment",
			vars, with(vars, "reason", "需要清运")}
	}},
	{"resolveRequest", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		id := fileUnkeyed(t, e, 40+n)
		worker := e.TokenFor(t, seed.PhoneGridWorker)
		e.Do(t, worker, `mutation($id: ID!) { claimRequest(id: $id) { id } }`, map[string]any{"id": id}).Must(t)
		return keyedCall{worker, `mutation($id: ID!, $res: String!, $key: String) {
			resolveRequest(id: $id, resolution: $res, idempotencyKey: $key) { id status } }`, "resolveRequest",
			map[string]any{"id": id, "res": "已修好"}, map[string]any{"id": id, "res": "已换新"}}
	}},
	{"placeMealOrder", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		menu, dish := publishedMenu(t, e, n)
		in := map[string]any{"menuId": menu, "fulfillment": "PICK_UP", "items": []any{map[string]any{"menuItemId": dish, "quantity": 1}}}
		return keyedCall{e.TokenFor(t, seed.PhoneGuardian), `mutation($in: PlaceMealOrderInput!, $key: String) {
			placeMealOrder(input: $in, idempotencyKey: $key) { id status } }`, "placeMealOrder",
			map[string]any{"in": in}, map[string]any{"in": with(in, "note", "少盐")}}
	}},
	{"cancelMealOrder", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		menu, dish := publishedMenu(t, e, 10+n)
		son := e.TokenFor(t, seed.PhoneGuardian)
		id := e.Do(t, son, placeOrderMutation, map[string]any{"input": map[string]any{"menuId": menu, "fulfillment": "PICK_UP",
			"items": []any{map[string]any{"menuItemId": dish, "quantity": 1}}}}).Must(t).Value("placeMealOrder", "id")
		return keyedCall{son, `mutation($id: ID!, $key: String) { cancelMealOrder(id: $id, idempotencyKey: $key) { id status } }`,
			"cancelMealOrder", map[string]any{"id": id}, nil}
	}},
	{"bookCare", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		slot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindREHABILITATION, 5, tomorrowAt(e, 10+n, 0), 0, 0)
		return keyedCall{e.TokenFor(t, seed.PhoneGuardian), `mutation($slot: ID!, $wait: Boolean, $key: String) {
			bookCare(input: {slotId: $slot, waitlist: $wait}, idempotencyKey: $key) { id status } }`, "bookCare",
			map[string]any{"slot": str(slot)}, map[string]any{"slot": str(slot), "wait": true}}
	}},
	{"cancelCareBooking", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		slot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindREHABILITATION, 5, tomorrowAt(e, 14+n, 0), 0, 0)
		guardian := e.TokenFor(t, seed.PhoneGuardian)
		id := book(t, e, guardian, slot, nil, false).Must(t).Value("bookCare", "id")
		return keyedCall{guardian, `mutation($id: ID!, $key: String) { cancelCareBooking(id: $id, idempotencyKey: $key) { id status } }`,
			"cancelCareBooking", map[string]any{"id": id}, nil}
	}},
	{"addCareNote", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		slot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindREHABILITATION, 5, tomorrowAt(e, 16+n, 0), 0, 0)
		id := book(t, e, e.TokenFor(t, seed.PhoneGuardian), slot, nil, false).Must(t).Value("bookCare", "id")
		return keyedCall{e.TokenFor(t, seed.PhoneCaregiver), `mutation($id: ID!, $body: String!, $key: String) {
			addCareNote(bookingId: $id, body: $body, idempotencyKey: $key) { id } }`, "addCareNote",
			map[string]any{"id": id, "body": "精神很好"}, map[string]any{"id": id, "body": "有点累"}}
	}},
	{"reportCareIncident", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		slot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindREHABILITATION, 5, tomorrowAt(e, 18+n, 0), 0, 0)
		id := book(t, e, e.TokenFor(t, seed.PhoneGuardian), slot, nil, false).Must(t).Value("bookCare", "id")
		in := map[string]any{"bookingId": id, "severity": "MINOR", "description": "滑了一下，没受伤"}
		return keyedCall{e.TokenFor(t, seed.PhoneCaregiver), `mutation($in: ReportCareIncidentInput!, $key: String) {
			reportCareIncident(input: $in, idempotencyKey: $key) { id } }`, "reportCareIncident",
			map[string]any{"in": in}, map[string]any{"in": with(in, "severity", "SERIOUS")}}
	}},
	{"registerChild", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		b := time.Date(2021, 5, 1+n, 0, 0, 0, 0, localtime.Zone).Format(time.RFC3339)
		return keyedCall{e.TokenFor(t, seed.PhoneGuardian), `mutation($name: String!, $b: Time!, $key: String) {
			registerChild(input: {name: $name, birthDate: $b}, idempotencyKey: $key) { id status } }`, "registerChild",
			map[string]any{"name": fmt.Sprint("陈小米", n), "b": b}, map[string]any{"name": "陈小麦", "b": b}}
	}},
	{"requestGuardianship", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		dependent := []string{seed.PhoneElder, seed.PhoneGuardian}[n]
		id := apitest.ID(e.ResidentID(t, dependent))
		return keyedCall{e.TokenFor(t, seed.PhoneGridWorker), `mutation($id: ID, $rel: GuardianshipRelation!, $key: String) {
			requestGuardianship(input: {dependentId: $id, relation: $rel}, idempotencyKey: $key) { id status } }`, "requestGuardianship",
			map[string]any{"id": id, "rel": "OTHER"}, map[string]any{"id": id, "rel": "CHILD"}}
	}},
	{"askForHelp", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		in := helpInput(e, map[string]any{"title": fmt.Sprint("帮忙买菜 ", n)})
		return keyedCall{e.TokenFor(t, seed.PhoneElder), `mutation($input: AskForHelpInput!, $key: String) {
			askForHelp(input: $input, idempotencyKey: $key) { id status } }`, "askForHelp",
			in, helpInput(e, map[string]any{"title": "帮忙取药"})}
	}},
	{"offerHelp", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		id := e.Do(t, e.TokenFor(t, seed.PhoneElder), askForHelp, helpInput(e, map[string]any{"title": fmt.Sprint("陪我散步 ", n)})).
			Must(t).Value("askForHelp", "id")
		return keyedCall{e.TokenFor(t, seed.PhoneVolunteer), `mutation($id: ID!, $note: String, $key: String) {
			offerHelp(requestId: $id, note: $note, idempotencyKey: $key) { id status } }`, "offerHelp",
			map[string]any{"id": id, "note": "我下午有空"}, map[string]any{"id": id, "note": "我晚上有空"}}
	}},
	{"createVolunteerTask", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		now := e.Clock.Now()
		in := map[string]any{"communityId": apitest.ID(e.CommunityID(t, seed.CommunityShengguang)),
			"gridId": apitest.ID(e.GridID(t, seed.GridShengguang01)), "title": fmt.Sprint("搬桌椅 ", n), "location": "红邻客厅",
			"windowStart": now.Add(time.Hour).Format(time.RFC3339), "windowEnd": now.Add(4 * time.Hour).Format(time.RFC3339), "minutes": 60,
			"volunteerIds": []string{apitest.ID(e.ResidentID(t, seed.PhoneVolunteer))}}
		return keyedCall{e.TokenFor(t, seed.PhoneCommunityAdmin), `mutation($input: CreateVolunteerTaskInput!, $key: String) {
			createVolunteerTask(input: $input, idempotencyKey: $key) { id status } }`, "createVolunteerTask",
			map[string]any{"input": in}, map[string]any{"input": with(in, "title", "扫落叶")}}
	}},
	{"sendBroadcast", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		in := map[string]any{"targetId": apitest.ID(e.GridID(t, seed.GridShengguang01)), "level": "NORMAL", "title": fmt.Sprint("停水通知 ", n), "body": "请注意"}
		return keyedCall{e.TokenFor(t, seed.PhoneGridLeader), `mutation($in: SendBroadcastInput!, $key: String) {
			sendBroadcast(input: $in, idempotencyKey: $key) { id recipientCount } }`, "sendBroadcast",
			map[string]any{"in": in}, map[string]any{"in": with(in, "body", "请储水")}}
	}},
	{"registerHousehold", func(t *testing.T, e *apitest.Env, n int) keyedCall {
		place := apitest.ID(e.PlaceID(t, e.HouseholdID(t, e.ResidentID(t, seed.PhoneElder))))
		in := map[string]any{"placeId": place, "unit": fmt.Sprint("K", n), "members": []any{map[string]any{"name": "新住户"}}}
		return keyedCall{e.TokenFor(t, seed.PhoneCommunityAdmin), `mutation($in: RegisterHouseholdInput!, $key: String) {
			registerHousehold(input: $in, idempotencyKey: $key) { id } }`, "registerHousehold",
			map[string]any{"in": in}, map[string]any{"in": with(in, "unit", "K9")}}
	}},
}

// TestIdempotencyKeys: for each mutation that takes a key, a retry with the
// same key returns the same object and writes nothing (no row, no
// notification), ten calls at once with one key write what one call
// writes and all get its object, and the same key with another input is
// CONFLICT on idempotencyKey, writing nothing.
func TestIdempotencyKeys(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		for _, m := range keyedMutations {
			t.Run(m.name, func(t *testing.T) {
				// One call after another.
				c := m.prepare(t, e, 0)
				key := "retry-" + m.name
				before := tableCounts(t, e)
				first := c.do(t, e, key).Must(t)
				id := first.Value(c.field, "id")
				once := countDiff(before, tableCounts(t, e))
				if id == nil || once["idempotency_keys"] != 1 {
					t.Fatalf("first call: %s, wrote %v", first, once)
				}
				for range 2 {
					again := c.do(t, e, key).Must(t)
					if got := again.Value(c.field, "id"); got != id {
						t.Errorf("retry returned %v, want %v", got, id)
					}
				}
				if diff := countDiff(before, tableCounts(t, e)); !maps.Equal(diff, once) {
					t.Errorf("retries wrote: %v after the first call's %v", diff, once)
				}
				if c.other != nil {
					other := keyedCall{c.token, c.query, c.field, c.other, nil}
					r := other.do(t, e, key).MustFail(t, "CONFLICT")
					if r.Field() != "idempotencyKey" {
						t.Errorf("another input with the key: field %q, want idempotencyKey: %s", r.Field(), r)
					}
					if diff := countDiff(before, tableCounts(t, e)); !maps.Equal(diff, once) {
						t.Errorf("a conflicting key wrote: %v", diff)
					}
				}

				// Ten at once.
				c = m.prepare(t, e, 1)
				before = tableCounts(t, e)
				ids := make([]any, 10)
				var wg sync.WaitGroup
				for i := range ids {
					wg.Go(func() {
						r := c.do(t, e, key+"-at-once")
						if len(r.Errors) > 0 {
							t.Errorf("call %d at once: %s", i, r)
						}
						ids[i] = r.Value(c.field, "id")
					})
				}
				wg.Wait()
				for i, got := range ids {
					if got == nil || got != ids[0] {
						t.Errorf("call %d at once got %v, call 0 %v", i, got, ids[0])
					}
				}
				if diff := countDiff(before, tableCounts(t, e)); !maps.Equal(diff, once) {
					t.Errorf("ten calls at once wrote %v, one call %v", diff, once)
				}
			})
		}
	})
}

// TestEveryKeyedMutationIsTested: the schema's mutations that take a key
// are exactly those of keyedMutations, so a mutation given a key is retried
// here (graph's TestMutationsTakeKeys checks that the keyless are meant so).
func TestEveryKeyedMutationIsTested(t *testing.T) {
	tested := map[string]bool{}
	for _, m := range keyedMutations {
		tested[m.name] = true
	}
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	for _, f := range schema.Mutation.Fields {
		keyed := f.Arguments.ForName(idempotency.Field) != nil
		if keyed != tested[f.Name] {
			t.Errorf("%s: takes a key %v, retried by TestIdempotencyKeys %v", f.Name, keyed, tested[f.Name])
		}
		delete(tested, f.Name)
	}
	for name := range tested {
		t.Errorf("keyedMutations has %s, which the schema has not", name)
	}
}

// TestIdempotencyKeyScope: a key is the viewer's own (another resident's
// same key is another call), one key serves one mutation, a call without
// a key is not de-duplicated, a malformed key is refused on its field,
// and a failed call leaves no key behind.
func TestIdempotencyKeyScope(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		file := func(phone string, n int) keyedCall {
			c := keyedMutations[0].prepare(t, e, n)
			c.token = e.TokenFor(t, phone)
			return c
		}
		elder := file(seed.PhoneElder, 0)
		a := elder.do(t, e, "k1").Must(t).Value("fileRequest", "id")
		b := file(seed.PhoneGuardian, 0).do(t, e, "k1").Must(t).Value("fileRequest", "id")
		if a == nil || b == nil || a == b {
			t.Errorf("two residents with one key: %v and %v, want two requests", a, b)
		}
		// The elder's key for another mutation.
		ask := keyedCall{elder.token, `mutation($input: AskForHelpInput!, $key: String) {
			askForHelp(input: $input, idempotencyKey: $key) { id } }`, "askForHelp", helpInput(e, nil), nil}
		if r := ask.do(t, e, "k1").MustFail(t, "CONFLICT"); r.Field() != "idempotencyKey" {
			t.Errorf("a key reused for another mutation: %s", r)
		}
		// Without a key, two calls are two requests.
		x := e.Do(t, elder.token, elder.query, elder.vars).Must(t).Value("fileRequest", "id")
		y := e.Do(t, elder.token, elder.query, elder.vars).Must(t).Value("fileRequest", "id")
		if x == y {
			t.Errorf("two calls without a key gave one request %v", x)
		}
		for _, bad := range []string{"", strings.Repeat("k", 101), "a\nb", "键", "a b"} {
			if r := elder.do(t, e, bad).MustFail(t, "BAD_USER_INPUT"); r.Field() != "idempotencyKey" {
				t.Errorf("key %q: %s", bad, r)
			}
		}
		// A call that fails (no such category) keeps no key: the retry,
		// corrected, runs.
		before := tableCounts(t, e)
		broken := keyedCall{elder.token, elder.query, elder.field,
			map[string]any{"in": with(elder.vars["in"].(map[string]any), "categoryId", apitest.ID(apitest.MissingID(e.ResidentID(t, seed.PhoneElder))))}, nil}
		broken.do(t, e, "k2").MustFail(t, "NOT_FOUND")
		if diff := countDiff(before, tableCounts(t, e)); len(diff) > 0 {
			t.Errorf("a failed call wrote %v", diff)
		}
		elder.do(t, e, "k2").Must(t)
	})
}

// TestIdempotencyKeyExpires: a key is kept for the window (at least a
// day, however short the setting), then the retention job purges it and
// the same key is a new call; deleting one's account deletes one's keys.
func TestIdempotencyKeyExpires(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		purge := func(window time.Duration) int {
			t.Helper()
			p, err := personaldata.New(e.Client, nil, e.Clock.Now, nil).Purge(e.SystemCtx(), personaldata.Retention{IdempotencyKeys: window})
			if err != nil {
				t.Fatal(err)
			}
			return p.IdempotencyKeys
		}
		call := func() any {
			t.Helper()
			c := keyedMutations[0].prepare(t, e, 0) // a fresh token at the clock's now
			return c.do(t, e, "kept").Must(t).Value("fileRequest", "id")
		}
		first := call()
		e.Clock.Advance(23 * time.Hour)
		if n := purge(time.Hour); n != 0 {
			t.Errorf("a window under a day purged %d keys after 23 hours", n)
		}
		e.Clock.Advance(24 * time.Hour) // 47 hours
		if n := purge(48 * time.Hour); n != 0 {
			t.Errorf("purged %d keys within the window", n)
		}
		if again := call(); again != first {
			t.Errorf("a retry within the window: %v, want %v", again, first)
		}
		e.Clock.Advance(2 * time.Hour) // 49 hours
		if n := purge(48 * time.Hour); n != 1 {
			t.Errorf("purged %d keys past the window, want 1", n)
		}
		if later := call(); later == first || later == nil {
			t.Errorf("the key after its window: %v, want a new request (first %v)", later, first)
		}
		elder := e.ResidentID(t, seed.PhoneElder)
		e.Do(t, e.TokenFor(t, seed.PhoneElder), `mutation { deleteMyAccount(confirm: true) }`, nil).Must(t)
		if n := e.Client.IdempotencyKey.Query().Where(idempotencykey.ResidentID(elder)).CountX(e.SystemCtx()); n != 0 {
			t.Errorf("%d keys of a deleted account are left", n)
		}
	})
}

// do sends c with key.
func (c keyedCall) do(t *testing.T, e *apitest.Env, key string) apitest.Response {
	t.Helper()
	vars := maps.Clone(c.vars)
	vars["key"] = key
	return e.Do(t, c.token, c.query, vars)
}

// with returns a copy of m with k set to v.
func with(m map[string]any, k string, v any) map[string]any {
	m = maps.Clone(m)
	m[k] = v
	return m
}

// tableCounts counts the rows of every table of the schema, as the
// database has them.
func tableCounts(t *testing.T, e *apitest.Env) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range migrate.Tables {
		var n int
		if err := e.Store.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM `+tb.Name).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", tb.Name, err)
		}
		out[tb.Name] = n
	}
	return out
}

// fileUnkeyed files a request of the elder's, without a key.
func fileUnkeyed(t *testing.T, e *apitest.Env, n int) any {
	t.Helper()
	return e.Do(t, e.TokenFor(t, seed.PhoneElder), `mutation($in: FileRequestInput!) { fileRequest(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"categoryId": categoryID(t, e, seed.CategoryOther), "description": fmt.Sprint("门禁坏了 ", n)}}).
		Must(t).Value("fileRequest", "id")
}

// publishedMenu has the demo canteen's staff publish a lunch menu n+9
// days ahead (after the seeded week) and returns it and its dish.
func publishedMenu(t *testing.T, e *apitest.Env, n int) (menu, dish any) {
	t.Helper()
	staff := e.TokenFor(t, seed.PhoneCanteenStaff)
	canteen := e.Do(t, staff, canteenQuery, nil).Must(t).Value("canteens", "edges", 0, "node", "id")
	day := e.Clock.Now().In(localtime.Zone).AddDate(0, 0, 9+n).Format(time.DateOnly)
	r := e.Do(t, staff, createMenuMutation, map[string]any{"input": map[string]any{"canteenId": canteen, "date": day,
		"period": "LUNCH", "capacity": 20, "dishes": []any{map[string]any{"name": "番茄炒蛋", "price": 800}}}}).Must(t)
	menu, dish = r.Value("createMenu", "id"), r.Value("createMenu", "items", 0, "id")
	e.Do(t, staff, `mutation($id: ID!) { publishMenu(id: $id) { id } }`, map[string]any{"id": menu}).Must(t)
	return menu, dish
}
