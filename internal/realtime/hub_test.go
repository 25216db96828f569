package realtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

func payload(t *testing.T, m realtime.Message) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startHub runs a hub on an in-process broker until the test ends.
func startHub(t *testing.T) (*realtime.Hub, *realtime.Memory) {
	t.Helper()
	hub := realtime.NewHub(nil)
	broker := realtime.NewMemory()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hub.Run(ctx, broker); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, func() bool { return hubReady(broker) })
	return hub, broker
}

// hubReady reports whether a hub has registered with the memory broker.
func hubReady(m *realtime.Memory) bool { return m.Subscribers() > 0 }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestHubRoutesByTopicAndRecipient(t *testing.T) {
	hub, broker := startHub(t)
	grid := hub.Subscribe([]string{realtime.GridTopic(7)}, 4)
	alice := hub.Subscribe([]string{realtime.ResidentTopic(1)}, 4)
	bob := hub.Subscribe([]string{realtime.ResidentTopic(2)}, 4)
	both := hub.Subscribe([]string{realtime.ResidentTopic(1), realtime.GridTopic(7)}, 4)
	defer grid.Close()
	defer alice.Close()
	defer bob.Close()
	defer both.Close()
	broker.Publish(context.Background(), payload(t, realtime.Message{
		Seq: 1, Kind: "k", Topics: []string{realtime.GridTopic(7)},
		Contents:      []realtime.Content{{Kind: "SYSTEM", Title: "t"}},
		Notifications: []realtime.NotificationRef{{ID: 10, ResidentID: 1}},
	}))
	for name, s := range map[string]*realtime.Subscription{"grid": grid, "alice": alice, "both": both} {
		select {
		case m := <-s.Messages():
			if m.Seq != 1 {
				t.Errorf("%s got seq %d", name, m.Seq)
			}
		case <-time.After(time.Second):
			t.Errorf("%s got nothing", name)
		}
	}
	select {
	case m := <-both.Messages():
		t.Errorf("a subscription on two matching topics got the message twice: %+v", m)
	case m := <-bob.Messages():
		t.Errorf("bob got alice's message: %+v", m)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestHubMarksLostOnFullBufferGapAndNeverBlocks(t *testing.T) {
	hub, broker := startHub(t)
	slow := hub.Subscribe([]string{realtime.GridTopic(1)}, 2)
	defer slow.Close()
	ctx := context.Background()
	start := time.Now()
	for seq := int64(1); seq <= 100; seq++ {
		broker.Publish(ctx, payload(t, realtime.Message{Seq: seq, Topics: []string{realtime.GridTopic(1)}}))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("publishing to a stuck subscriber took %v", d)
	}
	select {
	case <-slow.Lost():
	default:
		t.Fatal("a subscriber whose buffer overflowed was not told")
	}
	// Drain, then a gap in the sequence (101 missing) is reported too.
	for len(slow.Messages()) > 0 {
		<-slow.Messages()
	}
	broker.Publish(ctx, payload(t, realtime.Message{Seq: 102, Topics: []string{realtime.GridTopic(1)}}))
	select {
	case <-slow.Lost():
	case <-time.After(time.Second):
		t.Fatal("a gap in the sequence was not reported")
	}
	// A duplicate (re-published after a relay crash) is dropped.
	<-slow.Messages()
	broker.Publish(ctx, payload(t, realtime.Message{Seq: 102, Topics: []string{realtime.GridTopic(1)}}))
	select {
	case m := <-slow.Messages():
		t.Errorf("a duplicate was delivered: %d", m.Seq)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestRedisBrokerReconnects kills the broker's Redis connection: the hub
// is told messages may be lost, resubscribes by itself, and keeps
// delivering.
func TestRedisBrokerReconnects(t *testing.T) {
	opt, err := redis.ParseURL(storetest.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	channel := fmt.Sprintf("linli-test:%d:%d", os.Getpid(), time.Now().UnixNano())
	opt.ClientName = strings.ReplaceAll(channel, ":", "-") // to kill only our connections
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	broker := realtime.NewRedis(rdb, channel, nil)
	hub := realtime.NewHub(nil)
	sub := hub.Subscribe([]string{realtime.GridTopic(1)}, 16)
	defer sub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go hub.Run(ctx, broker)
	<-sub.Lost() // the first subscription counts as a (re)connect
	publish := func(seq int64) {
		if err := broker.Publish(ctx, payload(t, realtime.Message{Seq: seq, Topics: []string{realtime.GridTopic(1)}})); err != nil {
			t.Fatal(err)
		}
	}
	publish(1)
	if m := <-sub.Messages(); m.Seq != 1 {
		t.Fatalf("got %d", m.Seq)
	}
	killConnections(t, rdb, opt.ClientName)
	select {
	case <-sub.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("the hub did not report the lost connection")
	}
	deadline := time.Now().Add(10 * time.Second)
	for seq := int64(2); ; seq++ {
		publish(seq)
		select {
		case m := <-sub.Messages():
			if m.Seq != seq {
				t.Fatalf("after reconnecting got %d, want %d", m.Seq, seq)
			}
			return
		case <-time.After(100 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("no message after reconnecting")
			}
		}
	}
}

// killConnections kills the Redis connections named name, as a Redis
// restart would, without touching other tests' connections.
func killConnections(t *testing.T, rdb *redis.Client, name string) {
	t.Helper()
	ctx := context.Background()
	list, err := rdb.ClientList(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for _, line := range strings.Split(list, "\n") {
		if !strings.Contains(line, " name="+name+" ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if id, ok := strings.CutPrefix(f, "id="); ok {
				if err := rdb.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err == nil {
					killed++
				}
			}
		}
	}
	if killed == 0 {
		t.Fatal("found no connection to kill")
	}
}

// TestRedisBrokerStopsWithItsContext: Run returns when its context ends
// (go-redis's Receive alone would wait forever), so serve can shut down.
func TestRedisBrokerStopsWithItsContext(t *testing.T) {
	rdb := storetest.Redis(t)
	broker := realtime.NewRedis(rdb, fmt.Sprintf("linli-test-stop:%d", time.Now().UnixNano()), nil)
	ctx, cancel := context.WithCancel(context.Background())
	subscribed := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- broker.Run(ctx, func([]byte) {}, func() {
			select {
			case subscribed <- struct{}{}:
			default:
			}
		})
	}()
	<-subscribed
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
