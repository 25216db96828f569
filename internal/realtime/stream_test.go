package realtime_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// flaky is an in-process broker that can lose what is published while it
// is down, and reports a reconnect as Redis does (lost).
type flaky struct {
	mem *realtime.Memory
	// gate, when set, holds every publication until it is closed.
	gate  atomic.Pointer[chan struct{}]
	mu    sync.Mutex // serializes publishing and reconnecting, as Redis's one goroutine does
	down  bool
	losts []func()
}

func (f *flaky) Publish(ctx context.Context, payload []byte) error {
	if g := f.gate.Load(); g != nil {
		<-*g
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil // gone, as with Redis pub/sub while disconnected
	}
	return f.mem.Publish(ctx, payload)
}

func (f *flaky) Run(ctx context.Context, deliver func([]byte), lost func()) error {
	f.mu.Lock()
	f.losts = append(f.losts, lost)
	f.mu.Unlock()
	return f.mem.Run(ctx, deliver, lost)
}

func (f *flaky) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// reconnect reports a resubscription to every hub.
func (f *flaky) reconnect() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = false
	for _, lost := range f.losts {
		lost()
	}
}

// tally is a Counter for tests.
type tally struct{ n atomic.Int64 }

func (t *tally) Add(v float64) { t.n.Add(int64(v)) }

// streamRig is a hub (with or without the outbox history) over a flaky
// broker, and a relay flushed by hand.
type streamRig struct {
	s                               *store.Store
	hub                             *realtime.Hub
	broker                          *flaky
	relay                           *realtime.Relay
	outbox                          *realtime.Outbox
	catchUps, backfills, recoveries tally
}

func newStreamRig(t *testing.T, s *store.Store, history bool) *streamRig {
	t.Helper()
	r := &streamRig{s: s, hub: realtime.NewHub(nil), broker: &flaky{mem: realtime.NewMemory()}}
	r.hub.CatchUps, r.hub.Backfills, r.hub.Recoveries = &r.catchUps, &r.backfills, &r.recoveries
	if history {
		r.hub.SetHistory(realtime.NewHistory(s.Client))
	}
	r.relay = realtime.NewRelay(s, r.broker, nil)
	r.outbox = realtime.NewOutbox(nil, testclock.Start) // flushed by hand
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.hub.Run(ctx, r.broker); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, func() bool { return r.broker.mem.Subscribers() > 0 })
	return r
}

// emit writes one event on topics about subject and relays it.
func (r *streamRig) emit(t *testing.T, subject int, topics ...string) {
	t.Helper()
	if err := r.emitted(subject, topics...); err != nil {
		t.Fatal(err)
	}
}

// emitted writes one event on topics about subject, relays it and says
// whether that failed (for goroutines, which may not t.Fatal).
func (r *streamRig) emitted(subject int, topics ...string) error {
	ctx := viewer.SystemContext(context.Background())
	err := store.WithTx(ctx, r.s.Client, func(tx *ent.Tx) error {
		_, err := r.outbox.Emit(ctx, tx, realtime.Event{Kind: "test.changed", Topics: topics, SubjectID: subject})
		return err
	})
	if err != nil {
		return err
	}
	return r.relay.Flush(ctx)
}

// seqFeed is a feed on topics that sends each change's subject and cursor.
type change struct {
	seq     int64
	subject int
}

// seqFeed is a feed on topics, resuming after since (nil: from now).
func seqFeed(since *int64, topics ...string) realtime.Feed[change] {
	return realtime.Feed[change]{
		Name: "test", Topics: topics, Since: since,
		Load: func(_ context.Context, cs []realtime.Change) ([]change, error) {
			out := make([]change, len(cs))
			for i, c := range cs {
				out[i] = change{c.Seq, c.SubjectID}
			}
			return out, nil
		},
	}
}

func next(t *testing.T, ch <-chan change) change {
	t.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			t.Fatal("the stream ended")
		}
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("nothing streamed")
	}
	return change{}
}

func quiet(t *testing.T, ch <-chan change) {
	t.Helper()
	select {
	case c := <-ch:
		t.Fatalf("streamed %+v, want nothing", c)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestStreamReplaysAfterItsCursorInOrderThenLive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newStreamRig(t, s, true)
		mine, other := realtime.NodeTopic(1), realtime.NodeTopic(2)
		// More than a replay page, interleaved with another topic's.
		const n = realtime.ReplayPage + 20
		for i := 1; i <= n; i++ {
			r.emit(t, i, mine)
			if i%10 == 0 {
				r.emit(t, -i, other)
			}
		}
		since, err := realtime.LatestSeq(context.Background(), s.Client)
		if err != nil {
			t.Fatal(err)
		}
		// From now on: only what comes next.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		all, err := realtime.Stream(ctx, r.hub, s.Client, seqFeed(nil, mine))
		if err != nil {
			t.Fatal(err)
		}
		quiet(t, all) // from now: nothing of the past
		r.emit(t, n+1, mine)
		first := next(t, all)
		if first.subject != n+1 || first.seq != since+1 {
			t.Fatalf("live change %+v, want subject %d at %d", first, n+1, since+1)
		}
		cancel()
		// Resume from a cursor in the past: every later change on mine,
		// in order, then live ones.
		ctx, cancel = context.WithCancel(context.Background())
		defer cancel()
		resumed, err := realtime.Stream(ctx, r.hub, s.Client, seqFeed(cursorAt(3), mine))
		if err != nil {
			t.Fatal(err)
		}
		var last int64 = 3
		for want := 4; want <= n+1; want++ { // seq 3 was subject 3
			c := next(t, resumed)
			if c.subject != want || c.seq <= last {
				t.Fatalf("replayed %+v after seq %d, want subject %d", c, last, want)
			}
			last = c.seq
		}
		quiet(t, resumed)
		r.emit(t, n+2, mine)
		if c := next(t, resumed); c.subject != n+2 {
			t.Fatalf("live after replay: %+v", c)
		}
		quiet(t, resumed)
	})
}

// TestStreamFromNowSendsWhatTheHubHearsAfterSubscribing: a change the
// relay has numbered but not yet published when a stream subscribes "from
// now" reaches the hub after the subscription, and the stream sends it.
// "Now" is what the hub has delivered, not the outbox's last number: a
// stream that took the outbox's number dropped the change as already
// past, and a phone that read its inbox and then subscribed never heard
// of a notification sent in between (a CI failure under load, where the
// relay published a moment after numbering).
func TestStreamFromNowSendsWhatTheHubHearsAfterSubscribing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newStreamRig(t, s, true)
		topic := realtime.NodeTopic(9)
		r.emit(t, 1, topic)
		gate := make(chan struct{})
		r.broker.gate.Store(&gate)
		emitted := make(chan error, 1)
		go func() { emitted <- r.emitted(2, topic) }()
		waitFor(t, func() bool {
			seq, err := realtime.LatestSeq(context.Background(), s.Client)
			return err == nil && seq == 2
		}) // numbered, held before the broker
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := realtime.Stream(ctx, r.hub, s.Client, seqFeed(nil, topic))
		if err != nil {
			t.Fatal(err)
		}
		close(gate)
		if err := <-emitted; err != nil {
			t.Fatal(err)
		}
		if c := next(t, ch); c.subject != 2 || c.seq != 2 {
			t.Fatalf("streamed %+v, want the held change 2", c)
		}
		quiet(t, ch)
	})
}

// cursorAt is the Feed.Since of sequence number seq.
func cursorAt(seq int64) *int64 { return &seq }

// TestStreamResumesFromTheCursorOfAStreetWithoutChanges: a phone that read
// the cursor before the street's first change (0) and heard nothing on
// its first socket resumes with that cursor; it must be sent every change
// since, not only what comes next (a cursor of 0 once meant "from now",
// and such a phone heard nothing until the next change).
func TestStreamResumesFromTheCursorOfAStreetWithoutChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newStreamRig(t, s, true)
		topic := realtime.NodeTopic(7)
		before, err := realtime.LatestSeq(context.Background(), s.Client)
		if err != nil || before != 0 {
			t.Fatalf("latest sequence number of a new street: %d, %v", before, err)
		}
		r.emit(t, 1, topic)
		r.emit(t, 2, topic)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := realtime.Stream(ctx, r.hub, s.Client, seqFeed(cursorAt(before), topic))
		if err != nil {
			t.Fatal(err)
		}
		for want := 1; want <= 2; want++ {
			if c := next(t, ch); c.subject != want {
				t.Fatalf("replayed %+v, want subject %d", c, want)
			}
		}
		quiet(t, ch)
	})
}

func TestStreamStartSendsTheStateThenOnlyNewChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newStreamRig(t, s, true)
		topic := realtime.NodeTopic(5)
		r.emit(t, 5, topic)
		f := seqFeed(nil, topic)
		f.Start = func(_ context.Context, cursor int64) (change, bool, error) {
			return change{cursor, 0}, true, nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := realtime.Stream(ctx, r.hub, s.Client, f)
		if err != nil {
			t.Fatal(err)
		}
		if c := next(t, ch); c.seq != 1 || c.subject != 0 {
			t.Fatalf("first value %+v, want the state at cursor 1", c)
		}
		r.emit(t, 6, topic)
		if c := next(t, ch); c.seq != 2 || c.subject != 6 {
			t.Fatalf("live %+v", c)
		}
	})
}

// TestResubscribeAt10000SubscribersQueriesOnceForTheInstance is issue 13's
// measure: catch-up queries after a Redis resubscribe at 10,000
// subscribers. With the outbox history the hub reads what was published
// while it was away once, for the instance, and only the subscribers of
// the missed topics hear of it; no stream replays on its own. Without it
// (or when the history cannot be read), every subscription replays, at
// most MaxCatchUps at once.
func TestResubscribeAt10000SubscribersQueriesOnceForTheInstance(t *testing.T) {
	const subscribers = 10_000
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for _, history := range []bool{true, false} {
			r := newStreamRig(t, s, history)
			r.emit(t, 0, realtime.NodeTopic(0)) // the hub has a position
			var loads, inFlight, peak, replays atomic.Int64
			got := make([]atomic.Int64, subscribers)
			ctx, cancel := context.WithCancel(context.Background())
			for i := range subscribers {
				f := realtime.Feed[change]{
					Name: "test", Topics: []string{realtime.NodeTopic(i + 1)},
					Load: func(_ context.Context, cs []realtime.Change) ([]change, error) {
						loads.Add(1)
						got[i].Add(int64(len(cs)))
						return nil, nil
					},
				}
				if !history {
					// Count the replays and how many run at once.
					f.Replay = func(_ context.Context, after int64) ([]change, int64, bool, error) {
						replays.Add(1)
						n := inFlight.Add(1)
						for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
						}
						time.Sleep(50 * time.Microsecond)
						inFlight.Add(-1)
						return nil, after, false, nil
					}
				}
				if _, err := realtime.Stream(ctx, r.hub, s.Client, f); err != nil {
					t.Fatal(err)
				}
			}
			r.broker.setDown(true)
			missed := []int{7, 4242, 9999}
			for _, i := range missed {
				r.emit(t, i, realtime.NodeTopic(i))
			}
			r.catchUps.n.Store(0)
			r.broker.reconnect()
			if history {
				waitFor(t, func() bool { return loads.Load() == int64(len(missed)) })
				time.Sleep(50 * time.Millisecond) // nothing else comes
				for _, i := range missed {
					if got[i-1].Load() != 1 {
						t.Errorf("subscriber of node %d heard %d changes, want 1", i, got[i-1].Load())
					}
				}
				if n := loads.Load(); n != int64(len(missed)) {
					t.Errorf("%d subscribers loaded, want only the %d of the missed topics", n, len(missed))
				}
				if n := r.catchUps.n.Load(); n != 0 {
					t.Errorf("%d streams replayed on their own, want 0", n)
				}
				if n := r.backfills.n.Load(); n != 1 {
					t.Errorf("%d history reads, want 1", n)
				}
				t.Logf("%s, with the outbox history: %d history read, %d stream catch-up queries, %d subscribers told, of %d",
					s.Dialect, r.backfills.n.Load(), r.catchUps.n.Load(), loads.Load(), subscribers)
			} else {
				waitFor(t, func() bool { return replays.Load() == subscribers })
				if p := peak.Load(); p > realtime.MaxCatchUps {
					t.Errorf("%d catch-ups ran at once, want at most %d", p, realtime.MaxCatchUps)
				}
				t.Logf("%s, without it: %d stream catch-up queries, at most %d at once", s.Dialect, replays.Load(), peak.Load())
			}
			cancel()
			waitFor(t, func() bool { return r.hub.Subscriptions() == 0 })
		}
	})
}
