package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// TestTwoInstancesHonourIdempotencyKeys: ten calls of fileRequest with one
// key, sent at once to two `linli serve` processes on one PostgreSQL
// database, file one request, and all ten get it; a later retry through
// either instance gets it too.
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
	for _, args := range [][]string{{"migrate"}, {"seed", "--demo"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, func(k string) string { return env[k] }, &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
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
	vars := map[string]any{"key": "two-instances", "in": map[string]any{
		"categoryId": cats.RequestCategories.Edges[0].Node.ID, "description": "樓道燈不亮"}}
	const file = `mutation($in: FileRequestInput!, $key: String) { fileRequest(input: $in, idempotencyKey: $key) { id } }`
	before := count()

	ids := make([]string, 10)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			id, err := fileRequestAt(instances[i%2].url, elder, file, vars)
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
			ids[i] = id
		})
	}
	wg.Wait()
	for i, id := range ids {
		if id == "" || id != ids[0] {
			t.Errorf("call %d got request %q, call 0 %q", i, id, ids[0])
		}
	}
	for _, in := range instances {
		if id, err := fileRequestAt(in.url, elder, file, vars); err != nil || id != ids[0] {
			t.Errorf("a retry through %s: %q, %v; want %q", in.url, id, err, ids[0])
		}
	}
	if n := count() - before; n != 1 {
		t.Errorf("filed %d requests, want 1", n)
	}
}

// fileRequestAt sends the fileRequest mutation to base and returns the
// request's ID, or the first error.
func fileRequestAt(base, token, query string, vars map[string]any) (string, error) {
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
		Data struct {
			FileRequest struct{ ID string }
		}
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return "", err
	}
	if len(r.Errors) > 0 {
		return "", fmt.Errorf("%s", r.Errors[0].Message)
	}
	return r.Data.FileRequest.ID, nil
}
