package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestWebsocketEarlyBytesSurviveSmallBuffers sends the handshake and the
// first websocket frame (connection_init) in one write, so that the frame
// is already in net/http's buffer when the connection is hijacked: it must
// reach the transport, which answers connection_ack. A second message
// longer than the socket buffer must arrive whole too.
func TestWebsocketEarlyBytesSurviveSmallBuffers(t *testing.T) {
	srv, _ := streamServer(t, Options{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	handshake := "GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
	if _, err := conn.Write(append([]byte(handshake), clientFrame(`{"type":"connection_init"}`)...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := readServerFrame(t, br); got != `{"type":"connection_ack"}` {
		t.Fatalf("first message %q, want connection_ack", got)
	}
	long := `{"type":"ping","payload":{"pad":"` + strings.Repeat("x", 3*socketBuffer) + `"}}`
	if _, err := conn.Write(clientFrame(long)); err != nil {
		t.Fatal(err)
	}
	if got := readServerFrame(t, br); !strings.HasPrefix(got, `{"type":"pong"`) || !strings.Contains(got, strings.Repeat("x", 3*socketBuffer)) {
		t.Fatalf("answer to a long ping: %.80q…", got)
	}
}

// clientFrame returns text as one masked websocket text frame.
func clientFrame(text string) []byte {
	key := [4]byte{1, 2, 3, 4}
	f := []byte{0x81}
	switch n := len(text); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	default:
		f = append(f, 0x80|126, byte(n>>8), byte(n))
	}
	f = append(f, key[:]...)
	for i := range len(text) {
		f = append(f, text[i]^key[i%4])
	}
	return f
}

// readServerFrame reads one unmasked text frame of at most 64 KiB.
func readServerFrame(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	head := make([]byte, 2)
	if _, err := io.ReadFull(br, head); err != nil {
		t.Fatal(err)
	}
	n := int(head[1] & 0x7f)
	if n == 126 {
		ext := make([]byte, 2)
		if _, err := io.ReadFull(br, ext); err != nil {
			t.Fatal(err)
		}
		n = int(ext[0])<<8 | int(ext[1])
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(br, body); err != nil {
		t.Fatal(err)
	}
	return string(body)
}
