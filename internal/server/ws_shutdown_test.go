package server

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/coder/websocket"
)

// TestWebsocketClosesWhenTheServerShutsDown: Options.Streams ending (as
// `linli serve` does on SIGTERM) closes open sockets with 1001, so clients
// reconnect to another instance at once.
func TestWebsocketClosesWhenTheServerShutsDown(t *testing.T) {
	schema := newStreamSchema()
	base, shutdown := context.WithCancel(context.Background())
	defer shutdown()
	srv := httptest.NewServer(New(Options{
		Schema:  schema.executable(),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Streams: base,
	}))
	defer srv.Close()
	c := dial(t, srv, subprotocolTransportWS, nil)
	c.init(nil)
	c.subscribe(msgSubscribe, "1", "subscription { name }")
	schema.waitSubscribers(t, 1)
	shutdown()
	if reason := c.expectClose(websocket.StatusGoingAway); reason != reasonShuttingDown {
		t.Errorf("closed with reason %q", reason)
	}
	schema.waitSubscribers(t, 0)
}
