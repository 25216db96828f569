package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Broker over Redis pub/sub: one channel, one subscription per
// instance. go-redis reconnects by itself.
//
// Without a Backlog, every (re)subscription is reported as lost, since
// messages published while disconnected are gone, and a publish fails for
// as long as Redis does (the relay waits for it).
//
// With a Backlog (the relay, which reads the database's sequenced events
// back), Redis only makes delivery fast; the database is what delivers:
//
//   - A publish Redis fails is reported as sent while Run runs: the
//     batch's events are already sequenced in the database, so this
//     instance's hub gets them from the backlog at once, and the relay goes
//     on (marks them published, sequences the next ones) instead of
//     retrying Redis. For localRetry after that, publishes skip Redis.
//   - While the subscription is down (or publishes skip Redis), the hub is
//     fed from the backlog every DownPoll: the events after the last one
//     it got, in order, whoever relayed them. So every instance hears
//     every event within DownPoll during an outage.
//   - On resubscribing, the hub first gets from the backlog what it
//     missed, and is told it lost messages only when the backlog cannot
//     be read: its subscribers do not all catch up at once.
//   - A gap in what Redis delivers (an instance that could not reach Redis
//     published to its own hub only) is filled from the backlog too.
//
// Limits: an instance whose subscription stays up while another cannot
// publish (Redis reachable from one instance, not the other) hears the
// other's events at its next message from Redis (a gap it fills), not
// before. Events reach subscribers through the hub as before: a
// subscriber's full buffer still sends it to catch up from the database.
type Redis struct {
	client  *redis.Client
	channel string
	logger  *slog.Logger
	// Resubscribes, if set, counts subscriptions to the channel after the
	// first one: each follows a lost connection. Set it before Run.
	Resubscribes Counter
	// Backlog, if set, reads back the events Redis did not carry (see
	// Redis). Set it before Run.
	Backlog Backlog
	// DownPoll is how often the hub is fed from the Backlog while Redis is
	// down (DefaultDownPoll; negative: only when the subscription is
	// back, or after this instance's own publish failed). Set it before
	// Run.
	DownPoll time.Duration

	// mu serializes deliveries to the hub (from Redis, from the backlog:
	// the hub expects one goroutine at a time) and guards what follows.
	mu      sync.Mutex
	deliver func([]byte) // Run's; nil when Run is not running
	lost    func()
	last    int64 // the sequence number of the last message delivered; 0: not known

	subDown    atomic.Bool  // the subscription is interrupted
	localUntil atomic.Int64 // unix nanoseconds: publishes skip Redis until then
	lastWarned atomic.Int64 // unix nanoseconds of the last outage warning
}

// Backlog reads sequenced events back from the database; the Relay is one.
type Backlog interface {
	// Since returns, in order, the messages of at most limit events after
	// sequence number seq.
	Since(ctx context.Context, seq int64, limit int) ([]*Message, error)
	// LastSeq returns the last sequence number given (0: none).
	LastSeq(ctx context.Context) (int64, error)
}

// DefaultDownPoll is how often a Redis broker with a Backlog feeds its hub
// from the database while Redis is down.
const DefaultDownPoll = 500 * time.Millisecond

// localRetry is how long publishes skip Redis after it failed one.
const localRetry = time.Second

// NewRedis returns a broker publishing on channel through client.
func NewRedis(client *redis.Client, channel string, logger *slog.Logger) *Redis {
	if logger == nil {
		logger = slog.Default()
	}
	return &Redis{client: client, channel: channel, logger: logger}
}

// Publish implements Broker.
func (r *Redis) Publish(ctx context.Context, payload []byte) error {
	return r.PublishAll(ctx, [][]byte{payload})
}

// PublishAll implements BatchPublisher: one pipeline, one round trip, for
// the relay's whole batch (Redis runs a connection's commands in order).
// When Redis fails it, this instance's hub gets the batch from the
// Backlog and the batch counts as sent (see Redis).
func (r *Redis) PublishAll(ctx context.Context, payloads [][]byte) error {
	if time.Now().UnixNano() < r.localUntil.Load() && r.publishLocally(ctx) {
		return nil
	}
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, payload := range payloads {
			p.Publish(ctx, r.channel, payload)
		}
		return nil
	})
	if err == nil || ctx.Err() != nil {
		return err
	}
	if !r.publishLocally(ctx) {
		return err // no backlog or no hub here: the relay tries again
	}
	now := time.Now()
	r.localUntil.Store(now.Add(localRetry).UnixNano())
	if last := r.lastWarned.Load(); now.UnixNano()-last > int64(time.Minute) && r.lastWarned.CompareAndSwap(last, now.UnixNano()) {
		r.logger.Warn("redis unreachable: every instance's hub is fed from the database until it is back", "err", err)
	}
	return nil
}

// publishLocally feeds this instance's hub from the backlog, which holds
// what the relay could not publish, and reports whether a hub runs here
// with a backlog (else the publish failed).
func (r *Redis) publishLocally(ctx context.Context) bool {
	if r.Backlog == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.deliver == nil {
		return false
	}
	if err := r.catchUpLocked(ctx, 0); err != nil && ctx.Err() == nil {
		// The events are in the database: the next poll delivers them.
		r.logger.Warn("reading the events Redis did not carry failed; will retry", "err", err)
	}
	return true
}

// catchUpLocked delivers the backlog's events after the last one
// delivered, up to sequence number to (0: all). When the last one is not
// known, it learns it and reports messages lost instead. r.mu is held.
func (r *Redis) catchUpLocked(ctx context.Context, to int64) error {
	if r.deliver == nil {
		return nil
	}
	if r.last == 0 {
		last, err := r.Backlog.LastSeq(ctx)
		if err != nil {
			return err
		}
		r.last = last
		r.lost()
		return nil
	}
	for {
		limit := relayBatch
		if to > 0 {
			if limit = min(limit, int(to-r.last)); limit <= 0 {
				return nil
			}
		}
		msgs, err := r.Backlog.Since(ctx, r.last, limit)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			payload, err := json.Marshal(m)
			if err != nil {
				return err
			}
			r.deliver(payload)
			r.last = m.Seq
		}
		if len(msgs) < limit {
			return nil
		}
	}
}

// deliverLocked hands one payload from Redis to the hub, unless the
// backlog delivered it already, after filling a gap before it from the
// backlog. r.mu is held.
func (r *Redis) deliverLocked(ctx context.Context, payload []byte) {
	if r.Backlog == nil {
		r.deliver(payload)
		return
	}
	var head struct {
		Seq int64 `json:"seq"`
	}
	if err := json.Unmarshal(payload, &head); err != nil {
		r.deliver(payload) // the hub logs it
		return
	}
	switch {
	case r.last != 0 && head.Seq <= r.last:
		return // delivered from the backlog already
	case r.last != 0 && head.Seq > r.last+1:
		if err := r.catchUpLocked(ctx, head.Seq-1); err != nil && ctx.Err() == nil {
			r.logger.Warn("filling a gap in Redis's events from the database failed; subscribers catch up", "err", err)
		}
	}
	r.deliver(payload) // after a gap left unfilled, the hub reports the loss
	r.last = max(r.last, head.Seq)
}

// Run implements Broker.
func (r *Redis) Run(ctx context.Context, deliver func([]byte), lost func()) error {
	r.mu.Lock()
	r.deliver, r.lost = deliver, lost
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.deliver, r.lost = nil, nil
		r.mu.Unlock()
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	if r.Backlog != nil && r.DownPoll >= 0 {
		wg.Add(1)
		go func() { defer wg.Done(); r.pollWhileDown(ctx) }()
	}
	ps := r.client.Subscribe(ctx, r.channel)
	defer ps.Close()
	// Receive does not return when ctx ends; closing the subscription does.
	stop := context.AfterFunc(ctx, func() { ps.Close() })
	defer stop()
	backoff := 50 * time.Millisecond
	subscribed := false
	for {
		msg, err := ps.Receive(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			r.subDown.Store(true)
			if !errors.Is(err, redis.ErrClosed) {
				r.logger.Warn("redis subscription interrupted; reconnecting", "err", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				backoff = 50 * time.Millisecond
				r.subscribed(ctx, subscribed)
				subscribed = true
			}
		case *redis.Message:
			r.mu.Lock()
			r.deliverLocked(ctx, []byte(m.Payload))
			r.mu.Unlock()
		}
	}
}

// subscribed handles a (re)subscription: the first one reports messages
// lost (subscribers may have subscribed before it) and learns the last
// sequence number; a later one delivers what was missed from the backlog,
// reporting messages lost only when it cannot.
func (r *Redis) subscribed(ctx context.Context, again bool) {
	r.localUntil.Store(0) // Redis is back: publish through it again
	r.subDown.Store(false)
	r.mu.Lock()
	defer r.mu.Unlock()
	if again {
		count(r.Resubscribes)
	}
	if r.Backlog == nil {
		r.lost()
		return
	}
	if !again {
		if r.last == 0 {
			if last, err := r.Backlog.LastSeq(ctx); err == nil {
				r.last = last
			}
		}
		r.lost()
		return
	}
	if err := r.catchUpLocked(ctx, 0); err != nil {
		if ctx.Err() == nil {
			r.logger.Warn("reading what Redis missed from the database failed; subscribers catch up", "err", err)
		}
		r.lost()
	}
}

// pollWhileDown feeds the hub from the backlog every DownPoll while the
// subscription is interrupted or publishes skip Redis, until ctx ends.
func (r *Redis) pollWhileDown(ctx context.Context) {
	every := r.DownPoll
	if every == 0 {
		every = DefaultDownPoll
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !r.subDown.Load() && time.Now().UnixNano() >= r.localUntil.Load() {
			continue
		}
		r.mu.Lock()
		err := r.catchUpLocked(ctx, 0)
		r.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			r.logger.Debug("reading events from the database while Redis is down failed; will retry", "err", err)
		}
	}
}
