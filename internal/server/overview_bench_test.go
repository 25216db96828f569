package server

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/jimei-linli/linli/internal/store"
)

// streetOverviewQuery is the read bench/postgraphile.sh calls the street
// overview: every community, its grids with their count, and each grid's
// first ten places.
const streetOverviewQuery = `{ communities(first: 10) { edges { node { name grids(first: 20) { totalCount edges { node { places(first: 10) { edges { node { name } } } } } } } } } }`

// BenchmarkStreetOverview measures streetOverviewQuery over HTTP on the
// seeded demo street, like BenchmarkMyGrid (same server, same backends), so
// that a CPU profile of the read bench/postgraphile.sh compares is one
// command away:
//
//	go test -run '^$' -bench StreetOverview/postgres/serial -cpuprofile cpu.out ./internal/server/
func BenchmarkStreetOverview(b *testing.B) {
	eachBenchBackend(b, func(b *testing.B, s *store.Store) {
		m := newMyGridBench(b, s)
		body, err := json.Marshal(map[string]any{"query": streetOverviewQuery})
		if err != nil {
			b.Fatal(err)
		}
		m.body = body
		resp, err := m.do()
		if err != nil {
			b.Fatal(err)
		}
		if !bytes.Contains(resp, []byte(`"places"`)) {
			b.Fatalf("street overview: %s", resp)
		}
		b.Run("serial", m.serial)
		b.Run("parallel", m.parallel)
	})
}
