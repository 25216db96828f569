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
}

// NewPresence returns the presence of hub's subscribers, shared with the
// other instances through rdb (nil: this instance only).
func NewPresence(hub *realtime.Hub, rdb *redis.Client, logger *slog.Logger) *Presence {
	if logger == nil {
		logger = slog.Default()
	}
	return &Presence{
		hub: hub, rdb: rdb, logger: logger,
		Prefix: DefaultPresencePrefix, TTL: DefaultPresenceTTL, Refresh: DefaultPresenceRefresh,
	}
}

// Online reports, for each of ids, whether the resident has a live
// subscription. When Redis fails it returns what this instance knows with
// the error (the others then count as offline: better a push too many
// than one too few).
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
	if p.rdb == nil {
		return online, nil
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
	return online, nil
}

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
