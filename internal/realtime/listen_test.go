package realtime_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/realtime"
)

// TestListenHandlesEverythingInOrderWithoutIdleGoroutines publishes bursts
// to many listeners and expects each to handle every message once, in
// order, and to hold no goroutine once it has caught up; ending the context
// calls End once and closes the subscription.
func TestListenHandlesEverythingInOrderWithoutIdleGoroutines(t *testing.T) {
	hub, broker := startHub(t)
	const listeners, bursts, perBurst = 200, 10, realtime.DefaultBuffer / 2 // no burst overflows a buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		mu    sync.Mutex
		seqs  []int64
		ended atomic.Int32
	}
	results := make([]*result, listeners)
	for i := range listeners {
		r := &result{}
		results[i] = r
		started := false
		hub.Listen(ctx, []string{realtime.GridTopic(1)}, realtime.Handlers{
			Start: func() bool { started = true; return true },
			Message: func(m *realtime.Message) bool {
				r.mu.Lock()
				defer r.mu.Unlock()
				r.seqs = append(r.seqs, m.Seq)
				return started
			},
			End: func() { r.ended.Add(1) },
		}).Start()
	}
	seq := int64(0)
	for range bursts {
		for range perBurst {
			seq++
			broker.Publish(ctx, payload(t, realtime.Message{Seq: seq, Kind: "k", Topics: []string{realtime.GridTopic(1)}}))
		}
		waitFor(t, func() bool { // every listener handled the burst
			for _, r := range results {
				r.mu.Lock()
				n := len(r.seqs)
				r.mu.Unlock()
				if int64(n) != seq {
					return false
				}
			}
			return true
		})
	}
	// Idle again: no listener holds a goroutine.
	waitFor(t, func() bool { return onDemandGoroutines() == 0 })
	for i, r := range results {
		r.mu.Lock()
		for j, s := range r.seqs {
			if s != int64(j+1) {
				t.Fatalf("listener %d: message %d has seq %d", i, j, s)
			}
		}
		r.mu.Unlock()
	}
	cancel()
	waitFor(t, func() bool {
		for _, r := range results {
			if r.ended.Load() != 1 {
				return false
			}
		}
		return !hub.Subscribed(realtime.GridTopic(1))
	})
	time.Sleep(10 * time.Millisecond)
	for i, r := range results {
		if n := r.ended.Load(); n != 1 {
			t.Fatalf("listener %d ended %d times", i, n)
		}
	}
}

// TestListenHoldsMessagesUntilStart: what arrives between Listen and Start
// is handled after Start, and a dropped listener unsubscribes.
func TestListenHoldsMessagesUntilStart(t *testing.T) {
	hub, broker := startHub(t)
	ctx := context.Background()
	got := make(chan int64, 10)
	l := hub.Listen(ctx, []string{realtime.GridTopic(2)}, realtime.Handlers{
		Message: func(m *realtime.Message) bool { got <- m.Seq; return true },
	})
	broker.Publish(ctx, payload(t, realtime.Message{Seq: 1, Kind: "k", Topics: []string{realtime.GridTopic(2)}}))
	select {
	case s := <-got:
		t.Fatalf("message %d handled before Start", s)
	case <-time.After(50 * time.Millisecond):
	}
	l.Start()
	select {
	case s := <-got:
		if s != 1 {
			t.Fatalf("got seq %d", s)
		}
	case <-time.After(time.Second):
		t.Fatal("the held message was not handled after Start")
	}
	dropped := hub.Listen(ctx, []string{realtime.GridTopic(3)}, realtime.Handlers{})
	dropped.Drop()
	if hub.Subscribed(realtime.GridTopic(3)) {
		t.Error("a dropped listener is still subscribed")
	}
}

// onDemandGoroutines counts the goroutines running an OnDemand (those of
// listeners): other tests' goroutines come and go meanwhile.
func onDemandGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "realtime.(*OnDemand).run(")
		}
		buf = make([]byte, 2*len(buf))
	}
}
