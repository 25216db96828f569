package server

import (
	"context"
	"encoding/json"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// socket is an accepted websocket shared by the protocol that serves it
// and the timers that may close it. The first close wins; its handshake
// runs in the background, so that no caller waits for a slow client.
type socket struct {
	ws      *websocket.Conn
	once    sync.Once
	closing chan struct{} // closed when the first close begins
	done    chan struct{} // closed when the close handshake is over

	mu     sync.Mutex
	expiry *time.Timer
}

// newSocket wraps an accepted websocket.
func newSocket(ws *websocket.Conn) *socket {
	return &socket{ws: ws, closing: make(chan struct{}), done: make(chan struct{})}
}

// close closes the socket with code and reason, unless it is closing
// already. It returns at once; s.done is closed when the handshake is over
// (at most about 5 s for a client that does not answer).
func (s *socket) close(code websocket.StatusCode, reason string) {
	s.once.Do(func() {
		close(s.closing)
		s.stopExpiry()
		go func() {
			defer close(s.done)
			_ = s.ws.Close(code, closeReason(reason))
		}()
	})
}

// closeReason shortens reason to the 123 bytes a close frame can carry.
func closeReason(reason string) string {
	const max = 123
	if len(reason) <= max {
		return reason
	}
	reason = reason[:max]
	for !utf8.ValidString(reason) {
		reason = reason[:len(reason)-1]
	}
	return reason
}

// write sends v as a JSON text message, unless the socket is closing. A
// write that takes longer than wsWriteTimeout drops the connection.
func (s *socket) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	select {
	case <-s.closing:
		return errSocketClosing
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), wsWriteTimeout)
	defer cancel()
	return s.ws.Write(ctx, websocket.MessageText, b)
}

// expireAt closes the socket with 4403 "token expired" at t (the zero
// time: never). A later call replaces the earlier one; on a closing socket
// it does nothing.
func (s *socket) expireAt(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expiry != nil {
		s.expiry.Stop()
		s.expiry = nil
	}
	select {
	case <-s.closing:
		return // close stops the timer only once, before this one
	default:
	}
	if t.IsZero() {
		return
	}
	s.expiry = time.AfterFunc(time.Until(t), func() { s.close(closeForbidden, reasonTokenExpired) })
}

// stopExpiry cancels the close at the token's expiry.
func (s *socket) stopExpiry() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expiry != nil {
		s.expiry.Stop()
		s.expiry = nil
	}
}

// keepAlive pings the client every interval until ctx ends or the socket
// closes. Each round sends a websocket ping, which clients answer by
// themselves, and calls ping (if not nil) to send a protocol-level one;
// ping returns false when the client has not answered the previous one.
// A client that does not answer is dropped (1001 "keepalive timeout").
func (s *socket) keepAlive(ctx context.Context, interval time.Duration, ping func() bool) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			return
		case <-ticker.C:
		}
		if ping != nil && !ping() {
			s.close(closeKeepAliveTimedOut, reasonKeepAliveTimedOut)
			return
		}
		// Not ctx: coder/websocket drops the connection when the context of
		// a write in progress ends, and ctx ends as the socket closes.
		pctx, cancel := context.WithTimeout(context.Background(), interval)
		err := s.ws.Ping(pctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				s.close(closeKeepAliveTimedOut, reasonKeepAliveTimedOut)
			}
			return
		}
	}
}
