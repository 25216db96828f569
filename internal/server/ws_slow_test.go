package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestSlowConsumerIsToldWhy: a client that stops reading while its
// subscription streams fills the socket's buffers until a write waits
// WriteTimeout; the server then closes the socket with 4499 "too slow:
// resume with your cursor" instead of dropping it (1006). A client that
// reads again reads what was sent before, then that close frame. On both
// protocols.
func TestSlowConsumerIsToldWhy(t *testing.T) {
	for _, tc := range []struct{ proto, subscribe, data string }{
		{subprotocolTransportWS, msgSubscribe, msgNext},
		{subprotocolGraphQLWS, "start", "data"},
	} {
		t.Run(tc.proto, func(t *testing.T) {
			var logs syncBuffer
			srv, schema := streamServer(t, Options{
				WriteTimeout: 200 * time.Millisecond,
				KeepAlive:    -1, // a client that does not read answers no pings: not what this tests
				Logger:       slog.New(slog.NewTextHandler(&logs, nil)),
			})
			c := dial(t, srv, tc.proto, nil)
			c.c.SetReadLimit(1 << 20)
			c.init(nil)
			c.subscribe(tc.subscribe, "1", "subscription { name }")
			schema.waitSubscribers(t, 1)

			// The client stops reading; the server streams 16 KiB values
			// until a write has waited WriteTimeout and the socket closes.
			// (The test schema sends a value on in the publishing
			// goroutine, which a write to a client that does not read
			// blocks: publish from a goroutine of its own.)
			big := strings.Repeat("x", 16<<10)
			closing := func() bool { return strings.Contains(logs.String(), "client stopped reading") }
			var published atomic.Int64
			go func() {
				for !closing() {
					schema.publish(big)
					published.Add(1)
					time.Sleep(time.Millisecond)
				}
			}()
			for deadline := time.Now().Add(30 * time.Second); !closing(); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("no close after %d values of 16 KiB the client did not read", published.Load())
				}
			}

			// It reads again: first the values sent before the close, then
			// the close frame with the code and the reason.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			values := 0
			for {
				_, data, err := c.c.Read(ctx)
				if err == nil {
					if bytes.Contains(data, []byte(`"type":"`+tc.data+`"`)) {
						values++
					}
					continue
				}
				var ce websocket.CloseError
				if !errors.As(err, &ce) {
					t.Fatalf("after %d values the socket ended with %v, want close %d", values, err, closeTooSlow)
				}
				if ce.Code != closeTooSlow || ce.Reason != reasonTooSlow {
					t.Fatalf("close %d %q, want %d %q", ce.Code, ce.Reason, closeTooSlow, reasonTooSlow)
				}
				break
			}
			if values == 0 {
				t.Fatal("no value arrived before the close")
			}
			t.Logf("%d of %d values published reached the client before the 4499 close", values, published.Load())
			schema.waitSubscribers(t, 0)
		})
	}
}
