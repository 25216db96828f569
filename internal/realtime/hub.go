package realtime

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultBuffer is how many messages a subscription holds before it is
// marked lost (and catches up from the database instead). Listeners are
// woken for every message and drain their buffer at once, so a burst of
// 16 messages for one subscriber between two of its wake-ups is already
// one that a catch-up serves better.
const DefaultBuffer = 16

// Hub fans the broker's messages out to this instance's subscriptions. It
// never blocks on a subscriber: a full buffer marks that subscription lost.
type Hub struct {
	logger *slog.Logger

	mu      sync.RWMutex
	byTopic map[string]map[*Subscription]struct{}
	all     map[*Subscription]struct{}

	// lastSeq is the sequence number of the last message delivered; only
	// the broker's delivery goroutine writes it, and a new subscription
	// reads it as the point it hears from (see Subscription.From). known
	// says it is the outbox's own position: read from the history at Run,
	// or set by a delivered message.
	lastSeq atomic.Int64
	known   atomic.Bool

	// history, if set (SetHistory), fills gaps and reconnects from the
	// outbox for the whole instance; ctx is Run's, for its queries.
	history atomic.Pointer[History]
	ctx     context.Context

	// slots bound how many streams replay from the database at once.
	slots chan struct{}

	// Drops, if set, counts messages a subscriber's full buffer could not
	// take; Recoveries, if set, counts the loss signals that send a
	// subscriber to catch up from the database (after a drop, or a gap in
	// the sequence or a broker reconnect the history could not fill).
	// CatchUps, if set, counts the replay queries of streams (see Stream);
	// Backfills, if set, counts the history's reads after a gap or a
	// reconnect. Set them before Run.
	Drops, Recoveries, CatchUps, Backfills Counter
}

// MaxCatchUps is how many streams of one hub replay from the database at
// once; the others wait for a slot.
const MaxCatchUps = 4

// History is the outbox as the hub reads it to fill what the broker lost.
type History interface {
	// After hands deliver, in order, every message with a sequence
	// number after after and, unless before is 0, before before.
	After(ctx context.Context, after, before int64, deliver func(*Message)) error
	// Last returns the sequence number of the last message (0 before the
	// first): where the hub starts.
	Last(ctx context.Context) (int64, error)
}

// SetHistory makes the hub fill a gap in the sequence, or what a broker
// reconnect may have lost, from h for the whole instance (one paged read,
// then the usual delivery, so only the subscriptions of the missed topics
// hear of it), instead of sending every subscription to catch up on its
// own. Safe to call while the hub runs.
func (h *Hub) SetHistory(hist History) { h.history.Store(&hist) }

// catchUpSlot waits for one of the hub's catch-up slots; release gives it
// back.
func (h *Hub) catchUpSlot(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		count(h.CatchUps)
		return func() { <-h.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Counter is a count that only goes up; a Prometheus counter is one.
type Counter interface{ Add(float64) }

// count adds 1 to c unless it is nil.
func count(c Counter) {
	if c != nil {
		c.Add(1)
	}
}

// Subscriptions returns how many subscriptions this instance's hub holds.
func (h *Hub) Subscriptions() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.all)
}

// NewHub returns an empty hub.
func NewHub(logger *slog.Logger) *Hub {
	if logger == nil {
		logger = slog.Default()
	}
	return &Hub{logger: logger, byTopic: map[string]map[*Subscription]struct{}{}, all: map[*Subscription]struct{}{},
		slots: make(chan struct{}, MaxCatchUps), ctx: context.Background()}
}

// Run feeds the hub from broker until ctx ends. With a history it starts
// from the outbox's last message, so that the first message is checked
// for a gap like any other and a new subscription knows exactly where it
// hears from.
func (h *Hub) Run(ctx context.Context, broker Broker) error {
	h.ctx = ctx
	if hist := h.history.Load(); hist != nil {
		last, err := (*hist).Last(ctx)
		if err != nil {
			h.logger.Warn("reading the outbox's last message failed; the hub starts from the first it hears", "err", err)
		} else {
			h.lastSeq.Store(last)
			h.known.Store(true)
		}
	}
	return broker.Run(ctx, h.deliver, h.lost)
}

// lost handles the broker's report that messages may have been missed (a
// reconnect): the history delivers what followed the last message, or,
// without one (or before the first message), every subscription catches
// up on its own.
func (h *Hub) lost() {
	if !h.fill(0) {
		h.loseAll()
	}
}

// fill delivers from the history the messages after the last one
// delivered and before before (0: all), and reports whether it could.
func (h *Hub) fill(before int64) bool {
	hist := h.history.Load()
	if hist == nil || !h.known.Load() {
		return false
	}
	count(h.Backfills)
	err := (*hist).After(h.ctx, h.lastSeq.Load(), before, func(m *Message) {
		if m.Seq > h.lastSeq.Load() {
			h.lastSeq.Store(m.Seq)
			h.fanOut(m)
		}
	})
	if err != nil {
		h.logger.Warn("filling missed realtime messages from the outbox failed; subscribers catch up", "err", err)
		return false
	}
	return true
}

// Subscription receives the messages of its topics.
type Subscription struct {
	hub    *Hub
	topics []string
	ch     chan *Message
	lost   chan struct{}
	once   sync.Once
	// from is the sequence number of the last message the hub delivered
	// before this subscription, when fromKnown: it hears every later one.
	from      int64
	fromKnown bool
	// wake, if set, is called (without blocking) after a message is queued
	// or a loss is signalled: see Listen.
	wake func()
}

// Subscribe registers a subscription to topics with a buffer of size
// messages (DefaultBuffer when size <= 0). Close it when done.
func (h *Hub) Subscribe(topics []string, size int) *Subscription {
	return h.subscribe(topics, size, nil)
}

func (h *Hub) subscribe(topics []string, size int, wake func()) *Subscription {
	if size <= 0 {
		size = DefaultBuffer
	}
	s := &Subscription{hub: h, topics: topics, ch: make(chan *Message, size), lost: make(chan struct{}, 1), wake: wake}
	h.mu.Lock()
	defer h.mu.Unlock()
	// Read under the lock that fanOut's read lock excludes: a message
	// delivered after this one is fanned out to s, and one fanned out to s
	// is at most this one or after it.
	s.from, s.fromKnown = h.lastSeq.Load(), h.known.Load()
	h.all[s] = struct{}{}
	for _, t := range topics {
		subs := h.byTopic[t]
		if subs == nil {
			subs = map[*Subscription]struct{}{}
			h.byTopic[t] = subs
		}
		subs[s] = struct{}{}
	}
	return s
}

// From returns the sequence number of the last message the hub delivered
// before the subscription, and whether the hub knows it (it has heard a
// message, or read the outbox at Run): the subscription hears every
// message after it, so it is the exact cursor of "now".
func (s *Subscription) From() (seq int64, ok bool) { return s.from, s.fromKnown }

// Messages is the stream of messages on the subscription's topics.
func (s *Subscription) Messages() <-chan *Message { return s.ch }

// Lost receives a signal whenever messages may have been missed: the
// subscriber must then catch up from the database.
func (s *Subscription) Lost() <-chan struct{} { return s.lost }

// Close unregisters the subscription.
func (s *Subscription) Close() {
	s.once.Do(func() {
		h := s.hub
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.all, s)
		for _, t := range s.topics {
			if subs := h.byTopic[t]; subs != nil {
				delete(subs, s)
				if len(subs) == 0 {
					delete(h.byTopic, t)
				}
			}
		}
	})
}

// markLost signals lost without blocking (one pending signal is enough).
func (s *Subscription) markLost() {
	select {
	case s.lost <- struct{}{}:
		count(s.hub.Recoveries)
	default:
	}
	if s.wake != nil {
		s.wake()
	}
}

// Subscribed reports whether anyone on this instance listens on topic.
func (h *Hub) Subscribed(topic string) bool { return h.Subscribers(topic) > 0 }

// Subscribers returns how many subscriptions on this instance listen on
// topic.
func (h *Hub) Subscribers(topic string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.byTopic[topic])
}

// deliver decodes one payload and hands it to the subscriptions of its
// topics and recipients.
func (h *Hub) deliver(payload []byte) {
	var m Message
	if err := json.Unmarshal(payload, &m); err != nil {
		h.logger.Error("undecodable realtime message", "err", err)
		return
	}
	known, last := h.known.Load(), h.lastSeq.Load()
	switch {
	case known && m.Seq <= last:
		return // a duplicate: the relay re-published after a crash
	case known && m.Seq > last+1:
		// A gap: messages went missing.
		if !h.fill(m.Seq) {
			h.loseAll()
		}
	}
	h.lastSeq.Store(m.Seq)
	h.known.Store(true)
	h.fanOut(&m)
}

// fanOut hands m to the subscriptions of its topics and recipients.
func (h *Hub) fanOut(m *Message) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if len(h.all) == 0 {
		return
	}
	sent := map[*Subscription]bool{}
	send := func(subs map[*Subscription]struct{}) {
		for s := range subs {
			if sent[s] {
				continue
			}
			sent[s] = true
			select {
			case s.ch <- m:
				if s.wake != nil {
					s.wake()
				}
			default:
				count(h.Drops)
				s.markLost() // never block the hub: the subscriber catches up
			}
		}
	}
	for _, t := range m.Topics {
		send(h.byTopic[t])
	}
	for _, n := range m.Notifications {
		send(h.byTopic[ResidentTopic(n.ResidentID)])
	}
}

// loseAll tells every subscription that messages may have been missed.
func (h *Hub) loseAll() {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.all {
		s.markLost()
	}
}

// SubscribedTopics returns the topics with a subscription on this instance
// that start with prefix (e.g. "resident:" for who is connected here).
func (h *Hub) SubscribedTopics(prefix string) []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var topics []string
	for t := range h.byTopic {
		if strings.HasPrefix(t, prefix) {
			topics = append(topics, t)
		}
	}
	return topics
}
