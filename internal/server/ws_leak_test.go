package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestWebsocketNoGoroutineLeak runs 1,000 subscribe/complete cycles over
// four graphql-transport-ws connections and 200 start/stop cycles over a
// graphql-ws one, then opens and drops connections with subscriptions
// running: the number of goroutines must come back to where it was. It
// counts the goroutines of the whole process, so it does not run in
// parallel with other tests.
func TestWebsocketNoGoroutineLeak(t *testing.T) {
	const (
		tolerance   = 5
		connections = 4
		cycles      = 1000
		legacy      = 200
	)
	srv, schema := streamServer(t, Options{Limits: unboundedWebsockets})
	base := settledGoroutines()

	clients := make([]wsClient, connections)
	for i := range clients {
		clients[i] = dial(t, srv, subprotocolTransportWS, nil)
		clients[i].init(nil)
	}
	old := dial(t, srv, subprotocolGraphQLWS, nil)
	old.init(nil)
	open := settledGoroutines()

	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			// The same id every time: it is free again as soon as the
			// client has completed it.
			for range cycles / connections {
				if err := cycle(c.c, `{"type":"subscribe","id":"s","payload":{"query":"subscription { ticks }"}}`,
					"next", `{"type":"complete","id":"s"}`); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range legacy {
			id := fmt.Sprint(i)
			if err := cycle(old.c, `{"type":"start","id":"`+id+`","payload":{"query":"subscription { ticks }"}}`,
				"data", `{"type":"stop","id":"`+id+`"}`); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
	if t.Failed() {
		return
	}
	schema.waitSubscribers(t, 0)
	if _, started := schema.count(); started != cycles+legacy {
		t.Fatalf("%d subscriptions started, want %d", started, cycles+legacy)
	}
	waitGoroutines(t, "after the cycles, with the connections open", open+tolerance)

	for _, c := range clients {
		_ = c.c.Close(websocket.StatusNormalClosure, "")
	}
	_ = old.c.Close(websocket.StatusNormalClosure, "")
	waitGoroutines(t, "after closing the connections", base+tolerance)

	// Clients that vanish with subscriptions running.
	for range 50 {
		c := dial(t, srv, subprotocolTransportWS, nil)
		c.init(nil)
		c.subscribe(msgSubscribe, "1", "subscription { name }")
		schema.waitSubscribers(t, 1)
		_ = c.c.CloseNow()
		schema.waitSubscribers(t, 0)
	}
	waitGoroutines(t, "after dropped connections", base+tolerance)
}

// cycle sends start, waits for the first message of type want (skipping
// keepalives), then sends stop; the server answers stop with nothing
// (graphql-transport-ws) or complete (graphql-ws), which is read first
// next time round.
func cycle(c *websocket.Conn, start, want, stop string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(start)); err != nil {
		return err
	}
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return err
		}
		var m wsMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return err
		}
		if m.Type == want {
			break
		}
		if m.Type != "ka" && m.Type != msgComplete {
			return fmt.Errorf("unexpected message %s", data)
		}
	}
	return c.Write(ctx, websocket.MessageText, []byte(stop))
}

// settledGoroutines returns the number of goroutines once it has stopped
// changing for a moment.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for range 50 {
		time.Sleep(10 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			return n
		}
		n = m
	}
	return n
}

// waitGoroutines waits until there are at most max goroutines.
func waitGoroutines(t *testing.T, when string, max int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > max {
		if time.Now().After(deadline) {
			var buf bytes.Buffer
			_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
			t.Fatalf("%s: %d goroutines, want at most %d\n%s", when, runtime.NumGoroutine(), max, buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIdleSubscriptionsHoldNoGoroutine: subscriptions whose streams signal
// readiness (as Linli's do) cost the graphql-transport-ws transport no
// goroutine while idle, only while they have something to send; each
// still gets every event, in order.
func TestIdleSubscriptionsHoldNoGoroutine(t *testing.T) {
	const subscriptions, events = 100, 3
	srv, schema := streamServer(t, Options{Limits: unboundedWebsockets})
	c := dial(t, srv, subprotocolTransportWS, nil)
	c.init(nil)
	connected := settledGoroutines()
	for i := range subscriptions {
		c.subscribe(msgSubscribe, fmt.Sprint(i), "subscription { name }")
	}
	schema.waitSubscribers(t, subscriptions)
	if n := settledGoroutines(); n > connected+5 {
		t.Fatalf("%d idle subscriptions hold %d goroutines", subscriptions, n-connected)
	}
	for e := range events {
		schema.publish(fmt.Sprint("event-", e))
	}
	next := map[string]int{}
	for range subscriptions * events {
		m := c.read()
		if m.Type != msgNext {
			t.Fatalf("got %s %s, want next", m.Type, m.Payload)
		}
		want := fmt.Sprintf(`{"data":{"name":"event-%d"}}`, next[m.ID])
		if string(m.Payload) != want {
			t.Fatalf("subscription %s got %s, want %s", m.ID, m.Payload, want)
		}
		next[m.ID]++
	}
	if n := settledGoroutines(); n > connected+5 {
		t.Fatalf("after the events, %d subscriptions hold %d goroutines", subscriptions, n-connected)
	}
	schema.end()
	for range subscriptions {
		if m := c.read(); m.Type != msgComplete {
			t.Fatalf("got %s %s, want complete", m.Type, m.Payload)
		}
	}
}
