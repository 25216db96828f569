package care_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/care"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// clients is how many clients book at once.
const clients = 50

// BenchmarkBookings books b.N places with 50 concurrent clients on
// PostgreSQL: into one slot (every booking queues on its row lock: the
// worst case) and spread over 50 slots (the usual case). Each booking is
// one transaction: the slot's lock, the duplicate check, the booking, the
// care log entry, the outbox event and the notification.
//
//	LINLI_TEST_DATABASE_URL=... go test -run '^$' -bench Bookings -benchtime 2000x ./internal/care/
func BenchmarkBookings(b *testing.B) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		b.Skip("a PostgreSQL benchmark: set " + storetest.EnvPostgres)
	}
	for _, slots := range []int{1, clients} {
		b.Run(fmt.Sprintf("slots=%d", slots), func(b *testing.B) {
			s := storetest.Open(b, storetest.Postgres)
			now := testclock.Start()
			svc := demo(b, s, now)
			ids := openSlots(b, s.Client, 1_000_000, slots, now.Add(48*time.Hour), time.Hour)
			people := residents(b, s.Client, 2000)
			if b.N > len(people)*slots {
				b.Fatalf("at most %d bookings (one per resident and slot)", len(people)*slots)
			}
			var next atomic.Int64
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for range clients {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= b.N {
							return
						}
						slot, who := ids[i%slots], people[(i/slots)%len(people)]
						if _, err := svc.Book(as(who), care.Booking{SlotID: slot}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "bookings/s")
			n := s.Client.CareBooking.Query().Where(carebooking.StatusEQ(carebooking.StatusCONFIRMED)).
				CountX(viewer.SystemContext(context.Background()))
			if n < b.N {
				b.Errorf("%d confirmed, want at least %d", n, b.N)
			}
		})
	}
}

// BenchmarkGuardianLatency measures, on PostgreSQL, how long a guardian's
// careEvents subscription (over the websocket) takes to receive a
// check-in, from the moment the caregiver sends checkInCare: the mutation,
// its commit, the relay, the hub and the subscription's reload. It reports
// the median and the 99th percentile.
//
//	LINLI_TEST_DATABASE_URL=... go test -run '^$' -bench GuardianLatency -benchtime 300x ./internal/care/
func BenchmarkGuardianLatency(b *testing.B) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		b.Skip("a PostgreSQL benchmark: set " + storetest.EnvPostgres)
	}
	s := storetest.Open(b, storetest.Postgres)
	e := apitest.New(b, s)
	e.SeedDemo(b)
	ctx := e.SystemCtx()
	now := e.Clock.Now().UTC()
	slots := openSlots(b, e.Client, 5, b.N, now.Add(time.Minute), time.Second)
	elder := e.ResidentID(b, seed.PhoneElder)
	guardian := e.ResidentID(b, seed.PhoneGuardian)
	sg := e.CommunityID(b, seed.CommunityShengguang)
	for _, sl := range slots {
		e.Client.CareBooking.Create().SetSlotID(sl).SetResidentID(elder).SetBookedByID(guardian).SetCommunityID(sg).
			SetStatus(carebooking.StatusCONFIRMED).SetPriceFen(0).SetSubsidyFen(0).ExecX(ctx)
	}
	// Check-ins happen on the slot's day: keep every slot "today".
	e.Clock.Set(now.Add(30 * time.Second))
	ws := e.DialWS(b, e.TokenFor(b, seed.PhoneGuardian))
	ws.Subscribe("c", `subscription($d: ID!) { careEvents(dependentId: $d) { event { kind at } } }`, map[string]any{"d": fmt.Sprint(elder)})
	time.Sleep(200 * time.Millisecond) // the subscription registers
	caregiver := e.TokenFor(b, seed.PhoneCaregiver)
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		sent := time.Now()
		e.Do(b, caregiver, `mutation($s: ID!, $r: ID!) { checkInCare(slotId: $s, residentId: $r) { id } }`,
			map[string]any{"s": fmt.Sprint(slots[i]), "r": fmt.Sprint(elder)}).Must(b)
		var ev struct {
			CareEvents struct{ Event struct{ Kind string } }
		}
		ws.Next("c", 10*time.Second, &ev)
		latencies = append(latencies, time.Since(sent))
		if ev.CareEvents.Event.Kind != "CHECKED_IN" {
			b.Fatalf("heard %q", ev.CareEvents.Event.Kind)
		}
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}
