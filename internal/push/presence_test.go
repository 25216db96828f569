package push_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jimei-linli/linli/internal/push"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// testRedis connects to LINLI_TEST_REDIS_URL (skipping without it) and
// returns a key prefix of this test's own, deleted when it ends.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	rdb := storetest.Redis(t)
	prefix := fmt.Sprintf("linli-test:presence:%d:%d:", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	return rdb, prefix
}

// instance is the presence of one Linli instance: its own hub, the shared
// Redis.
func instance(rdb *redis.Client, prefix string) (*realtime.Hub, *push.Presence) {
	hub := realtime.NewHub(nil)
	p := push.NewPresence(hub, rdb, nil)
	p.Prefix = prefix
	return hub, p
}

func TestRedisPresenceAcrossInstances(t *testing.T) {
	rdb, prefix := testRedis(t)
	ctx := context.Background()
	hubA, a := instance(rdb, prefix)
	_, b := instance(rdb, prefix)
	clk := newClock()
	a.Now, b.Now = clk.Now, clk.Now
	sub := hubA.Subscribe([]string{realtime.ResidentTopic(7)}, 0)
	defer sub.Close()

	// Before A publishes its presence, only A knows (the documented
	// delay), and B knows that it may not know: no instance has set its
	// keys yet.
	if online, err := b.Online(ctx, []int{7}); !errors.Is(err, push.ErrPresenceIncomplete) || online[7] {
		t.Fatalf("B saw 7 online before A published: %v, %v", online, err)
	}
	if err := a.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	// Until a refresh has passed since the first key was set, another
	// instance may not have set its own.
	if online, err := b.Online(ctx, []int{7}); !errors.Is(err, push.ErrPresenceIncomplete) || !online[7] {
		t.Fatalf("B sees %v, %v right after the first publish; want 7 online, presence incomplete", online, err)
	}
	clk.Advance(push.DefaultPresenceRefresh + 5*time.Second)
	online, err := b.Online(ctx, []int{7, 8})
	if err != nil || !online[7] || online[8] {
		t.Fatalf("B sees %v, %v; want 7 online, 8 offline", online, err)
	}
	if ttl := rdb.TTL(ctx, prefix+"7").Val(); ttl <= 0 || ttl > push.DefaultPresenceTTL {
		t.Errorf("presence key TTL %s, want (0, %s]", ttl, push.DefaultPresenceTTL)
	}

	// Run publishes at once and keeps refreshing; a key not refreshed
	// expires.
	a.TTL, a.Refresh = 300*time.Millisecond, 100*time.Millisecond
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	sub9 := hubA.Subscribe([]string{realtime.ResidentTopic(9)}, 0)
	go func() { a.Run(runCtx); close(done) }()
	waitFor(t, func() bool { o, _ := b.Online(ctx, []int{9}); return o[9] }, "9 online on B")
	sub9.Close()
	waitFor(t, func() bool { o, _ := b.Online(ctx, []int{9}); return !o[9] }, "9 offline on B after leaving")
	if o, _ := b.Online(ctx, []int{7}); !o[7] {
		t.Error("7, still subscribed, went offline")
	}
	stop()
	<-done
}

// TestPlannerSkipsResidentsOnlineElsewhere plans on instance B for a
// resident subscribed on instance A.
func TestPlannerSkipsResidentsOnlineElsewhere(t *testing.T) {
	rdb, prefix := testRedis(t)
	ctx := context.Background()
	s := storetest.Open(t, storetest.SQLite)
	rs := residents(t, s.Client, 2)
	addDevice(t, s.Client, rs[0])
	addDevice(t, s.Client, rs[1])
	hubA, a := instance(rdb, prefix)
	_, b := instance(rdb, prefix)
	sub := hubA.Subscribe([]string{realtime.ResidentTopic(rs[0])}, 0)
	defer sub.Close()
	if err := a.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := publish(t, s, rs, "t")
	if n, err := push.NewPlanner(s.Client, b, newClock().Now, nil).Plan(ctx, msgs); err != nil || n != 1 {
		t.Fatalf("planned %d (%v), want 1", n, err)
	}
	for _, d := range deliveries(t, s.Client) {
		if d.NotificationID != notificationOf(t, msgs, rs[1]) {
			t.Errorf("planned a push for the resident online on A: %+v", d)
		}
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
