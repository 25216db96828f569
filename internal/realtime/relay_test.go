package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/event"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// recorder is a Broker that keeps what is published (and can fail).
type recorder struct {
	mu   sync.Mutex
	msgs []realtime.Message
	fail bool
}

func (r *recorder) Publish(_ context.Context, payload []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("broker down")
	}
	var m realtime.Message
	if err := json.Unmarshal(payload, &m); err != nil {
		return err
	}
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recorder) Run(ctx context.Context, _ func([]byte), _ func()) error {
	<-ctx.Done()
	return nil
}

func (r *recorder) seqs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []int64
	for _, m := range r.msgs {
		s = append(s, m.Seq)
	}
	return s
}

// residents creates n residents and returns their IDs.
func residents(t *testing.T, c *ent.Client, n int) []int {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	var ids []int
	for range n {
		ids = append(ids, c.Resident.Create().SetName("居民").SaveX(ctx).ID)
	}
	return ids
}

// emit writes one event notifying recipients, committing unless rollback.
func emit(t *testing.T, s *store.Store, o *realtime.Outbox, recipients []int, title string, rollback bool) error {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	return store.WithTx(ctx, s.Client, func(tx *ent.Tx) error {
		_, err := o.Emit(ctx, tx, realtime.Event{
			Kind: "test.sent", Topics: []string{realtime.GridTopic(1)}, Notify: recipients,
			Notification: realtime.Note(notification.KindSYSTEM, i18n.BroadcastSent, "title", title, "body", "body"),
		})
		if err == nil && rollback {
			return errors.New("roll back")
		}
		return err
	})
}

func TestRelaySequencesAndPublishesInCommitOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b := &recorder{}
		relay := realtime.NewRelay(s, b, nil)
		o := realtime.NewOutbox(relay, testclock.Start)
		who := residents(t, s.Client, 3)
		for i, title := range []string{"one", "two", "three"} {
			if err := emit(t, s, o, who[:i+1], title, false); err != nil {
				t.Fatal(err)
			}
		}
		if err := relay.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := b.seqs(); len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
			t.Fatalf("published sequence %v, want [1 2 3]", got)
		}
		for i, m := range b.msgs {
			if len(m.Notifications) != i+1 || len(m.Contents) != 1 || i18n.Get(m.Contents[0].Params, "title") != []string{"one", "two", "three"}[i] {
				t.Errorf("message %d: %+v", i, m)
			}
		}
		sys := viewer.SystemContext(ctx)
		if n := s.Client.Notification.Query().Where(notification.SeqIsNil()).CountX(sys); n != 0 {
			t.Errorf("%d notifications have no sequence number after the relay ran", n)
		}
		if n := s.Client.Event.Query().Where(event.PublishedAtIsNil()).CountX(sys); n != 0 {
			t.Errorf("%d events are unpublished after the relay ran", n)
		}
		// A second flush publishes nothing again.
		relay.Flush(ctx)
		if got := b.seqs(); len(got) != 3 {
			t.Errorf("a second flush published again: %v", got)
		}
	})
}

func TestRolledBackEventsAreNeverPublished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := &recorder{}
		relay := realtime.NewRelay(s, b, nil)
		o := realtime.NewOutbox(relay, testclock.Start)
		who := residents(t, s.Client, 2)
		if err := emit(t, s, o, who, "never", true); err == nil {
			t.Fatal("the transaction did not roll back")
		}
		if err := relay.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		sys := viewer.SystemContext(context.Background())
		if n := s.Client.Event.Query().CountX(sys) + s.Client.Notification.Query().CountX(sys); n != 0 {
			t.Errorf("%d events and notifications survived the rollback", n)
		}
		if len(b.seqs()) != 0 {
			t.Errorf("published %v for a rolled-back transaction", b.seqs())
		}
	})
}

// TestRelayKilledBetweenCommitAndPublishLosesNothing: the first relay
// sequences the events and then cannot publish (as if killed before it
// could); a new relay publishes the same events with the same numbers.
func TestRelayKilledBetweenCommitAndPublishLosesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		dead := &recorder{fail: true}
		first := realtime.NewRelay(s, dead, nil)
		o := realtime.NewOutbox(nil, testclock.Start)
		who := residents(t, s.Client, 1)
		for _, title := range []string{"a", "b"} {
			if err := emit(t, s, o, who, title, false); err != nil {
				t.Fatal(err)
			}
		}
		if err := first.Flush(ctx); err == nil {
			t.Fatal("a relay whose broker is down reported success")
		}
		sys := viewer.SystemContext(ctx)
		if n := s.Client.Event.Query().Where(event.SeqNotNil(), event.PublishedAtIsNil()).CountX(sys); n != 2 {
			t.Fatalf("%d events sequenced and unpublished, want 2", n)
		}
		// A third event arrives while the relay is down.
		emit(t, s, o, who, "c", false)
		live := &recorder{}
		if err := realtime.NewRelay(s, live, nil).Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := live.seqs(); len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
			t.Fatalf("the restarted relay published %v, want [1 2 3]", got)
		}
	})
}

// TestConcurrentRelaysKeepOneOrder runs two relays (as two instances would)
// against concurrent writers: every event is published, numbered 1..n
// without gaps, and each relay publishes in increasing order.
func TestConcurrentRelaysKeepOneOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := &recorder{}, &recorder{}
		ra, rb := realtime.NewRelay(s, a, nil), realtime.NewRelay(s, b, nil)
		o := realtime.NewOutbox(nil, testclock.Start)
		who := residents(t, s.Client, 1)
		const n = 40
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := emit(t, s, o, who, "x", false); err != nil {
					t.Error(err)
				}
				if i%2 == 0 {
					ra.Flush(ctx)
				} else {
					rb.Flush(ctx)
				}
			}()
		}
		wg.Wait()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			ra.Flush(ctx)
			rb.Flush(ctx)
			if len(a.seqs())+len(b.seqs()) >= n {
				break
			}
		}
		seen := map[int64]bool{}
		for _, r := range []*recorder{a, b} {
			prev := int64(0)
			for _, q := range r.seqs() {
				if q <= prev {
					t.Errorf("a relay published %d after %d", q, prev)
				}
				prev = q
				seen[q] = true
			}
		}
		for q := int64(1); q <= n; q++ {
			if !seen[q] {
				t.Errorf("event %d was never published", q)
			}
		}
		if len(seen) != n {
			t.Errorf("published %d distinct events, want %d", len(seen), n)
		}
	})
}
