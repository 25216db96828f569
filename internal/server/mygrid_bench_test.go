package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// myGridQuery is the "my grid" screen of the staff app: the grid with its
// community, its leader, workers and safety informants, and the first page
// of its places. It costs myGridStatements statements (statements_test.go).
const myGridQuery = `query MyGrid($id: ID!) {
  node(id: $id) {
    ... on Grid {
      name
      community { name }
      leader: staff(first: 1, where: {role: GRID_LEADER}) { edges { node { title resident { name } } } }
      workers: staff(first: 10, where: {role: GRID_WORKER}) { edges { node { title resident { name } } } }
      informants: staff(first: 10, where: {role: SAFETY_INFORMANT}) { edges { node { title resident { name } } } }
      places(first: 20) { totalCount edges { node { name kind address } } }
    }
  }
}`

// myGridStaff is a page of staff in myGridQuery's response.
type myGridStaff struct {
	Edges []struct {
		Node struct {
			Title    string `json:"title"`
			Resident struct {
				Name string `json:"name"`
			} `json:"resident"`
		} `json:"node"`
	} `json:"edges"`
}

// myGridData is the data of myGridQuery's response.
type myGridData struct {
	Node *struct {
		Name      string `json:"name"`
		Community struct {
			Name string `json:"name"`
		} `json:"community"`
		Leader     myGridStaff `json:"leader"`
		Workers    myGridStaff `json:"workers"`
		Informants myGridStaff `json:"informants"`
		Places     struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					Name    string `json:"name"`
					Kind    string `json:"kind"`
					Address string `json:"address"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"places"`
	} `json:"node"`
}

// checkMyGrid checks a response to myGridQuery for the demo street's grid
// shengguang-01: no errors, and data that checkMyGridData accepts.
func checkMyGrid(body []byte) error {
	var r struct {
		Data   json.RawMessage   `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("response is not JSON: %v", err)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("errors: %s", r.Errors)
	}
	return checkMyGridData(r.Data)
}

// checkMyGridData checks the data of a response to myGridQuery for the demo
// street's grid shengguang-01: a named leader with a title, 2–4 workers,
// 6–7 informants, all named, and a full first page of 20 places.
func checkMyGridData(data json.RawMessage) error {
	var d myGridData
	if err := json.Unmarshal(data, &d); err != nil {
		return fmt.Errorf("data does not decode: %v", err)
	}
	g := d.Node
	switch {
	case g == nil:
		return fmt.Errorf("no grid")
	case g.Name == "" || g.Community.Name == "":
		return fmt.Errorf("grid %q of community %q: a name is missing", g.Name, g.Community.Name)
	case len(g.Leader.Edges) != 1 || g.Leader.Edges[0].Node.Resident.Name == "" || g.Leader.Edges[0].Node.Title == "":
		return fmt.Errorf("want a leader with a name and a title, got %+v", g.Leader)
	case len(g.Workers.Edges) < 2 || len(g.Workers.Edges) > 4:
		return fmt.Errorf("want 2–4 workers, got %d", len(g.Workers.Edges))
	case len(g.Informants.Edges) < 6 || len(g.Informants.Edges) > 7:
		return fmt.Errorf("want 6–7 informants, got %d", len(g.Informants.Edges))
	case len(g.Places.Edges) != 20 || g.Places.TotalCount < 20:
		return fmt.Errorf("want a page of 20 places out of at least 20, got %d of %d", len(g.Places.Edges), g.Places.TotalCount)
	}
	for _, staff := range []myGridStaff{g.Workers, g.Informants} {
		for _, e := range staff.Edges {
			if e.Node.Resident.Name == "" {
				return fmt.Errorf("a member of staff has no name: %+v", e)
			}
		}
	}
	for _, e := range g.Places.Edges {
		if e.Node.Name == "" || e.Node.Kind == "" || e.Node.Address == "" {
			return fmt.Errorf("a place lacks a name, kind or address: %+v", e.Node)
		}
	}
	return nil
}

// myGridBench is a running Linli server over the seeded demo street, with
// its statements counted.
type myGridBench struct {
	url     string
	client  *http.Client
	counter *storetest.CountingDriver
	body    []byte // the request body of myGridQuery for shengguang-01
}

// newMyGridBench seeds the demo street through a counting driver over s,
// serves it on a real HTTP server, and checks one answer to myGridQuery.
func newMyGridBench(b *testing.B, s *store.Store) *myGridBench {
	b.Helper()
	ctx := viewer.SystemContext(context.Background())
	counter := storetest.NewCountingDriver(s.Driver)
	client := ent.NewClient(ent.Driver(counter))
	client.Use(store.Timestamps(testclock.Start))
	if _, err := seed.Demo(ctx, client, testclock.Start()); err != nil {
		b.Fatalf("seed: %v", err)
	}
	id, err := client.Grid.Query().Where(grid.Code(seed.GridShengguang01)).OnlyID(ctx)
	if err != nil {
		b.Fatalf("look up %s: %v", seed.GridShengguang01, err)
	}
	body, err := json.Marshal(map[string]any{
		"query":     myGridQuery,
		"variables": map[string]any{"id": fmt.Sprint(id)},
	})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(New(Options{
		Schema:     testSchema(client, nil),
		Logger:     slog.New(slog.DiscardHandler),
		Production: true,
	}))
	b.Cleanup(srv.Close)
	// Keep a connection per client goroutine alive between requests (the
	// default keeps 2 per host), as an app's connections would be.
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	b.Cleanup(tr.CloseIdleConnections)
	bench := &myGridBench{url: srv.URL + "/graphql", client: &http.Client{Transport: tr}, counter: counter, body: body}

	resp, err := bench.do()
	if err != nil {
		b.Fatal(err)
	}
	if err := checkMyGrid(resp); err != nil {
		b.Fatalf("my grid: %v\n%s", err, resp)
	}
	return bench
}

// do sends myGridQuery and returns the response body; a status other than
// 200 is an error.
func (m *myGridBench) do() ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, m.url, bytes.NewReader(m.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte(`"errors"`)) {
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	return body, nil
}

// report adds the custom metrics of a timed run of n requests.
func (m *myGridBench) report(b *testing.B, n int) {
	if n == 0 {
		return
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "qps")
	b.ReportMetric(float64(m.counter.Count())/float64(n), "statements/query")
}

// serial runs the requests one after another.
func (m *myGridBench) serial(b *testing.B) {
	b.ReportAllocs()
	m.counter.Reset()
	for b.Loop() {
		if _, err := m.do(); err != nil {
			b.Fatal(err)
		}
	}
	m.report(b, b.N) // after b.Loop, b.N is the number of iterations
}

// parallelClients is how many clients per CPU the parallel benchmark runs:
// more than one, so that a CPU has work while requests wait on the database.
const parallelClients = 4

// parallel runs the requests from parallelClients × GOMAXPROCS goroutines
// at once.
func (m *myGridBench) parallel(b *testing.B) {
	b.ReportAllocs()
	b.SetParallelism(parallelClients)
	m.counter.Reset()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := m.do(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	m.report(b, b.N)
}

// BenchmarkMyGrid measures the "my grid" screen over HTTP on the seeded demo
// street: on an SQLite file (Linli's default) and, when
// LINLI_TEST_DATABASE_URL is set, on PostgreSQL; requests one at a time
// (serial) and from parallelClients × GOMAXPROCS clients at once
// (parallel). The requests are anonymous, like the public map. Allocations
// include both the client's and the server's (and the database driver's),
// as they share the process.
func BenchmarkMyGrid(b *testing.B) {
	eachBenchBackend(b, func(b *testing.B, s *store.Store) {
		m := newMyGridBench(b, s)
		b.Run("serial", m.serial)
		b.Run("parallel", m.parallel)
	})
}

// eachBenchBackend runs fn as a sub-benchmark on an SQLite file (Linli's
// default) and, when LINLI_TEST_DATABASE_URL is set, on PostgreSQL.
func eachBenchBackend(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			var s *store.Store
			if backend == storetest.SQLite {
				s = openSQLiteFile(b)
			} else {
				s = storetest.Open(b, storetest.Postgres) // skips without LINLI_TEST_DATABASE_URL
			}
			fn(b, s)
		})
	}
}

// openSQLiteFile opens and migrates an SQLite file database in a temporary
// directory, as `linli serve` does by default.
func openSQLiteFile(b *testing.B) *store.Store {
	b.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), "linli.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.MigrateSQLite(ctx); err != nil {
		b.Fatal(err)
	}
	return s
}
