package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// TestTwoInstancesHonourIdempotencyKeys: ten calls of fileRequest with one
// key, sent at once to two `linli serve` processes on one PostgreSQL
// database, file one request, and all ten get it; a later retry through
// either instance gets it too. The same for placeMealOrder: one order,
// one place of the menu taken.
func TestTwoInstancesHonourIdempotencyKeys(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skipf("needs %s", storetest.EnvPostgres)
	}
	if testing.Short() {
		t.Skip("builds and runs two servers")
	}
	bin := buildLinli(t)
	env := map[string]string{
		"LINLI_DATABASE_URL": storetest.NewSchemaURL(t),
		"LINLI_JWT_SECRET":   "idempotency-secret-idempotency-secret",
		"LINLI_LOG_LEVEL":    "warn",
	}
	runLinli(t, env, []string{"migrate"}, []string{"seed", "--demo"})
	instances := []*instance{startInstance(t, bin, env), startInstance(t, bin, env)}
	elder := tokenFor(t, env, seed.PhoneElder)
	var cats struct {
		RequestCategories struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	gql(t, instances[0].url, "", `query($code: String!) { requestCategories(where: {code: $code}) { edges { node { id } } } }`,
		map[string]any{"code": seed.CategoryOther}, &cats)
	if len(cats.RequestCategories.Edges) != 1 {
		t.Fatalf("categories: %+v", cats)
	}
	count := func() int {
		var d struct{ Requests struct{ TotalCount int } }
		gql(t, instances[1].url, elder, `{ requests { totalCount } }`, nil, &d)
		return d.Requests.TotalCount
	}
	before := count()
	atOnce(t, instances, elder, `mutation($in: FileRequestInput!, $key: String) { fileRequest(input: $in, idempotencyKey: $key) { id } }`,
		"fileRequest", map[string]any{"key": "two-instances", "in": map[string]any{
			"categoryId": cats.RequestCategories.Edges[0].Node.ID, "description": "楼道灯不亮"}})
	if n := count() - before; n != 1 {
		t.Errorf("filed %d requests, want 1", n)
	}

	// A lunch nine days ahead (orders open until its cut-off), published by
	// the canteen's staff; the son orders it ten times at once.
	staff, son := tokenFor(t, env, seed.PhoneCanteenStaff), tokenFor(t, env, seed.PhoneGuardian)
	var c struct {
		Canteens struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	gql(t, instances[0].url, "", `query($n: String!) { canteens(where: {name: $n}) { edges { node { id } } } }`,
		map[string]any{"n": seed.CanteenShengguang}, &c)
	var m struct {
		CreateMenu struct {
			ID    string
			Items []struct{ ID string }
		}
	}
	day := time.Now().In(localtime.Zone).AddDate(0, 0, 9).Format(time.DateOnly)
	gql(t, instances[0].url, staff, `mutation($in: CreateMenuInput!) { createMenu(input: $in) { id items { id } } }`,
		map[string]any{"in": map[string]any{"canteenId": c.Canteens.Edges[0].Node.ID, "date": day, "period": "LUNCH", "capacity": 20,
			"dishes": []any{map[string]any{"name": "番茄炒蛋", "price": 800}}}}, &m)
	gql(t, instances[1].url, staff, `mutation($id: ID!) { publishMenu(id: $id) { id } }`, map[string]any{"id": m.CreateMenu.ID}, nil)
	order := atOnce(t, instances, son, `mutation($in: PlaceMealOrderInput!, $key: String) { placeMealOrder(input: $in, idempotencyKey: $key) { id } }`,
		"placeMealOrder", map[string]any{"key": "two-instances", "in": map[string]any{"menuId": m.CreateMenu.ID, "fulfillment": "PICK_UP",
			"items": []any{map[string]any{"menuItemId": m.CreateMenu.Items[0].ID, "quantity": 1}}}})
	var o struct {
		Node struct {
			Menu struct{ Ordered int }
		}
	}
	gql(t, instances[0].url, son, `query($id: ID!) { node(id: $id) { ... on MealOrder { menu { ordered } } } }`, map[string]any{"id": order}, &o)
	if o.Node.Menu.Ordered != 1 {
		t.Errorf("the menu has %d orders, want 1", o.Node.Menu.Ordered)
	}
}

// atOnce sends the mutation field with vars ten times at once, alternating
// between the instances, then once more through each; every call must
// return the same object, whose ID it returns.
func atOnce(t *testing.T, instances []*instance, token, query, field string, vars map[string]any) string {
	t.Helper()
	ids := make([]string, 10)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			id, err := callAt(instances[i%2].url, token, query, field, vars)
			if err != nil {
				t.Errorf("%s call %d: %v", field, i, err)
			}
			ids[i] = id
		})
	}
	wg.Wait()
	for i, id := range ids {
		if id == "" || id != ids[0] {
			t.Errorf("%s call %d got %q, call 0 %q", field, i, id, ids[0])
		}
	}
	for _, in := range instances {
		if id, err := callAt(in.url, token, query, field, vars); err != nil || id != ids[0] {
			t.Errorf("%s retried through %s: %q, %v; want %q", field, in.url, id, err, ids[0])
		}
	}
	return ids[0]
}

// callAt sends the mutation to base and returns the ID of the object its
// field returned, or the first error.
func callAt(base, token, query, field string, vars map[string]any) (string, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var r struct {
		Data   map[string]struct{ ID string }
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return "", err
	}
	if len(r.Errors) > 0 {
		return "", fmt.Errorf("%s", r.Errors[0].Message)
	}
	return r.Data[field].ID, nil
}
