package appeal_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/requestcategory"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/appeal"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/viewer"
)

// BenchmarkFileWithGridSubscribers files requests into shengguang-01 from
// 4 concurrent residents while 10 staff of the grid follow gridRequests
// through the hub (outbox, relay, hub, a reload per subscriber with their
// own viewer), on PostgreSQL. It reports requests filed per second and the
// latency from the start of filing to each subscriber's receipt: flat out
// ("max"), and at a steady 20 requests a second (a busy street files about
// 30 a day).
//
//	LINLI_TEST_DATABASE_URL=... go test -run '^$' -bench FileWithGridSubscribers -benchtime 1000x ./internal/appeal/
func BenchmarkFileWithGridSubscribers(b *testing.B) {
	b.Run("max", func(b *testing.B) { benchFile(b, 0) })
	b.Run("20-per-s", func(b *testing.B) { benchFile(b, 20) })
}

// benchFile files b.N requests, at most rate a second (0: as fast as
// possible).
func benchFile(b *testing.B, rate int) {
	s := storetest.Open(b, storetest.Postgres)
	e := apitest.New(b, s)
	e.SeedDemo(b)
	ctx := viewer.SystemContext(context.Background())
	c := e.Client
	g := c.Grid.Query().Where(grid.Code(seed.GridShengguang01)).OnlyX(ctx)
	staff := c.RoleAssignment.Query().Where(roleassignment.GridID(g.ID),
		roleassignment.RoleIn(roleassignment.RoleGRID_LEADER, roleassignment.RoleGRID_WORKER)).
		Select(roleassignment.FieldResidentID).IntsX(ctx)
	// Make ten staff: residents of the grid become workers.
	for _, r := range c.Resident.Query().Where(resident.GridID(g.ID), resident.Not(resident.HasRoles())).
		Order(resident.ByID()).Limit(10 - len(staff)).AllX(ctx) {
		c.RoleAssignment.Create().SetRole(roleassignment.RoleGRID_WORKER).SetResidentID(r.ID).SetGridID(g.ID).ExecX(ctx)
		staff = append(staff, r.ID)
	}
	filers := c.Resident.Query().Where(resident.GridID(g.ID), resident.Not(resident.HasRoles()), resident.HouseholdIDNotNil()).
		Order(resident.ByID()).Limit(4).IDsX(ctx)
	cat := c.RequestCategory.Query().Where(requestcategory.Code(seed.CategoryOther)).OnlyIDX(ctx)
	svc := appeal.New(c, e.Outbox, e.Clock.Now, appeal.DefaultDeadlines)

	var (
		mu       sync.Mutex
		started  = map[int]time.Time{}
		receipts = map[int][]time.Time{}
		total    int
		all      = make(chan struct{})
	)
	subCtx, stop := context.WithCancel(context.Background())
	defer stop()
	for _, id := range staff {
		v := &viewer.Viewer{ResidentID: id, Roles: []viewer.Role{{Role: viewer.GridWorker, GridID: g.ID}}}
		ch, err := svc.FollowGrid(viewer.NewContext(subCtx, v), e.Hub, g.ID, nil)
		if err != nil {
			b.Fatal(err)
		}
		go func() {
			seen := map[int]bool{}
			for u := range ch {
				now := time.Now()
				r := u.Request
				if seen[r.ID] {
					continue
				}
				seen[r.ID] = true
				mu.Lock()
				receipts[r.ID] = append(receipts[r.ID], now)
				if total++; total == b.N*len(staff) {
					close(all)
				}
				mu.Unlock()
			}
		}()
	}
	b.ResetTimer()
	begin := time.Now()
	var wg sync.WaitGroup
	next := make(chan int)
	for _, f := range filers {
		wg.Go(func() {
			fctx := viewer.NewContext(context.Background(), &viewer.Viewer{ResidentID: f})
			for i := range next {
				t0 := time.Now()
				r, err := svc.File(fctx, appeal.Filing{CategoryID: cat, Description: fmt.Sprintf("压测 %d", i)})
				if err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				started[r.ID] = t0
				mu.Unlock()
			}
		})
	}
	var pace <-chan time.Time
	if rate > 0 {
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		pace = tick.C
	}
	for i := range b.N {
		if pace != nil {
			<-pace
		}
		next <- i
	}
	close(next)
	wg.Wait()
	filing := time.Since(begin)
	select {
	case <-all:
	case <-time.After(30 * time.Second):
		mu.Lock()
		b.Fatalf("after 30 s the subscribers had %d of %d deliveries", total, b.N*len(staff))
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	var lat []time.Duration
	for id, ts := range receipts {
		for _, at := range ts {
			lat = append(lat, at.Sub(started[id]))
		}
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/filing.Seconds(), "filed/s")
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(len(staff)), "subscribers")
}
