package server

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/jimei-linli/linli/internal/viewer"
	"log/slog"
	"net/http"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/graph"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

func TestMeasure(t *testing.T) {
	schema := graph.NewSchema(nil).Schema()
	for _, tc := range []struct {
		query       string
		vars        map[string]any
		cost, depth int
	}{
		{`{ __typename }`, nil, 0, 0},
		// A connection's page size multiplies its edges, not its totalCount.
		{`{ communities { totalCount } }`, nil, 2, 2},
		{`{ communities(first: 2) { totalCount } }`, nil, 2, 2},
		{`{ communities(first: 10) { edges { node { id } } } }`, nil, 1 + 1 + 10*2, 4},
		{`{ communities { edges { node { id } } } }`, nil, 1 + 1 + 100*2, 4},
		{`{ communities(last: 0) { edges { node { id } } } }`, nil, 2, 4},
		{`query($n: Int) { communities(first: $n) { edges { cursor } } }`, map[string]any{"n": int64(7)}, 1 + 1 + 7, 3},
		{`query($n: Int) { communities(first: $n) { edges { cursor } } }`, nil, 1 + 1 + 100, 3},
		{`{ communities(first: 100) { edges { node { grids(first: 100) { edges { node {
			places(first: 100) { totalCount } } } } } } } }`, nil, 30302, 8},
		// The README's first query: 5 communities and their grid counts.
		{`{ communities { totalCount edges { node { name grids { totalCount } } } } }`, nil, 1 + 1 + (1 + 100*(1+1+2)), 5},
		{`{ communities(first: 2) { ...C } } fragment C on CommunityConnection { totalCount edges { cursor } }`, nil, 1 + 1 + (1 + 2), 3},
		{`{ communities(first: 3) { ...C } grids: communities(first: 5) { ...C } } fragment C on CommunityConnection { edges { cursor } }`, nil, (1 + 1 + 3) + (1 + 1 + 5), 3},
		{`{ communities(first: 2) { ... on CommunityConnection { totalCount } } }`, nil, 2, 2},
		{`{ nodes(ids: ["1", "2", "3"]) { id } }`, nil, 4, 2},
		{`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []any{"1", "2"}}, 3, 2},
		{`{ node(id: "1") { id ... on Community { grids(first: 10) { edges { cursor } } } } }`, nil, 1 + 1 + (1 + 1 + 10), 4},
		{introspectionQuery, nil, 0, 0},
	} {
		doc, errs := gqlparser.LoadQuery(schema, tc.query)
		if errs != nil {
			t.Fatalf("%s: %v", tc.query, errs)
		}
		m, _, err := newWalker(doc, tc.vars, true).selectionSet(doc.Operations[0].SelectionSet)
		if err != nil || m.cost != tc.cost || m.depth != tc.depth {
			t.Errorf("%s: cost %d depth %d (%v), want cost %d depth %d", tc.query, m.cost, m.depth, err, tc.cost, tc.depth)
		}
	}
}

func TestCostIsCapped(t *testing.T) {
	if got := mulCapped(costCap, 100); got != costCap {
		t.Errorf("mulCapped overflowed: %d", got)
	}
	if got := addCapped(costCap, costCap); got != costCap {
		t.Errorf("addCapped overflowed: %d", got)
	}
}

func TestLimitsAreConfigurable(t *testing.T) {
	opts, _ := testOptions(t)
	opts.MaxDepth = 2
	opts.MaxComplexity = 10
	h := New(opts)
	for q, want := range map[string]string{
		`{ communities(first: 1) { edges { cursor } } }`:                         "depth 3, which exceeds the limit of 2",
		`{ nodes(ids: ["1","2","3","4","5","6","7","8","9","10","11"]) { id } }`: "complexity 12, which exceeds the limit of 10",
	} {
		if r := serve(t, h, postQuery(q, nil)); r.status != http.StatusBadRequest || r.message() != "operation has "+want {
			t.Errorf("%s: %d %s", q, r.status, r.raw)
		}
	}
	if r := serve(t, h, postQuery(introspectionQuery, nil)); r.status != http.StatusOK || len(r.Errors) != 0 {
		t.Errorf("introspection must pass the limits: %d %.200s", r.status, r.raw)
	}
}

// seedGrids creates a street, one community and n grids, and returns the
// community's id.
func seedGrids(t *testing.T, client *ent.Client, n int) int {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	st := client.Street.Create().SetCode("jimei").SetName("集美街道").SaveX(ctx)
	c := client.Community.Create().SetCode("shengguang").SetName("盛光社区").SetStreet(st).SaveX(ctx)
	builders := make([]*ent.GridCreate, n)
	for i := range builders {
		builders[i] = client.Grid.Create().
			SetCode(fmt.Sprintf("shengguang-%03d", i+1)).
			SetName(fmt.Sprintf("盛光第%d网格", i+1)).
			SetNumber(i + 1).
			SetCommunity(c)
	}
	client.Grid.CreateBulk(builders...).SaveX(ctx)
	return c.ID
}

func TestConnectionsReturnAtMost100(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		id := seedGrids(t, s.Client, 120)
		h := New(Options{Schema: testSchema(s.Client, nil), Logger: slog.New(slog.DiscardHandler)})

		type grids struct {
			TotalCount int
			PageInfo   struct{ HasNextPage, HasPreviousPage bool }
			Edges      []struct{ Node struct{ ID string } }
		}
		const gridsSelection = `{ totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id } } }`
		for _, tc := range []struct {
			name, query string
			grids       func(data json.RawMessage) (grids, error)
			want        int
			next, prev  bool
		}{
			{"eager-loaded edge", `{ communities(first: 1) { edges { node { grids ` + gridsSelection + ` } } } }`,
				func(data json.RawMessage) (grids, error) {
					var d struct {
						Communities struct {
							Edges []struct{ Node struct{ Grids grids } }
						}
					}
					err := json.Unmarshal(data, &d)
					if len(d.Communities.Edges) != 1 {
						return grids{}, fmt.Errorf("%d communities", len(d.Communities.Edges))
					}
					return d.Communities.Edges[0].Node.Grids, err
				}, 100, true, false},
			{"through node(id)", fmt.Sprintf(`{ node(id: "%d") { ... on Community { grids %s } } }`, id, gridsSelection),
				func(data json.RawMessage) (grids, error) {
					var d struct{ Node struct{ Grids grids } }
					err := json.Unmarshal(data, &d)
					return d.Node.Grids, err
				}, 100, true, false},
			{"first given", fmt.Sprintf(`{ node(id: "%d") { ... on Community { grids(first: 30) %s } } }`, id, gridsSelection),
				func(data json.RawMessage) (grids, error) {
					var d struct{ Node struct{ Grids grids } }
					err := json.Unmarshal(data, &d)
					return d.Node.Grids, err
				}, 30, true, false},
			{"last given", fmt.Sprintf(`{ node(id: "%d") { ... on Community { grids(last: 7) %s } } }`, id, gridsSelection),
				func(data json.RawMessage) (grids, error) {
					var d struct{ Node struct{ Grids grids } }
					err := json.Unmarshal(data, &d)
					return d.Node.Grids, err
				}, 7, false, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := serve(t, h, postQuery(tc.query, nil))
				if r.status != http.StatusOK || len(r.Errors) != 0 {
					t.Fatalf("%d %s", r.status, r.raw)
				}
				g, err := tc.grids(r.Data)
				if err != nil {
					t.Fatalf("%v: %s", err, r.raw)
				}
				if len(g.Edges) != tc.want || g.TotalCount != 120 ||
					g.PageInfo.HasNextPage != tc.next || g.PageInfo.HasPreviousPage != tc.prev {
					t.Errorf("%d edges, totalCount %d, pageInfo %+v; want %d edges, totalCount 120, next %v prev %v",
						len(g.Edges), g.TotalCount, g.PageInfo, tc.want, tc.next, tc.prev)
				}
			})
		}
	})
}

func TestDefaultPageSizeLeavesCachedDocumentAlone(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	id := seedGrids(t, s.Client, 120)
	h := New(Options{Schema: testSchema(s.Client, nil), Logger: slog.New(slog.DiscardHandler)})
	// One query text, so one cached document; only the variables change.
	query := `query($id: ID!, $n: Int) { node(id: $id) { ... on Community { ...G } } }
		fragment G on Community { grids(first: $n) { edges { node { id } } } }`
	for _, n := range []any{nil, 5, nil, 0, 100, nil} {
		r := serve(t, h, postQuery(query, map[string]any{"id": fmt.Sprint(id), "n": n}))
		var d struct {
			Node struct{ Grids struct{ Edges []struct{} } }
		}
		if err := json.Unmarshal(r.Data, &d); err != nil || r.status != http.StatusOK || len(r.Errors) != 0 {
			t.Fatalf("n=%v: %v %d %s", n, err, r.status, r.raw)
		}
		want := 100
		if n != nil {
			want = n.(int)
		}
		if got := len(d.Node.Grids.Edges); got != want {
			t.Errorf("n=%v: %d edges, want %d", n, got, want)
		}
	}
}
