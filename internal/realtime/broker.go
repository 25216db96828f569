package realtime

import (
	"context"
	"sync"
)

// Broker carries the relay's messages to every instance's hub.
type Broker interface {
	// Publish sends one message to every instance. It returns an error when
	// the message may not have been sent; the relay then tries again.
	Publish(ctx context.Context, payload []byte) error
	// Run delivers every published payload to deliver, in publication
	// order, until ctx ends. It calls lost whenever payloads may have been
	// missed (after a reconnect), so that subscribers catch up from the
	// database.
	Run(ctx context.Context, deliver func(payload []byte), lost func()) error
}

// BatchPublisher is a Broker that can send a batch of messages in one round
// trip, in order. The relay uses it when the broker offers it.
type BatchPublisher interface {
	// PublishAll sends payloads in order; like Publish, an error means some
	// may not have been sent, and the relay sends the batch again.
	PublishAll(ctx context.Context, payloads [][]byte) error
}

// Memory is the in-process Broker of a single instance.
type Memory struct {
	mu   sync.Mutex
	subs map[int]func([]byte)
	next int
}

// NewMemory returns an in-process broker.
func NewMemory() *Memory { return &Memory{subs: map[int]func([]byte){}} }

// Publish implements Broker: it hands payload to every running Run.
func (m *Memory) Publish(_ context.Context, payload []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, deliver := range m.subs {
		deliver(payload)
	}
	return nil
}

// Run implements Broker.
func (m *Memory) Run(ctx context.Context, deliver func([]byte), _ func()) error {
	m.mu.Lock()
	id := m.next
	m.next++
	m.subs[id] = deliver
	m.mu.Unlock()
	<-ctx.Done()
	m.mu.Lock()
	delete(m.subs, id)
	m.mu.Unlock()
	return nil
}

// Subscribers returns how many hubs run on m (for tests and health).
func (m *Memory) Subscribers() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.subs)
}
