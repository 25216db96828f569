package push_test

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/device"
	"github.com/jimei-linli/linli/ent/pushdelivery"
	"github.com/jimei-linli/linli/internal/push"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// plan publishes one notification to each of rs and plans its pushes
// (everyone offline); it returns the planned deliveries by key.
func plan(t *testing.T, s *store.Store, clk *clock, rs []int, title string) map[string]*ent.PushDelivery {
	t.Helper()
	msgs := publish(t, s, rs, title)
	if _, err := push.NewPlanner(s.Client, nil, clk.Now, nil).Plan(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	return deliveries(t, s.Client)
}

// only returns the one delivery of ds.
func only(t *testing.T, ds map[string]*ent.PushDelivery) *ent.PushDelivery {
	t.Helper()
	if len(ds) != 1 {
		t.Fatalf("%d deliveries, want 1", len(ds))
	}
	for _, d := range ds {
		return d
	}
	return nil
}

// reload reads d again.
func reload(t *testing.T, c *ent.Client, d *ent.PushDelivery) *ent.PushDelivery {
	t.Helper()
	d, err := c.PushDelivery.Get(sys, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestWorkerSendsWithTheIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := newClock()
		rs := residents(t, s.Client, 2)
		devs := map[int]*ent.Device{}
		for _, r := range rs {
			devs[r] = s.Client.Device.GetX(sys, addDevice(t, s.Client, r))
		}
		planned := plan(t, s, clk, rs, "明天停水")
		g := newGateway(t, nil)
		w := push.NewWorker(s, g.webhook(), clk.Now, nil)
		if n := runOnce(t, w); n != 2 {
			t.Fatalf("claimed %d, want 2", n)
		}
		if g.calls() != 2 {
			t.Fatalf("gateway got %d pushes, want 2", g.calls())
		}
		for _, p := range g.pushes {
			d := planned[p.IdempotencyKey]
			if d == nil {
				t.Fatalf("push with unknown key %q", p.IdempotencyKey)
			}
			dev := s.Client.Device.GetX(sys, d.DeviceID)
			if p.Token != dev.Token || p.Platform != "ANDROID" || p.NotificationID != d.NotificationID ||
				p.Kind != "BROADCAST" || p.Title != "明天停水" || p.Body != "正文" {
				t.Errorf("push %+v does not match delivery %+v", p, d)
			}
		}
		for key, d := range deliveries(t, s.Client) {
			if d.State != pushdelivery.StateSENT || d.Attempts != 1 || d.SentAt == nil || !d.SentAt.Equal(clk.Now()) || d.LastError != "" {
				t.Errorf("delivery %s = %+v, want SENT now after 1 attempt", key, d)
			}
		}
		clk.Advance(time.Hour)
		if n := runOnce(t, w); n != 0 || g.calls() != 2 {
			t.Errorf("a later round claimed %d and the gateway has %d pushes; want nothing sent again", n, g.calls())
		}
	})
}

func TestWorkerRetriesWithBackoff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := newClock()
		rs := residents(t, s.Client, 1)
		addDevice(t, s.Client, rs[0])
		d := only(t, plan(t, s, clk, rs, "t"))
		g := newGateway(t, func(_ push.Push, n int) int {
			switch n {
			case 1:
				return http.StatusInternalServerError
			case 2:
				return http.StatusTooManyRequests
			}
			return http.StatusOK
		})
		w := push.NewWorker(s, g.webhook(), clk.Now, nil)

		runOnce(t, w)
		d = reload(t, s.Client, d)
		if d.State != pushdelivery.StatePENDING || d.Attempts != 1 ||
			!d.NextAttemptAt.Equal(clk.Now().Add(2*time.Second)) || !strings.Contains(d.LastError, "500") {
			t.Fatalf("after a 500: %+v, want PENDING, attempt 1, due in 2 s", d)
		}
		clk.Advance(time.Second)
		if n := runOnce(t, w); n != 0 {
			t.Fatalf("claimed %d before the backoff ran out", n)
		}
		clk.Advance(time.Second)
		runOnce(t, w)
		d = reload(t, s.Client, d)
		if d.Attempts != 2 || !d.NextAttemptAt.Equal(clk.Now().Add(4*time.Second)) || !strings.Contains(d.LastError, "429") {
			t.Fatalf("after a 429: %+v, want attempt 2, due in 4 s", d)
		}
		clk.Advance(4 * time.Second)
		runOnce(t, w)
		d = reload(t, s.Client, d)
		if d.State != pushdelivery.StateSENT || d.Attempts != 3 || d.LastError != "" {
			t.Fatalf("after a 200: %+v, want SENT after 3 attempts", d)
		}
		if n := g.received(d.IdempotencyKey); n != 3 {
			t.Errorf("the gateway got the key %d times, want 3", n)
		}
	})
}

func TestWorkerGivesUpAfterMaxAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := newClock()
		rs := residents(t, s.Client, 1)
		addDevice(t, s.Client, rs[0])
		d := only(t, plan(t, s, clk, rs, "t"))
		g := newGateway(t, func(push.Push, int) int { return http.StatusServiceUnavailable })
		w := push.NewWorker(s, g.webhook(), clk.Now, nil)
		for attempt := 1; attempt <= push.DefaultMaxAttempts; attempt++ {
			if n := runOnce(t, w); n != 1 {
				t.Fatalf("attempt %d: claimed %d", attempt, n)
			}
			d = reload(t, s.Client, d)
			if attempt < push.DefaultMaxAttempts {
				if d.State != pushdelivery.StatePENDING || !d.NextAttemptAt.Equal(clk.Now().Add(push.Backoff(attempt))) {
					t.Fatalf("after attempt %d: %+v, want PENDING due in %s", attempt, d, push.Backoff(attempt))
				}
				clk.Advance(push.Backoff(attempt))
			}
		}
		if d.State != pushdelivery.StateFAILED || d.Attempts != push.DefaultMaxAttempts || !strings.Contains(d.LastError, "gave up after 8 attempts") {
			t.Fatalf("after %d attempts: %+v, want FAILED", push.DefaultMaxAttempts, d)
		}
		clk.Advance(time.Hour)
		if n := runOnce(t, w); n != 0 || g.calls() != push.DefaultMaxAttempts {
			t.Errorf("a FAILED delivery was tried again (claimed %d, %d pushes)", n, g.calls())
		}
		if n := s.Client.Device.Query().CountX(sys); n != 1 {
			t.Errorf("%d devices; a 503 must not delete the device", n)
		}
	})
}

func TestWorkerFailsRejectedPushAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := newClock()
		rs := residents(t, s.Client, 1)
		addDevice(t, s.Client, rs[0])
		d := only(t, plan(t, s, clk, rs, "t"))
		g := newGateway(t, func(push.Push, int) int { return http.StatusBadRequest })
		runOnce(t, push.NewWorker(s, g.webhook(), clk.Now, nil))
		if d = reload(t, s.Client, d); d.State != pushdelivery.StateFAILED || !strings.Contains(d.LastError, "400") {
			t.Errorf("after a 400: %+v, want FAILED", d)
		}
		if n := s.Client.Device.Query().CountX(sys); n != 1 {
			t.Errorf("%d devices; a 400 must not delete the device", n)
		}
	})
}

func TestWorkerDeletesDeviceWhoseTokenIsGone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := newClock()
		rs := residents(t, s.Client, 1)
		dead := addDevice(t, s.Client, rs[0])
		plan(t, s, clk, rs, "one")
		ds := plan(t, s, clk, rs, "two")
		g := newGateway(t, func(push.Push, int) int { return http.StatusGone })
		w := push.NewWorker(s, g.webhook(), clk.Now, nil)
		w.Batch = 1
		runOnce(t, w)
		if _, err := s.Client.Device.Get(sys, dead); !ent.IsNotFound(err) {
			t.Fatalf("the device whose token is gone is still there (%v)", err)
		}
		runOnce(t, w)
		if g.calls() != 1 {
			t.Errorf("the gateway got %d pushes, want 1: none to a deleted device", g.calls())
		}
		for key, d := range ds {
			if d = reload(t, s.Client, d); d.State != pushdelivery.StateFAILED {
				t.Errorf("delivery %s = %+v, want FAILED", key, d)
			}
		}
	})
}

func TestWorkerDoesNotPushToADeviceThatChangedHands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := newClock()
		rs := residents(t, s.Client, 2)
		dev := addDevice(t, s.Client, rs[0])
		d := only(t, plan(t, s, clk, rs[:1], "for the first owner"))
		// The phone is signed in by someone else before the push goes out.
		s.Client.Device.UpdateOneID(dev).SetResidentID(rs[1]).ExecX(sys)
		g := newGateway(t, nil)
		runOnce(t, push.NewWorker(s, g.webhook(), clk.Now, nil))
		if d = reload(t, s.Client, d); g.calls() != 0 || d.State != pushdelivery.StateFAILED {
			t.Errorf("%d pushes, delivery %+v; want none sent, FAILED", g.calls(), d)
		}
	})
}

// crashAfterSend is a gateway after which the worker "dies" when it
// pushes key: the push reaches the gateway, but its goroutine ends before
// the outcome is recorded, as if the process had been killed.
type crashAfterSend struct {
	push.Gateway
	key string
}

func (c crashAfterSend) Send(ctx context.Context, p push.Push) error {
	err := c.Gateway.Send(ctx, p)
	if p.IdempotencyKey == c.key {
		runtime.Goexit()
	}
	return err
}

// TestRestartNeitherLosesNorResends restarts the worker (a new one on the
// same database) after a round that sent one push, left one to retry and
// died after the gateway had accepted a third.
func TestRestartNeitherLosesNorResends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := newClock()
		rs := residents(t, s.Client, 3)
		for _, r := range rs {
			addDevice(t, s.Client, r)
		}
		msgs := publish(t, s, rs, "t")
		if _, err := push.NewPlanner(s.Client, nil, clk.Now, nil).Plan(context.Background(), msgs); err != nil {
			t.Fatal(err)
		}
		ds := deliveries(t, s.Client)
		var sent, retried, crashed string
		for key, d := range ds {
			switch d.NotificationID {
			case notificationOf(t, msgs, rs[0]):
				sent = key
			case notificationOf(t, msgs, rs[1]):
				retried = key
			default:
				crashed = key
			}
		}
		g := newGateway(t, func(p push.Push, n int) int {
			if p.IdempotencyKey == retried && n == 1 {
				return http.StatusBadGateway
			}
			return http.StatusOK
		})
		first := push.NewWorker(s, crashAfterSend{g.webhook(), crashed}, clk.Now, nil)
		if n := runOnce(t, first); n != 3 {
			t.Fatalf("the first worker claimed %d, want 3", n)
		}
		if g.received(crashed) != 1 {
			t.Fatal("the push that crashed the worker did not reach the gateway")
		}

		// Restart: a new worker on the same database.
		second := push.NewWorker(s, g.webhook(), clk.Now, nil)
		clk.Advance(push.Backoff(1))
		runOnce(t, second)
		if d := deliveries(t, s.Client)[retried]; d.State != pushdelivery.StateSENT {
			t.Errorf("the delivery left to retry is %+v after the restart, want SENT", d)
		}
		if g.received(crashed) != 1 {
			t.Error("the crashed delivery was sent again before its lease ran out")
		}
		clk.Advance(push.DefaultLease)
		runOnce(t, second)
		clk.Advance(time.Hour)
		if n := runOnce(t, second); n != 0 {
			t.Errorf("claimed %d after everything was sent", n)
		}
		for key, want := range map[string]int{sent: 1, retried: 2, crashed: 2} {
			if got := g.received(key); got != want {
				t.Errorf("the gateway got %s %d times, want %d", key, got, want)
			}
		}
		for key, d := range deliveries(t, s.Client) {
			if d.State != pushdelivery.StateSENT {
				t.Errorf("delivery %s is %s, want SENT", key, d.State)
			}
		}
	})
}

// TestWorkersNeverSendTheSameDeliveryAtOnce runs two workers on the same
// database at once: every delivery is sent exactly once.
func TestWorkersNeverSendTheSameDeliveryAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := newClock()
		rs := residents(t, s.Client, 120)
		now := clk.Now()
		var b []*ent.DeviceCreate
		for i, r := range rs {
			b = append(b, s.Client.Device.Create().SetResidentID(r).SetPlatform(device.PlatformWEB).
				SetToken("web-"+strconv.Itoa(i)).
				SetCreatedAt(now).SetRegisteredAt(now))
		}
		s.Client.Device.CreateBulk(b...).ExecX(sys)
		planned := plan(t, s, clk, rs, "t")
		g := newGateway(t, func(push.Push, int) int {
			time.Sleep(time.Millisecond) // let the workers overlap
			return http.StatusOK
		})
		var wg sync.WaitGroup
		for range 2 {
			w := push.NewWorker(s, g.webhook(), clk.Now, nil)
			w.Batch = 7
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n, err := w.RunOnce(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		if g.calls() != len(planned) {
			t.Errorf("the gateway got %d pushes for %d deliveries", g.calls(), len(planned))
		}
		for key := range planned {
			if n := g.received(key); n != 1 {
				t.Errorf("%s was sent %d times", key, n)
			}
		}
		if n := countState(t, s.Client, pushdelivery.StateSENT); n != len(planned) {
			t.Errorf("%d of %d deliveries SENT", n, len(planned))
		}
	})
}

// TestWorkerReleasesPushesInFlightAtShutdown stops a running worker while
// a push is in flight: the delivery is due again at once, the attempt not
// counted.
func TestWorkerReleasesPushesInFlightAtShutdown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := newClock()
		rs := residents(t, s.Client, 1)
		addDevice(t, s.Client, rs[0])
		d := only(t, plan(t, s, clk, rs, "t"))
		inFlight, release := make(chan struct{}), make(chan struct{})
		defer close(release)
		g := newGateway(t, func(push.Push, int) int {
			close(inFlight)
			<-release
			return http.StatusOK
		})
		w := push.NewWorker(s, g.webhook(), clk.Now, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		<-inFlight
		cancel()
		<-done
		if d = reload(t, s.Client, d); d.State != pushdelivery.StatePENDING || d.Attempts != 0 || !d.NextAttemptAt.Equal(clk.Now()) {
			t.Errorf("after shutdown: %+v, want PENDING, due now, no attempt counted", d)
		}
	})
}
