package apitest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// WS is a graphql-transport-ws client connection, for subscription tests.
type WS struct {
	t    testing.TB
	Conn *websocket.Conn
	ctx  context.Context
}

// WSMessage is one graphql-transport-ws message.
type WSMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// DialWS opens a graphql-transport-ws connection to base's /graphql with
// token in connection_init (none when empty) and waits for the ack. It is
// closed when the test ends.
func DialWS(t testing.TB, base, token string) *WS {
	t.Helper()
	ctx := context.Background()
	u := "ws" + strings.TrimPrefix(base, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
		HTTPHeader:   http.Header{"Origin": {base}},
	})
	if err != nil {
		t.Fatalf("apitest: dial %s: %v", u, err)
	}
	conn.SetReadLimit(1 << 20)
	w := &WS{t: t, Conn: conn, ctx: ctx}
	t.Cleanup(func() { conn.CloseNow() })
	payload := map[string]any{}
	if token != "" {
		payload["authorization"] = "Bearer " + token
	}
	w.Send(WSMessage{Type: "connection_init", Payload: mustJSON(payload)})
	if m := w.Read(10 * time.Second); m.Type != "connection_ack" {
		t.Fatalf("apitest: want connection_ack, got %+v", m)
	}
	return w
}

// DialWS is DialWS on e's server.
func (e *Env) DialWS(t testing.TB, token string) *WS { return DialWS(t, e.URL, token) }

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Send writes one message.
func (w *WS) Send(m WSMessage) {
	w.t.Helper()
	if err := wsjson.Write(w.ctx, w.Conn, m); err != nil {
		w.t.Fatalf("apitest: ws send: %v", err)
	}
}

// Subscribe starts operation query with vars under id.
func (w *WS) Subscribe(id, query string, vars map[string]any) {
	w.Send(WSMessage{ID: id, Type: "subscribe", Payload: mustJSON(map[string]any{"query": query, "variables": vars})})
}

// Read returns the next message other than ping and pong (answering pings),
// failing the test after timeout. The timeout counts from the call, not
// from the last ping: the server pings more often than tests wait, and a
// message that never came then kept a test waiting until the socket's
// token expired (15 minutes).
func (w *WS) Read(timeout time.Duration) WSMessage {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.ctx, timeout)
	defer cancel()
	for {
		var m WSMessage
		err := wsjson.Read(ctx, w.Conn, &m)
		if err != nil {
			w.t.Fatalf("apitest: ws read: %v", err)
		}
		switch m.Type {
		case "ping":
			w.Send(WSMessage{Type: "pong"})
		case "pong":
		default:
			return m
		}
	}
}

// Quiet fails the test if a message other than ping/pong arrives within d.
func (w *WS) Quiet(d time.Duration) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.ctx, d)
	defer cancel()
	for {
		var m WSMessage
		if err := wsjson.Read(ctx, w.Conn, &m); err != nil {
			return // the deadline passed (or the socket closed) with nothing said
		}
		if m.Type != "ping" && m.Type != "pong" {
			w.t.Fatalf("apitest: expected silence, got %s %s", m.Type, m.Payload)
		}
	}
}

// Next reads the next "next" message of subscription id and decodes its
// data into v; an error payload fails the test.
func (w *WS) Next(id string, timeout time.Duration, v any) {
	w.t.Helper()
	m := w.Read(timeout)
	if m.Type != "next" || m.ID != id {
		w.t.Fatalf("apitest: want next for %s, got %s %s %s", id, m.Type, m.ID, m.Payload)
	}
	var p struct {
		Data   json.RawMessage `json:"data"`
		Errors []Error         `json:"errors"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		w.t.Fatalf("apitest: next payload %s: %v", m.Payload, err)
	}
	if v != nil {
		if err := json.Unmarshal(p.Data, v); err != nil {
			w.t.Fatalf("apitest: decode %s: %v", p.Data, err)
		}
	}
}

// ExpectClose reads until the server closes the socket, within timeout, and
// returns the close code and reason (failing the test if it does not close).
func (w *WS) ExpectClose(timeout time.Duration) (websocket.StatusCode, string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.ctx, timeout)
	defer cancel()
	for {
		var m WSMessage
		err := wsjson.Read(ctx, w.Conn, &m)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			w.t.Fatalf("apitest: the socket did not close: %v", err)
		}
		return ce.Code, ce.Reason
	}
}

// WaitSubscribed waits (at most 10 s) until a subscription of this Env's hub
// listens on topic: a subscription sent over a websocket is registered a
// moment after the message is written. From then on the stream hears every
// change the hub delivers.
func (e *Env) WaitSubscribed(t testing.TB, topic string) { e.WaitSubscribers(t, topic, 1) }

// WaitSubscribers waits (at most 10 s) until n subscriptions of this Env's
// hub listen on topic: one for each socket that subscribed to it.
func (e *Env) WaitSubscribers(t testing.TB, topic string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.Hub.Subscribers(topic) < n {
		if time.Now().After(deadline) {
			t.Fatalf("apitest: %d of %d subscriptions to %s", e.Hub.Subscribers(topic), n, topic)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
