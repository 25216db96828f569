package server

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"
)

// TestWebsocketOutlivesTheReadTimeout: `linli serve` sets a ReadTimeout;
// it must not cut idle websockets (net/http clears deadlines when a
// connection is hijacked; this guards that).
func TestWebsocketOutlivesTheReadTimeout(t *testing.T) {
	schema := newStreamSchema()
	srv := httptest.NewUnstartedServer(New(Options{
		Schema:    schema.executable(),
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		KeepAlive: -1,
	}))
	srv.Config.ReadTimeout = 200 * time.Millisecond
	srv.Start()
	defer srv.Close()
	c := dial(t, srv, subprotocolTransportWS, nil)
	c.init(nil)
	c.subscribe(msgSubscribe, "1", "subscription { name }")
	schema.waitSubscribers(t, 1)
	time.Sleep(500 * time.Millisecond) // past the read timeout, idle
	schema.publish("still here")
	c.expect(msgNext, "1", `{"data":{"name":"still here"}}`)
	c.send(msgPing, "", nil)
	c.expect(msgPong, "", "")
}
