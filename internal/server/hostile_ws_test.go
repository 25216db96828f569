package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/jimei-linli/linli/internal/viewer"
)

// unboundedWebsockets are limits that tests opening many subscriptions
// fast (to measure something else) do not reach.
var unboundedWebsockets = Limits{SubscriptionsPerSocket: 1 << 20, SubscriptionsPerViewer: 1 << 20, SubscribesPerSecond: 1 << 20}

// flood sends n subscribe (or start) messages of query on c, with ids 1..n,
// and returns the messages the server answered with, read until want have
// arrived (or a minute passed).
func flood(t *testing.T, c wsClient, typ, query string, n, want int) []wsMessage {
	t.Helper()
	got := make(chan []wsMessage, 1)
	go func() {
		var msgs []wsMessage
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for len(msgs) < want {
			_, data, err := c.c.Read(ctx)
			if err != nil {
				break
			}
			var m wsMessage
			if json.Unmarshal(data, &m) == nil && m.Type != "ka" && m.Type != msgPing {
				msgs = append(msgs, m)
			}
		}
		got <- msgs
	}()
	for i := 1; i <= n; i++ {
		b, _ := json.Marshal(map[string]any{"type": typ, "id": fmt.Sprint(i), "payload": map[string]any{"query": query}})
		c.sendRaw(string(b))
	}
	return <-got
}

// limitsOf counts msgs by type and the extensions.limit of their first
// error: an error message's payload, or a graphql-ws data message's errors.
func limitsOf(msgs []wsMessage) map[string]int {
	type gqlError struct {
		Extensions map[string]any `json:"extensions"`
	}
	counts := map[string]int{}
	for _, m := range msgs {
		var errs []gqlError
		if json.Unmarshal(m.Payload, &errs) != nil {
			var resp struct {
				Errors []gqlError `json:"errors"`
			}
			_ = json.Unmarshal(m.Payload, &resp)
			errs = resp.Errors
		}
		limit := ""
		if len(errs) > 0 {
			limit, _ = errs[0].Extensions["limit"].(string)
		}
		counts[m.Type+" "+limit]++
	}
	return counts
}

func TestHostileSubscribeFloodOverTransportWS(t *testing.T) {
	srv, schema := streamServer(t, Options{Limits: Limits{SubscribesPerSecond: 5, SubscriptionsPerSocket: 3}})
	c := dial(t, srv, subprotocolTransportWS, nil)
	c.init(nil)

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := processCPU()
	const n = 10000
	msgs := flood(t, c, msgSubscribe, "subscription { name }", n, n-3)
	cpu := processCPU() - cpu0
	runtime.ReadMemStats(&after)
	schema.waitSubscribers(t, 3)

	counts := limitsOf(msgs)
	if len(msgs) != n-3 || counts["error subscribesPerSecond"] < n-100 ||
		counts["error subscribesPerSecond"]+counts["error subscriptionsPerSocket"] != n-3 {
		t.Fatalf("answers to %d subscribe messages: %v, want %d errors naming subscribesPerSecond or subscriptionsPerSocket", n, counts, n-3)
	}
	t.Logf("%d subscribe messages: %v CPU, %.1f MB (server and client)", n, cpu, float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))

	// The socket and the server go on serving.
	schema.publish("a")
	for range 3 {
		if m := c.read(); m.Type != msgNext || string(m.Payload) != `{"data":{"name":"a"}}` {
			t.Fatalf("after the flood: %s %s", m.Type, m.Payload)
		}
	}
	other := dial(t, srv, subprotocolTransportWS, nil)
	other.init(nil)
	other.subscribe(msgSubscribe, "1", "{ name }")
	other.expect(msgNext, "1", `{"data":{"name":"test"}}`)
}

func TestHostileStartFloodOverGraphQLWS(t *testing.T) {
	srv, _ := streamServer(t, Options{Limits: Limits{SubscribesPerSecond: 5}})
	c := dial(t, srv, subprotocolGraphQLWS, nil)
	c.init(nil)
	const n = 200
	// Each accepted query answers data and complete, each refused one data
	// with the error (and complete).
	msgs := flood(t, c, "start", "{ name }", n, 2*n)
	counts := limitsOf(msgs)
	if counts["data subscribesPerSecond"] < n-20 || counts["data "] < 5 {
		t.Fatalf("answers to %d start messages: %v, want data for about 5 and errors naming subscribesPerSecond", n, counts)
	}
}

func TestSubscriptionsPerViewerOverAllSockets(t *testing.T) {
	srv, schema := streamServer(t, Options{
		Limits: Limits{SubscriptionsPerViewer: 2},
		AuthenticateInit: AuthenticateInitToken(func(ctx context.Context, token string) (context.Context, time.Time, error) {
			return viewer.NewContext(ctx, &viewer.Viewer{ResidentID: 7}), time.Time{}, nil
		}),
	})
	a := dial(t, srv, subprotocolTransportWS, nil)
	a.init(map[string]any{"token": "seven"})
	b := dial(t, srv, subprotocolTransportWS, nil)
	b.init(map[string]any{"token": "seven"})
	a.subscribe(msgSubscribe, "1", "subscription { name }")
	a.subscribe(msgSubscribe, "2", "subscription { name }")
	schema.waitSubscribers(t, 2)
	b.subscribe(msgSubscribe, "1", "subscription { name }")
	if m := b.read(); m.Type != msgError || !strings.Contains(string(m.Payload), `"limit":"subscriptionsPerViewer"`) {
		t.Fatalf("third subscription of one resident: %s %s", m.Type, m.Payload)
	}
	a.send(msgComplete, "2", nil)
	schema.waitSubscribers(t, 1)
	b.subscribe(msgSubscribe, "1", "subscription { name }")
	schema.waitSubscribers(t, 2)
	// A closed socket gives its places back (soon after its subscriptions
	// end).
	_ = a.c.Close(websocket.StatusNormalClosure, "")
	schema.waitSubscribers(t, 1)
	for i := 2; ; i++ {
		if i > 20 {
			t.Fatal("the closed socket's place is not given back")
		}
		b.subscribe(msgSubscribe, fmt.Sprint(i), "subscription { name }")
		time.Sleep(100 * time.Millisecond)
		if active, _ := schema.count(); active == 2 {
			break
		}
	}
	if r := serve(t, New(Options{Schema: schema.executable()}), postQuery("{ name }", nil)); r.status != http.StatusOK {
		t.Fatalf("HTTP after: %d %s", r.status, r.raw)
	}
}
