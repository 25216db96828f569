package realtime_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jimei-linli/linli/ent/event"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// counter is a realtime.Counter for tests.
type counter struct{ n atomic.Int64 }

func (c *counter) Add(v float64) { c.n.Add(int64(v)) }

// countingBacklog counts the reads of a backlog.
type countingBacklog struct {
	realtime.Backlog
	reads atomic.Int64
}

func (b *countingBacklog) Since(ctx context.Context, seq int64, limit int) ([]*realtime.Message, error) {
	b.reads.Add(1)
	return b.Backlog.Since(ctx, seq, limit)
}

func (b *countingBacklog) LastSeq(ctx context.Context) (int64, error) {
	b.reads.Add(1)
	return b.Backlog.LastSeq(ctx)
}

// redisInstance is the real-time part of one instance on a Redis: its
// broker (reading its backlog from its relay) and its running hub, with
// one subscription to grid 1, and an outbox when it relays.
type redisInstance struct {
	name         string
	broker       *realtime.Redis
	relay        *realtime.Relay
	outbox       *realtime.Outbox
	hub          *realtime.Hub
	sub          *realtime.Subscription
	backlog      countingBacklog
	resubscribes counter
	recoveries   counter
}

// startRedisInstance starts an instance on the Redis at addr whose broker
// polls the database every downPoll while Redis is down (negative: never).
func startRedisInstance(t *testing.T, s *store.Store, name, addr string, downPoll time.Duration) *redisInstance {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	i := &redisInstance{name: name}
	i.broker = realtime.NewRedis(rdb, "linli-test:events", nil)
	i.broker.Resubscribes = &i.resubscribes
	i.broker.DownPoll = downPoll
	i.relay = realtime.NewRelay(s, i.broker, nil)
	i.backlog.Backlog = i.relay
	i.broker.Backlog = &i.backlog
	i.outbox = realtime.NewOutbox(i.relay, testclock.Start)
	hub := realtime.NewHub(nil)
	hub.Recoveries = &i.recoveries
	i.hub = hub
	i.sub = hub.Subscribe([]string{realtime.GridTopic(1)}, 64)
	t.Cleanup(i.sub.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hub.Run(ctx, i.broker); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-i.sub.Lost(): // the first subscription counts as a (re)connect
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: the hub did not subscribe", name)
	}
	return i
}

// expect reads the subscription's next messages and fails unless they are
// the events numbered want, in order, carrying their titles.
func (i *redisInstance) expect(t *testing.T, when string, titles map[int64]string, want ...int64) {
	t.Helper()
	for _, seq := range want {
		select {
		case m := <-i.sub.Messages():
			if m.Seq != seq || len(m.Contents) != 1 || contentTitle(m.Contents[0]) != titles[seq] {
				t.Fatalf("%s: %s got event %d %+v, want %d %q", when, i.name, m.Seq, m.Contents, seq, titles[seq])
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("%s: %s did not get event %d", when, i.name, seq)
		}
	}
}

// quiet fails if the subscription holds a message or a loss signal.
func (i *redisInstance) quiet(t *testing.T, when string) {
	t.Helper()
	select {
	case m := <-i.sub.Messages():
		t.Fatalf("%s: %s got event %d", when, i.name, m.Seq)
	case <-i.sub.Lost():
		t.Fatalf("%s: %s was told it lost messages", when, i.name)
	default:
	}
}

// TestRedisDownDeliversLocallyAndCatchesOthersUp stops the instances'
// Redis (a private server) between events. While it is down, an instance
// still delivers its own events to its own subscribers at once (its relay
// goes on), and one that polls the database delivers the others' too;
// when Redis is back, an instance that heard nothing meanwhile gets what
// it missed, in order, without telling its subscribers that they lost
// messages (which would send every one of them to the database at once).
func TestRedisDownDeliversLocallyAndCatchesOthersUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := storetest.StartPrivateRedis(t)
		a := startRedisInstance(t, s, "A", r.Addr(), 0)  // polls every DefaultDownPoll
		b := startRedisInstance(t, s, "B", r.Addr(), -1) // only its own events while down
		c := startRedisInstance(t, s, "C", r.Addr(), -1) // relays nothing: nothing while down
		who := residents(t, s.Client, 1)
		titles := map[int64]string{}
		send := func(i *redisInstance, title string) {
			t.Helper()
			if err := emit(t, s, i.outbox, who, title, false); err != nil {
				t.Fatal(err)
			}
			if err := i.relay.Flush(ctx); err != nil {
				t.Fatalf("%s relaying %q: %v", i.name, title, err)
			}
			titles[int64(len(titles)+1)] = title
		}

		send(a, "one")
		for _, i := range []*redisInstance{a, b, c} {
			i.expect(t, "Redis up", titles, 1)
		}
		// 10,000 more subscribers on C: none of them is sent to catch up
		// from the database when Redis comes back.
		const many = 10000
		for n := range many {
			sub := c.hub.Subscribe([]string{realtime.ResidentTopic(1_000_000 + n)}, 1)
			t.Cleanup(sub.Close)
		}
		c.recoveries.n.Store(0)
		c.backlog.reads.Store(0)

		r.Stop()
		send(a, "two")
		a.expect(t, "Redis down, A's own event", titles, 2)
		send(b, "three")
		b.expect(t, "Redis down, B's own event", titles, 2, 3)
		a.expect(t, "Redis down, A polling", titles, 3)
		if n := s.Client.Event.Query().Where(event.PublishedAtIsNil()).CountX(viewer.SystemContext(ctx)); n != 0 {
			t.Errorf("%d events left unpublished while Redis was down", n)
		}
		c.quiet(t, "Redis down")

		r.Start()
		c.expect(t, "Redis back", titles, 2, 3)
		for _, i := range []*redisInstance{a, b, c} {
			for deadline := time.Now().Add(15 * time.Second); i.resubscribes.n.Load() == 0; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("%s did not resubscribe", i.name)
				}
			}
		}
		if n := c.recoveries.n.Load(); n != 0 {
			t.Errorf("after Redis came back %d of C's %d subscriptions were sent to catch up", n, many+1)
		}
		t.Logf("C, %d subscriptions: %d backlog reads over the outage and the resubscribe, %d subscriber catch-ups", many+1, c.backlog.reads.Load(), c.recoveries.n.Load())
		send(c, "four")
		for _, i := range []*redisInstance{a, b, c} {
			i.expect(t, "Redis back", titles, 4)
			i.quiet(t, fmt.Sprintf("after %d events", len(titles)))
		}
	})
}

// contentTitle is the title a content carries: its "title" parameter (a
// broadcast's message is rendered from it), or the stored title of one
// written before the catalogue.
func contentTitle(c realtime.Content) string {
	for _, p := range c.Params {
		if p.Key == "title" {
			return p.Value
		}
	}
	return c.Title
}
