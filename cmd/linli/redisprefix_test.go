package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/metrics"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// TestRedisPrefixSeparatesDeployments runs two deployments on the shared
// Redis (LINLI_TEST_REDIS_URL) with different LINLI_REDIS_PREFIX values:
// deployment A has two instances on one database, B one of its own. An
// event written in A reaches A's other instance through Redis, and never
// B, which hears its own.
func TestRedisPrefixSeparatesDeployments(t *testing.T) {
	rdb := storetest.Redis(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	openStore := func(name string) *store.Store {
		s, err := store.Open(ctx, filepath.Join(t.TempDir(), name+".db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.MigrateSQLite(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	run := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
	prefixA, prefixB := "linli-test-a-"+run+":", "linli-test-b-"+run+":"
	sA, sB := openStore("a"), openStore("b")
	start := func(s *store.Store, prefix string) *realtimeParts {
		rt := startRealtime(ctx, s, rdb, prefix, "", time.Now, metrics.New(nil), nil)
		t.Cleanup(rt.stop)
		return rt
	}
	a1, a2, b := start(sA, prefixA), start(sA, prefixA), start(sB, prefixB)
	topic := realtime.GridTopic(1)
	subA2, subB := a2.hub.Subscribe([]string{topic}, 16), b.hub.Subscribe([]string{topic}, 16)
	defer subA2.Close()
	defer subB.Close()
	time.Sleep(200 * time.Millisecond) // let the three subscribe to Redis
	emit := func(rt *realtimeParts, s *store.Store, kind string) {
		t.Helper()
		if err := store.WithTx(ctx, s.Client, func(tx *ent.Tx) error {
			_, err := rt.outbox.Emit(ctx, tx, realtime.Event{Kind: kind, Topics: []string{topic}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	hear := func(sub *realtime.Subscription, wait time.Duration) *realtime.Message {
		select {
		case m := <-sub.Messages():
			return m
		case <-time.After(wait):
			return nil
		}
	}
	emit(a1, sA, "test.a")
	if m := hear(subA2, 5*time.Second); m == nil || m.Kind != "test.a" {
		t.Fatalf("A's second instance heard %+v; want test.a", m)
	}
	if m := hear(subB, 500*time.Millisecond); m != nil {
		t.Fatalf("deployment B heard A's %q", m.Kind)
	}
	emit(b, sB, "test.b")
	if m := hear(subB, 5*time.Second); m == nil || m.Kind != "test.b" {
		t.Fatalf("B heard %+v; want its test.b", m)
	}
	if m := hear(subA2, 500*time.Millisecond); m != nil {
		t.Fatalf("deployment A heard B's %q", m.Kind)
	}
}
