package push

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jimei-linli/linli/internal/realtime"
)

// The defaults of Presence across instances.
const (
	// DefaultPresencePrefix starts the Redis key of a resident's presence:
	// linli:presence:<residentID>.
	DefaultPresencePrefix = "linli:presence:"
	// DefaultPresenceTTL is how long a presence key outlives the last
	// refresh of the instance that set it.
	DefaultPresenceTTL = 30 * time.Second
	// DefaultPresenceRefresh is how often an instance refreshes the keys of
	// its subscribed residents.
	DefaultPresenceRefresh = 10 * time.Second
)

// presenceChunk is how many keys one MGET or pipeline handles.
const presenceChunk = 1000

// residentPrefix starts the hub topics of residents ("resident:").
var residentPrefix = strings.TrimSuffix(realtime.ResidentTopic(0), "0")

// Presence tells which residents have a live notification subscription:
// on this instance (the hub's resident topics, exact) or, with Redis, on
// any instance (presence keys, up to Refresh late when they subscribe and
// up to TTL late when they leave). Set the exported fields before Run.
type Presence struct {
	hub    *realtime.Hub
	rdb    *redis.Client
	logger *slog.Logger

	// Prefix starts every presence key (DefaultPresencePrefix).
	Prefix string
	// TTL is the lifetime of a presence key (DefaultPresenceTTL).
	TTL time.Duration
	// Refresh is how often Run refreshes the keys (DefaultPresenceRefresh).
	Refresh time.Duration
	// Now is the clock the presence epoch is stamped and read with
	// (time.Now).
	Now func() time.Time
}

// ErrPresenceIncomplete is what Online returns with this instance's own
// subscribers when the presence keys may not all be there: Redis lost them
// (it restarted, or has never had them) less than a Refresh ago, so an
// instance may not have set its residents' keys again yet.
var ErrPresenceIncomplete = errors.New("push: presence keys incomplete: Redis lost them less than a refresh ago")

// epochGrace is added to Refresh before presence keys set again after
// Redis lost them count as complete: an instance's refresh may take a
// moment.
const epochGrace = 2 * time.Second

// NewPresence returns the presence of hub's subscribers, shared with the
// other instances through rdb (nil: this instance only).
func NewPresence(hub *realtime.Hub, rdb *redis.Client, logger *slog.Logger) *Presence {
	if logger == nil {
		logger = slog.Default()
	}
	return &Presence{
		hub: hub, rdb: rdb, logger: logger,
		Prefix: DefaultPresencePrefix, TTL: DefaultPresenceTTL, Refresh: DefaultPresenceRefresh,
		Now: time.Now,
	}
}

// Online reports, for each of ids, whether the resident has a live
// subscription. When Redis fails, or the presence keys are incomplete
// (ErrPresenceIncomplete), it returns what it knows with the error: a
// resident it reports offline may then be online on another instance
// (the planner holds their pushes: see Planner.Hold).
func (p *Presence) Online(ctx context.Context, ids []int) (map[int]bool, error) {
	online := make(map[int]bool, len(ids))
	var remote []int
	for _, id := range ids {
		if p.hub != nil && p.hub.Subscribed(realtime.ResidentTopic(id)) {
			online[id] = true
		} else {
			online[id] = false
			remote = append(remote, id)
		}
	}
	if p.rdb == nil || len(remote) == 0 {
		return online, nil
	}
	complete, err := p.complete(ctx)
	if err != nil {
		return online, err
	}
	for start := 0; start < len(remote); start += presenceChunk {
		chunk := remote[start:min(start+presenceChunk, len(remote))]
		keys := make([]string, len(chunk))
		for i, id := range chunk {
			keys[i] = p.key(id)
		}
		vals, err := p.rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return online, err
		}
		for i, v := range vals {
			if v != nil {
				online[chunk[i]] = true
			}
		}
	}
	if !complete {
		return online, ErrPresenceIncomplete
	}
	return online, nil
}

// complete reports whether the presence keys are all there: the epoch
// key, which the first Publish after Redis lost its keys sets, is more
// than a Refresh old.
func (p *Presence) complete(ctx context.Context) (bool, error) {
	v, err := p.rdb.Get(ctx, p.epochKey()).Int64()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return p.Now().Sub(time.Unix(0, v)) >= p.Refresh+epochGrace, nil
}

// epochKey is the key holding when the presence keys began to be set
// (unix nanoseconds): after a Redis restart, the first Publish.
func (p *Presence) epochKey() string { return p.Prefix + "epoch" }

// Run refreshes this instance's presence keys every Refresh until ctx
// ends (without Redis it only waits for ctx).
func (p *Presence) Run(ctx context.Context) {
	if p.rdb == nil {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(p.Refresh)
	defer t.Stop()
	for {
		if err := p.Publish(ctx); err != nil && ctx.Err() == nil {
			p.logger.Warn("refreshing push presence failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Publish sets (or refreshes) the presence key of every resident
// subscribed on this instance, for TTL. Run calls it every Refresh.
func (p *Presence) Publish(ctx context.Context) error {
	if p.rdb == nil {
		return errors.New("push: presence has no Redis")
	}
	if err := p.rdb.SetNX(ctx, p.epochKey(), p.Now().UnixNano(), 0).Err(); err != nil {
		return err
	}
	topics := p.hub.SubscribedTopics(residentPrefix)
	for start := 0; start < len(topics); start += presenceChunk {
		pipe := p.rdb.Pipeline()
		for _, t := range topics[start:min(start+presenceChunk, len(topics))] {
			id, err := strconv.Atoi(strings.TrimPrefix(t, residentPrefix))
			if err != nil {
				continue
			}
			pipe.Set(ctx, p.key(id), "1", p.TTL)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// key is the Redis key of a resident's presence.
func (p *Presence) key(id int) string { return p.Prefix + strconv.Itoa(id) }
