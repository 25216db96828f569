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

	// onClose, if not nil, is called once the first close has begun
	// (set before the socket is shared).
	onClose func()
	// writeTimeout is how long a write may wait for the client to read
	// before the socket closes with 4499; slow, if not nil, hears of
	// that close (set before the socket is shared).
	writeTimeout time.Duration
	slow         func()

	mu     sync.Mutex
	expiry *time.Timer
}

// newSocket wraps an accepted websocket whose writes may wait writeTimeout.
func newSocket(ws *websocket.Conn, writeTimeout time.Duration) *socket {
	return &socket{ws: ws, writeTimeout: writeTimeout, closing: make(chan struct{}), done: make(chan struct{})}
}

// close closes the socket with code and reason, unless it is closing
// already. It returns at once; s.done is closed when the handshake is over
// (at most about 5 s for a client that does not answer).
func (s *socket) close(code websocket.StatusCode, reason string) {
	first := false
	s.once.Do(func() {
		first = true
		close(s.closing)
		s.stopExpiry()
		go func() {
			defer close(s.done)
			_ = s.ws.Close(code, closeReason(reason))
		}()
	})
	if first && s.onClose != nil {
		s.onClose()
	}
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
// write still waiting after writeTimeout (the client stopped reading)
// closes the socket with 4499 "too slow: resume with your cursor".
//
// The write itself is not cancelled: coder/websocket drops the connection
// when a write's context ends, mid-frame, and no close frame could follow.
// It goes on, and the close frame waits behind it (coder/websocket gives
// it 5 s), so a client that reads again reads what was sent, then why the
// socket closed; the close ends the write if the client never does.
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
	slow := time.AfterFunc(s.writeTimeout, s.tooSlow)
	defer slow.Stop()
	return s.ws.Write(context.Background(), websocket.MessageText, b)
}

// tooSlow closes the socket of a client that stopped reading.
func (s *socket) tooSlow() {
	select {
	case <-s.closing:
		return
	default:
	}
	if s.slow != nil {
		s.slow()
	}
	s.close(closeTooSlow, reasonTooSlow)
}

// expireAfter closes the socket with 4403 "token expired" after d, the
// time its credentials have left (0: they never expire). A later call
// replaces the earlier one; on a closing socket it does nothing. The timer
// runs on the wall clock: it counts down the time left, which the caller
// reads on the clock that issued the credentials.
func (s *socket) expireAfter(d time.Duration) {
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
	if d <= 0 {
		return
	}
	s.expiry = time.AfterFunc(d, func() { s.close(closeForbidden, reasonTokenExpired) })
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
//
// The rounds run on a timer, not in a goroutine of their own, so that an
// idle connection holds no goroutine stack for them. stop ends the pings
// and waits for a round in progress.
func (s *socket) keepAlive(ctx context.Context, interval time.Duration, ping func() bool) (stop func()) {
	k := &keepAlive{s: s, ctx: ctx, interval: interval, ping: ping}
	k.mu.Lock()
	k.timer = time.AfterFunc(interval, k.round)
	k.mu.Unlock()
	return k.stop
}

// keepAlive is the state of socket.keepAlive.
type keepAlive struct {
	s        *socket
	ctx      context.Context
	interval time.Duration
	ping     func() bool

	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
	running sync.WaitGroup // a round in progress
}

// round pings once and, unless the pings are over, schedules the next
// round an interval after this one began.
func (k *keepAlive) round() {
	start := time.Now()
	k.mu.Lock()
	if k.stopped {
		k.mu.Unlock()
		return
	}
	k.running.Add(1)
	k.mu.Unlock()
	defer k.running.Done()
	if !k.pingOnce() {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.stopped {
		k.timer.Reset(time.Until(start.Add(k.interval)))
	}
}

// pingOnce runs one round, reporting whether the pings go on.
func (k *keepAlive) pingOnce() bool {
	if k.ctx.Err() != nil {
		return false
	}
	select {
	case <-k.s.closing:
		return false
	default:
	}
	if k.ping != nil && !k.ping() {
		k.s.close(closeKeepAliveTimedOut, reasonKeepAliveTimedOut)
		return false
	}
	// Not ctx: coder/websocket drops the connection when the context of
	// a write in progress ends, and ctx ends as the socket closes.
	pctx, cancel := context.WithTimeout(context.Background(), k.interval)
	err := k.s.ws.Ping(pctx)
	cancel()
	if err != nil {
		if k.ctx.Err() == nil {
			k.s.close(closeKeepAliveTimedOut, reasonKeepAliveTimedOut)
		}
		return false
	}
	return true
}

// stop ends the pings and waits for a round in progress.
func (k *keepAlive) stop() {
	k.mu.Lock()
	k.stopped = true
	k.timer.Stop()
	k.mu.Unlock()
	k.running.Wait()
}
