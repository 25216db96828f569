package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/notify"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// backbone is a running relay, broker and hub over one store.
type backbone struct {
	s      *store.Store
	hub    *realtime.Hub
	relay  *realtime.Relay
	outbox *realtime.Outbox
	inbox  *notify.Inbox
	broker *realtime.Memory
}

func start(t *testing.T, s *store.Store) *backbone {
	t.Helper()
	b := &backbone{s: s, hub: realtime.NewHub(nil), broker: realtime.NewMemory()}
	b.relay = realtime.NewRelay(s, b.broker, nil)
	b.outbox = realtime.NewOutbox(b.relay, testclock.Start)
	b.inbox = notify.New(s.Client, b.hub, testclock.Start)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { b.hub.Run(ctx, b.broker); done <- struct{}{} }()
	go func() { b.relay.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	for b.broker.Subscribers() == 0 {
		time.Sleep(time.Millisecond)
	}
	return b
}

// notify writes one notification for each recipient, in its own event.
func (b *backbone) notify(t *testing.T, title string, recipients ...int) {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	err := store.WithTx(ctx, b.s.Client, func(tx *ent.Tx) error {
		_, err := b.outbox.Emit(ctx, tx, realtime.Event{Kind: "test", Notify: recipients,
			Notification: realtime.Note(notification.KindSYSTEM, i18n.BroadcastSent, "title", title)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func receive(t *testing.T, ch <-chan *ent.Notification, titles ...string) []*ent.Notification {
	t.Helper()
	var got []*ent.Notification
	for _, want := range titles {
		select {
		case n, ok := <-ch:
			if !ok {
				t.Fatalf("stream closed; want %q", want)
			}
			if got := notify.TitleIn(i18n.Default, n); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
			got = append(got, n)
		case <-time.After(5 * time.Second):
			t.Fatalf("no notification; want %q", want)
		}
	}
	return got
}

func TestStreamReplaysThenStreamsInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := start(t, s)
		sys := viewer.SystemContext(context.Background())
		me := s.Client.Resident.Create().SetName("我").SaveX(sys).ID
		other := s.Client.Resident.Create().SetName("邻居").SaveX(sys).ID
		b.notify(t, "one", me)
		b.notify(t, "not mine", other)
		b.notify(t, "two", me, other)
		b.relay.Flush(context.Background())
		first, err := b.s.Client.Notification.Query().Where(notification.ResidentID(me)).
			Order(ent.Asc(notification.FieldID)).First(sys)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(viewer.NewContext(context.Background(), &viewer.Viewer{ResidentID: me}))
		defer cancel()
		ch, err := b.inbox.Stream(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		receive(t, ch, "two") // replayed after "one"
		for i := range 20 {
			b.notify(t, fmt.Sprint("live ", i), me)
			if i%3 == 0 {
				b.notify(t, "not mine", other)
			}
		}
		for i := range 20 {
			receive(t, ch, fmt.Sprint("live ", i))
		}
	})
}

// TestStreamCatchesUpWhenMessagesAreLost drops the broker's messages
// (publishing to nobody) and then signals loss, as a Redis outage would:
// the stream fetches what it missed from the database, in order.
func TestStreamCatchesUpWhenMessagesAreLost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		hub := realtime.NewHub(nil)
		lostBroker := &deaf{}
		relay := realtime.NewRelay(s, lostBroker, nil)
		outbox := realtime.NewOutbox(nil, testclock.Start)
		inbox := notify.New(s.Client, hub, testclock.Start)
		sys := viewer.SystemContext(context.Background())
		me := s.Client.Resident.Create().SetName("我").SaveX(sys).ID
		ctx, cancel := context.WithCancel(viewer.NewContext(context.Background(), &viewer.Viewer{ResidentID: me}))
		defer cancel()
		ch, err := inbox.Stream(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		b := &backbone{s: s, outbox: outbox}
		for i := range 50 {
			b.notify(t, fmt.Sprint("during outage ", i), me)
		}
		relay.Flush(context.Background()) // published into the void
		runHubOnce(hub)                   // the broker reconnects: the hub reports loss
		for i := range 50 {
			receive(t, ch, fmt.Sprint("during outage ", i))
		}
	})
}

func TestStreamNeedsSignInAndOwnCursor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := start(t, s)
		sys := viewer.SystemContext(context.Background())
		me := s.Client.Resident.Create().SetName("我").SaveX(sys).ID
		other := s.Client.Resident.Create().SetName("邻居").SaveX(sys).ID
		b.notify(t, "theirs", other)
		b.relay.Flush(context.Background())
		theirs := s.Client.Notification.Query().Where(notification.ResidentID(other)).FirstX(sys)
		if _, err := b.inbox.Stream(context.Background(), 0); err == nil {
			t.Error("an anonymous stream was opened")
		}
		mine := viewer.NewContext(context.Background(), &viewer.Viewer{ResidentID: me})
		if _, err := b.inbox.Stream(mine, theirs.ID); err == nil {
			t.Error("a stream resumed from another resident's notification")
		}
	})
}

// deaf is a broker nobody hears: every message is lost.
type deaf struct{}

func (deaf) Publish(context.Context, []byte) error { return nil }
func (deaf) Run(ctx context.Context, _ func([]byte), lost func()) error {
	lost()
	<-ctx.Done()
	return nil
}

// runHubOnce runs hub on a deaf broker just long enough to report loss.
func runHubOnce(hub *realtime.Hub) {
	ctx, cancel := context.WithCancel(context.Background())
	go hub.Run(ctx, deaf{})
	time.AfterFunc(100*time.Millisecond, cancel)
}
