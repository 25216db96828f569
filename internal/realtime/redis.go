package realtime

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Broker over Redis pub/sub: one channel, one subscription per
// instance. go-redis reconnects by itself; every (re)subscription is
// reported as lost, since messages published while disconnected are gone.
type Redis struct {
	client  *redis.Client
	channel string
	logger  *slog.Logger
	// Resubscribes, if set, counts subscriptions to the channel after the
	// first one: each follows a lost connection. Set it before Run.
	Resubscribes Counter
}

// NewRedis returns a broker publishing on channel through client.
func NewRedis(client *redis.Client, channel string, logger *slog.Logger) *Redis {
	if logger == nil {
		logger = slog.Default()
	}
	return &Redis{client: client, channel: channel, logger: logger}
}

// Publish implements Broker.
func (r *Redis) Publish(ctx context.Context, payload []byte) error {
	return r.client.Publish(ctx, r.channel, payload).Err()
}

// Run implements Broker.
func (r *Redis) Run(ctx context.Context, deliver func([]byte), lost func()) error {
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
				if subscribed {
					count(r.Resubscribes)
				}
				subscribed = true
				lost() // (re)subscribed: anything published meanwhile is gone
			}
		case *redis.Message:
			deliver([]byte(m.Payload))
		}
	}
}
