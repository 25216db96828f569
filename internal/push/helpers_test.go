package push_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/device"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/pushdelivery"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/push"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// sys is the system context tests set data up with.
var sys = viewer.SystemContext(context.Background())

// clock is a fake clock that only moves when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// gateway is a webhook push gateway on an httptest server: it records
// every push and answers with status(push, how many times its key came).
type gateway struct {
	srv    *httptest.Server
	mu     sync.Mutex
	pushes []push.Push
	count  map[string]int
	status func(p push.Push, n int) int
}

// newGateway starts a gateway answering status (nil: always 200).
func newGateway(t *testing.T, status func(p push.Push, n int) int) *gateway {
	t.Helper()
	if status == nil {
		status = func(push.Push, int) int { return http.StatusOK }
	}
	g := &gateway{count: map[string]int{}, status: status}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p push.Push
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			t.Errorf("gateway: undecodable push: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if h := r.Header.Get("Idempotency-Key"); h != p.IdempotencyKey || h == "" {
			t.Errorf("gateway: Idempotency-Key header %q, body key %q", h, p.IdempotencyKey)
		}
		g.mu.Lock()
		g.pushes = append(g.pushes, p)
		g.count[p.IdempotencyKey]++
		n := g.count[p.IdempotencyKey]
		g.mu.Unlock()
		w.WriteHeader(g.status(p, n))
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// webhook is the WebhookGateway posting to g.
func (g *gateway) webhook() push.WebhookGateway { return push.WebhookGateway{URL: g.srv.URL} }

// calls returns how many pushes g received.
func (g *gateway) calls() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.pushes)
}

// received returns how many times g received key.
func (g *gateway) received(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.count[key]
}

// residents creates n residents and returns their IDs.
func residents(t *testing.T, c *ent.Client, n int) []int {
	t.Helper()
	b := make([]*ent.ResidentCreate, n)
	for i := range b {
		b[i] = c.Resident.Create().SetName(fmt.Sprintf("居民%d", i))
	}
	rs, err := c.Resident.CreateBulk(b...).Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int, n)
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// tokens numbers the push tokens tests make.
var tokens atomic.Int64

// addDevice registers a new device for resident and returns its ID.
func addDevice(t *testing.T, c *ent.Client, resident int) int {
	t.Helper()
	now := newClock().Now()
	token := fmt.Sprintf("token-%d-%d", resident, tokens.Add(1))
	return c.Device.Create().SetResidentID(resident).SetPlatform(device.PlatformANDROID).
		SetToken(token).SetCreatedAt(now).SetRegisteredAt(now).SaveX(sys).ID
}

// publish notifies recipients of one event through the real outbox and
// relay, and returns the messages the relay published.
func publish(t *testing.T, s *store.Store, recipients []int, title string) []*realtime.Message {
	t.Helper()
	relay := realtime.NewRelay(s, realtime.NewMemory(), nil)
	var msgs []*realtime.Message
	relay.Published = func(_ context.Context, m []*realtime.Message) { msgs = append(msgs, m...) }
	err := store.WithTx(sys, s.Client, func(tx *ent.Tx) error {
		_, err := realtime.NewOutbox(nil, newClock().Now).Emit(sys, tx, realtime.Event{
			Kind: "test.sent", Notify: recipients,
			Notification: realtime.Note(notification.KindBROADCAST, i18n.BroadcastSent, "title", title, "body", "正文"),
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := relay.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return msgs
}

// deliveries returns every delivery, by key.
func deliveries(t *testing.T, c *ent.Client) map[string]*ent.PushDelivery {
	t.Helper()
	ds, err := c.PushDelivery.Query().All(sys)
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]*ent.PushDelivery, len(ds))
	for _, d := range ds {
		m[d.IdempotencyKey] = d
	}
	return m
}

// countState returns how many deliveries are in state.
func countState(t *testing.T, c *ent.Client, state pushdelivery.State) int {
	t.Helper()
	n, err := c.PushDelivery.Query().Where(pushdelivery.StateEQ(state)).Count(sys)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// runOnce runs one round of w and fails the test on an error.
func runOnce(t *testing.T, w *push.Worker) int {
	t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
