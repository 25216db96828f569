package push_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jimei-linli/linli/ent/pushdelivery"
	"github.com/jimei-linli/linli/internal/push"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// TestConnectedResidentIsNotPushedTheBacklogAfterRedisRestarts: resident
// R stays connected to instance B while the Redis the instances share (a
// private server) is down, then restarts empty; resident S is offline
// throughout. Instance A plans the pushes of what happened meanwhile: it
// cannot know R is online, so it holds both residents' pushes; once Redis
// is back and B has set its residents' presence again, A's worker drops
// R's (R got them live) and sends S's, each once.
func TestConnectedResidentIsNotPushedTheBacklogAfterRedisRestarts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := storetest.StartPrivateRedis(t)
		rdb := redis.NewClient(&redis.Options{Addr: r.Addr(), DialTimeout: time.Second})
		t.Cleanup(func() { rdb.Close() })
		clk := newClock()
		const prefix = "linli-test:presence:"
		_, a := instance(rdb, prefix)
		hubB, b := instance(rdb, prefix)
		a.Now, b.Now = clk.Now, clk.Now

		rs := residents(t, s.Client, 2)
		connected, offline := rs[0], rs[1]
		addDevice(t, s.Client, connected)
		addDevice(t, s.Client, offline)
		sub := hubB.Subscribe([]string{realtime.ResidentTopic(connected)}, 0)
		defer sub.Close()
		if err := b.Publish(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Advance(push.DefaultPresenceRefresh + 5*time.Second)
		if online, err := a.Online(ctx, rs); err != nil || !online[connected] || online[offline] {
			t.Fatalf("before the outage A sees %v, %v", online, err)
		}

		gw := newGateway(t, nil)
		planner := push.NewPlanner(s.Client, a, clk.Now, nil)
		w := push.NewWorker(s, gw.webhook(), clk.Now, nil)
		w.Presence = a

		r.Stop()
		var msgs []*realtime.Message
		msgs = append(msgs, publish(t, s, rs, "during the outage")...)
		if _, err := planner.Plan(ctx, msgs[len(msgs)-1:]); err != nil {
			t.Fatal(err)
		}
		if n := runOnce(t, w); n != 0 || gw.calls() != 0 {
			t.Fatalf("with Redis down the worker claimed %d and pushed %d, want the pushes held", n, gw.calls())
		}

		r.Start() // empty: every presence key is gone
		msgs = append(msgs, publish(t, s, rs, "after the restart")...)
		if _, err := planner.Plan(ctx, msgs[len(msgs)-1:]); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Online(ctx, rs); !errors.Is(err, push.ErrPresenceIncomplete) {
			t.Fatalf("presence after the restart: %v, want ErrPresenceIncomplete", err)
		}
		clk.Advance(push.DefaultHold)
		if n := runOnce(t, w); n != 4 || gw.calls() != 0 {
			t.Fatalf("before B set its presence again the worker claimed %d and pushed %d, want 4 held again", n, gw.calls())
		}

		if err := b.Publish(ctx); err != nil { // B's next refresh
			t.Fatal(err)
		}
		clk.Advance(push.DefaultHold)
		if n := runOnce(t, w); n != 4 {
			t.Fatalf("the worker claimed %d, want the 4 held deliveries", n)
		}
		for _, m := range msgs {
			for _, n := range m.Notifications {
				key := push.IdempotencyKey(n.ID, deviceOf(t, s, n.ResidentID))
				want := 0
				if n.ResidentID == offline {
					want = 1
				}
				if got := gw.received(key); got != want {
					t.Errorf("%s (resident %d, connected %v) pushed %d times, want %d", key, n.ResidentID, n.ResidentID == connected, got, want)
				}
			}
		}
		if n := countState(t, s.Client, pushdelivery.StateSENT); n != 2 || len(deliveries(t, s.Client)) != 2 {
			t.Errorf("%d deliveries SENT of %d left, want the offline resident's 2 only", n, len(deliveries(t, s.Client)))
		}
	})
}

// deviceOf returns the ID of resident's only device.
func deviceOf(t *testing.T, s *store.Store, resident int) int {
	t.Helper()
	ds, err := s.Client.Device.Query().All(sys)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.ResidentID == resident {
			return d.ID
		}
	}
	t.Fatalf("resident %d has no device", resident)
	return 0
}
