package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// The graphql-transport-ws subscription every subscriber runs.
const (
	subprotocol       = "graphql-transport-ws"
	subscriptionQuery = `subscription { notificationAdded { id } }`
)

// Bounds of one subscriber's handshake.
const (
	dialTimeout  = 30 * time.Second
	dialAttempts = 3
	writeTimeout = 10 * time.Second
	readLimit    = 64 << 10
)

// message is a graphql-transport-ws message.
type message struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// subscriber is one websocket connection with one subscription.
type subscriber struct {
	conn  *websocket.Conn
	nexts atomic.Int32 // next messages received
	first atomic.Int64 // when the first arrived, in Unix nanoseconds
}

// fleet is a round's subscribers. Each has a goroutine reading its
// connection until the fleet is closed.
type fleet struct {
	ctx        context.Context // ends every read, closing the connections
	cancel     context.CancelFunc
	wsURL      string
	headerAuth bool
	client     *http.Client
	wg         sync.WaitGroup // the reading goroutines

	mu         sync.Mutex
	subs       []*subscriber
	dialErr    string // the first dial failure
	streamErr  string // the first unexpected message or read failure
	streamErrs int

	delivered  atomic.Int64 // subscribers with at least one next
	duplicates atomic.Int64 // next messages beyond the first
}

// newFleet prepares subscribers for the server at base (http://...).
func newFleet(ctx context.Context, base string, headerAuth bool) *fleet {
	ctx, cancel := context.WithCancel(ctx)
	return &fleet{
		ctx: ctx, cancel: cancel, headerAuth: headerAuth, client: newHTTPClient(),
		wsURL: "ws" + strings.TrimPrefix(base, "http") + "/graphql",
	}
}

// connect dials n subscribers, concurrency at a time, subscriber i with
// toks[i % len(toks)], giving up on those not connected within timeout.
// It reports progress every tenth and returns how many are subscribed.
func (f *fleet) connect(n int, toks []string, concurrency int, timeout time.Duration, progress func(int)) int {
	ctx, cancel := context.WithTimeout(f.ctx, timeout)
	defer cancel()
	sem := make(chan struct{}, concurrency)
	var finished atomic.Int64
	step := int64(max(n/10, 1))
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			continue // the loop ends
		}
		go func() {
			defer func() { <-sem }()
			s, err := f.dial(ctx, toks[i%len(toks)])
			if err != nil {
				f.noteDialError(err)
			} else {
				f.start(s)
			}
			if d := finished.Add(1); d%step == 0 {
				progress(int(d))
			}
		}()
	}
	for range concurrency {
		sem <- struct{}{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.subs) < n && ctx.Err() != nil && f.dialErr == "" {
		f.dialErr = fmt.Sprintf("connecting took longer than %v", timeout)
	}
	return len(f.subs)
}

// dial connects one subscriber, retrying a failed dial.
func (f *fleet) dial(ctx context.Context, token string) (*subscriber, error) {
	var err error
	for attempt := range dialAttempts {
		if attempt > 0 {
			if sleep(ctx, time.Duration(attempt)*200*time.Millisecond) != nil {
				break
			}
		}
		var conn *websocket.Conn
		if conn, err = f.handshake(ctx, token); err == nil {
			return &subscriber{conn: conn}, nil
		}
	}
	return nil, err
}

// handshake opens a websocket, sends connection_init with token, waits for
// connection_ack and subscribes.
func (f *fleet) handshake(ctx context.Context, token string) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	opts := &websocket.DialOptions{
		HTTPClient:      f.client,
		Subprotocols:    []string{subprotocol},
		CompressionMode: websocket.CompressionDisabled,
	}
	if f.headerAuth {
		opts.HTTPHeader = http.Header{"Authorization": {"Bearer " + token}}
	}
	conn, resp, err := websocket.Dial(ctx, f.wsURL, opts)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	conn.SetReadLimit(readLimit)
	fail := func(err error) (*websocket.Conn, error) {
		conn.CloseNow()
		return nil, err
	}
	if conn.Subprotocol() != subprotocol {
		return fail(fmt.Errorf("the server chose subprotocol %q", conn.Subprotocol()))
	}
	init := map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + token}}
	if err := send(ctx, conn, init); err != nil {
		return fail(err)
	}
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return fail(fmt.Errorf("waiting for connection_ack: %w", err))
		}
		var m message
		if err := json.Unmarshal(data, &m); err != nil {
			return fail(fmt.Errorf("bad message %.200s", data))
		}
		if m.Type == "ping" {
			if err := send(ctx, conn, message{Type: "pong"}); err != nil {
				return fail(err)
			}
			continue
		}
		if m.Type != "connection_ack" {
			return fail(fmt.Errorf("want connection_ack, got %.200s", data))
		}
		break
	}
	sub := map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": subscriptionQuery}}
	if err := send(ctx, conn, sub); err != nil {
		return fail(err)
	}
	return conn, nil
}

// send writes v as a text message.
func send(ctx context.Context, conn *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return conn.Write(ctx, websocket.MessageText, b)
}

// start registers s and reads its connection until the fleet closes:
// next messages are counted and timed, pings answered.
func (f *fleet) start(s *subscriber) {
	f.mu.Lock()
	f.subs = append(f.subs, s)
	f.mu.Unlock()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			_, data, err := s.conn.Read(f.ctx)
			now := time.Now()
			if err != nil {
				if f.ctx.Err() == nil {
					f.noteStreamError(fmt.Sprintf("read: %v", err))
				}
				return
			}
			var m message
			if err := json.Unmarshal(data, &m); err != nil {
				f.noteStreamError(fmt.Sprintf("bad message %.200s", data))
				continue
			}
			switch m.Type {
			case "next":
				if s.nexts.Add(1) == 1 {
					s.first.Store(now.UnixNano())
					f.delivered.Add(1)
				} else {
					f.duplicates.Add(1)
				}
			case "ping":
				if err := send(f.ctx, s.conn, message{Type: "pong"}); err != nil && f.ctx.Err() == nil {
					f.noteStreamError(fmt.Sprintf("pong: %v", err))
				}
			case "pong":
			default: // error, complete: the subscription ended
				f.noteStreamError(fmt.Sprintf("%.300s", data))
			}
		}
	}()
}

// waitDelivered waits until want subscribers have a next, at most timeout;
// it reports whether they all did.
func (f *fleet) waitDelivered(ctx context.Context, want int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for f.delivered.Load() < int64(want) {
		if time.Now().After(deadline) || sleep(ctx, 5*time.Millisecond) != nil {
			return false
		}
	}
	return true
}

// counts returns the subscribers that received a next, and the extra nexts.
func (f *fleet) counts() (delivered, duplicates int) {
	return int(f.delivered.Load()), int(f.duplicates.Load())
}

// receipts returns when each subscriber that received a next got the first.
func (f *fleet) receipts() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	var at []time.Time
	for _, s := range f.subs {
		if ns := s.first.Load(); ns != 0 {
			at = append(at, time.Unix(0, ns))
		}
	}
	return at
}

func (f *fleet) noteDialError(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dialErr == "" {
		f.dialErr = err.Error()
	}
}

func (f *fleet) noteStreamError(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.streamErrs++
	if f.streamErr == "" {
		f.streamErr = s
	}
}

// firstDialError returns the first dial failure, if any.
func (f *fleet) firstDialError() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dialErr
}

// streamErrors returns how many unexpected messages or read failures there
// were, and the first.
func (f *fleet) streamErrors() (int, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.streamErrs, f.streamErr
}

// close ends every read, which closes the connections, and waits (at most
// 30 s) for the reading goroutines.
func (f *fleet) close() {
	f.cancel()
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
	}
	f.client.CloseIdleConnections()
}

// newHTTPClient returns a client for 127.0.0.1 that ignores proxy
// settings.
func newHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}}
}
