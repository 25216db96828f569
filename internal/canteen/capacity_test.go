package canteen_test

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// TestConcurrentOrdersNeverExceedCapacity: 200 residents order at once for
// 50 places: exactly 50 are accepted, the others are refused with a
// CONFLICT that says the meal is fully booked, and the menu counts 50.
// PostgreSQL runs this at READ COMMITTED with 20 connections; SQLite
// serializes writers.
func TestConcurrentOrdersNeverExceedCapacity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		if err := f.client.Menu.UpdateOneID(f.menu.ID).SetCapacity(50).Exec(system()); err != nil {
			t.Fatal(err)
		}
		diners := f.diners(200)
		var accepted, full atomic.Int32
		var other sync.Map
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := f.svc.PlaceOrder(asResident(diners[i]), f.orderFor(diners[i]))
				var ae *apperr.Error
				switch {
				case err == nil:
					accepted.Add(1)
				case errors.As(err, &ae) && ae.Code == apperr.Conflict && strings.Contains(ae.Message, "fully booked (50 meals)"):
					full.Add(1)
				default:
					other.Store(i, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		other.Range(func(k, v any) bool {
			t.Errorf("order %v: %v", k, v)
			return true
		})
		if accepted.Load() != 50 || full.Load() != 150 {
			t.Errorf("accepted %d, refused as full %d; want 50 and 150", accepted.Load(), full.Load())
		}
		got := f.counts()
		if got[0] != 50 || got[2] != 50 {
			t.Errorf("orders written %d, places taken %d; want 50, 50", got[0], got[2])
		}
		n, err := f.client.MealOrder.Query().Where(mealorder.StatusEQ(mealorder.StatusPLACED)).Count(system())
		if err != nil || n != 50 {
			t.Errorf("placed orders: %d %v", n, err)
		}
	})
}

// BenchmarkLunchRush measures orders per second on PostgreSQL at the lunch
// rush: 50 concurrent clients ordering from one canteen's lunch menu, each
// order for another resident aged 70 (every order takes a place on the
// same menu row). Run it with
//
//	LINLI_TEST_DATABASE_URL=postgres://... go test -run '^$' -bench LunchRush -benchtime 2000x ./internal/canteen/
func BenchmarkLunchRush(b *testing.B) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		b.Skipf("the lunch-rush benchmark runs on PostgreSQL: set %s", storetest.EnvPostgres)
	}
	s := storetest.Open(b, storetest.Postgres)
	f := newFixture(b, s)
	if err := f.client.Menu.UpdateOneID(f.menu.ID).SetCapacity(1 << 30).Exec(system()); err != nil {
		b.Fatal(err)
	}
	diners := f.diners(b.N)
	var next atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	b.SetParallelism((50 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			d := diners[next.Add(1)-1]
			start := time.Now()
			if _, err := f.svc.PlaceOrder(asResident(d), f.orderFor(d)); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	if len(latencies) > 0 {
		slices.Sort(latencies)
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// TestConcurrentOrdersForOnePerson: a son and his mother order her lunch
// at the same moment, ten times each: one order is accepted, the others
// are refused as a second meal, and one place is taken.
func TestConcurrentOrdersForOnePerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		var accepted, twice atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				by := []string{"elder", "son"}[i%2]
				_, err := f.svc.PlaceOrder(f.as(by), f.order("elder"))
				var ae *apperr.Error
				switch {
				case err == nil:
					accepted.Add(1)
				case errors.As(err, &ae) && ae.Code == apperr.Conflict && strings.Contains(ae.Message, "elder already has lunch"):
					twice.Add(1)
				default:
					t.Errorf("%s: %v", by, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if accepted.Load() != 1 || twice.Load() != 19 {
			t.Errorf("accepted %d, refused as a second meal %d; want 1 and 19", accepted.Load(), twice.Load())
		}
		if got := f.counts(); got[0] != 1 || got[2] != 1 {
			t.Errorf("orders %d, places taken %d; want 1, 1", got[0], got[2])
		}
	})
}
