package push_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/device"
	"github.com/jimei-linli/linli/ent/pushdelivery"
	"github.com/jimei-linli/linli/internal/push"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// notificationOf returns the ID of resident's notification in msgs.
func notificationOf(t *testing.T, msgs []*realtime.Message, resident int) int {
	t.Helper()
	for _, m := range msgs {
		for _, n := range m.Notifications {
			if n.ResidentID == resident {
				return n.ID
			}
		}
	}
	t.Fatalf("no notification for resident %d", resident)
	return 0
}

func TestPlanPushesOnlyToOfflineResidentsWithDevices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rs := residents(t, s.Client, 4)
		online, offline, deviceless, twoPhones := rs[0], rs[1], rs[2], rs[3]
		addDevice(t, s.Client, online)
		d1 := addDevice(t, s.Client, offline)
		d3a, d3b := addDevice(t, s.Client, twoPhones), addDevice(t, s.Client, twoPhones)

		hub := realtime.NewHub(nil)
		sub := hub.Subscribe([]string{realtime.ResidentTopic(online)}, 0)
		defer sub.Close()
		clk := newClock()
		planner := push.NewPlanner(s.Client, push.NewPresence(hub, nil, nil), clk.Now, nil)
		kicks := 0
		planner.Planned = func() { kicks++ }

		msgs := publish(t, s, rs, "明天停水")
		planner.Published(ctx, msgs)
		if kicks != 1 {
			t.Errorf("the worker was kicked %d times, want 1", kicks)
		}
		want := map[string]bool{
			push.IdempotencyKey(notificationOf(t, msgs, offline), d1):    true,
			push.IdempotencyKey(notificationOf(t, msgs, twoPhones), d3a): true,
			push.IdempotencyKey(notificationOf(t, msgs, twoPhones), d3b): true,
		}
		got := deliveries(t, s.Client)
		if len(got) != len(want) {
			t.Errorf("planned %d deliveries, want %d (none for the online resident %d or the deviceless %d)", len(got), len(want), online, deviceless)
		}
		for key := range want {
			d := got[key]
			if d == nil {
				t.Errorf("no delivery %s", key)
				continue
			}
			if d.State != pushdelivery.StatePENDING || d.Attempts != 0 || !d.NextAttemptAt.Equal(clk.Now()) || d.SentAt != nil {
				t.Errorf("delivery %s = %+v, want PENDING, due now, no attempt", key, d)
			}
		}

		// The relay may publish the same batch again after a crash.
		clk.Advance(time.Minute)
		if _, err := planner.Plan(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		again := deliveries(t, s.Client)
		if len(again) != len(want) {
			t.Errorf("re-planning made %d deliveries, want %d", len(again), len(want))
		}
		for key, d := range again {
			if !d.CreatedAt.Equal(got[key].CreatedAt) {
				t.Errorf("re-planning rewrote %s", key)
			}
		}
	})
}

// TestPlanStreetBroadcast plans a broadcast to more recipients than one
// query or INSERT handles, most of them without a device.
func TestPlanStreetBroadcast(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rs := residents(t, s.Client, 1500)
		now := newClock().Now()
		var b []*ent.DeviceCreate
		for i, r := range rs {
			if i%2 == 0 {
				continue
			}
			b = append(b, s.Client.Device.Create().SetResidentID(r).SetPlatform(device.PlatformIOS).
				SetToken("street-"+strconv.Itoa(i)).SetCreatedAt(now).SetRegisteredAt(now))
		}
		s.Client.Device.CreateBulk(b...).ExecX(sys)

		msgs := publish(t, s, rs, "街道通知")
		planner := push.NewPlanner(s.Client, nil, newClock().Now, nil)
		for range 2 {
			n, err := planner.Plan(ctx, msgs)
			if err != nil {
				t.Fatal(err)
			}
			if n != 750 {
				t.Errorf("planned %d, want 750", n)
			}
			if c := countState(t, s.Client, pushdelivery.StatePENDING); c != 750 {
				t.Errorf("%d deliveries, want 750", c)
			}
		}
	})
}

func TestLocalPresence(t *testing.T) {
	hub := realtime.NewHub(nil)
	sub := hub.Subscribe([]string{realtime.ResidentTopic(7), realtime.GridTopic(8)}, 0)
	p := push.NewPresence(hub, nil, nil)
	online, err := p.Online(context.Background(), []int{7, 8})
	if err != nil || !online[7] || online[8] {
		t.Errorf("Online = %v, %v; want 7 only", online, err)
	}
	sub.Close()
	if online, _ := p.Online(context.Background(), []int{7}); online[7] {
		t.Error("7 is still online after closing the subscription")
	}
	if err := p.Publish(context.Background()); err == nil {
		t.Error("Publish without Redis did not fail")
	}
}
