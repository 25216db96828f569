package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jimei-linli/linli/internal/metrics"
	"github.com/jimei-linli/linli/internal/push"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
)

// realtimeParts is the running real-time backbone of one instance.
type realtimeParts struct {
	hub    *realtime.Hub
	outbox *realtime.Outbox
	relay  *realtime.Relay
	stop   func()
}

// redisChannel is the pub/sub channel the instances of a deployment share,
// after its LINLI_REDIS_PREFIX.
const redisChannel = "events"

// presenceKeys start the push presence keys, after LINLI_REDIS_PREFIX.
const presenceKeys = "presence:"

// startRealtime starts the hub (fed by Redis when rdb is not nil, else in
// process, on the channel and keys that start with redisPrefix) and the outbox relay and, when pushWebhookURL is set, push to
// offline residents' devices: the relay plans the pushes of what it
// publishes, and a worker sends them through the webhook. stop ends them
// all and waits for them. now is the clock events and pushes are stamped
// and scheduled with; m counts what they do.
func startRealtime(ctx context.Context, s *store.Store, rdb *redis.Client, redisPrefix, pushWebhookURL string, now func() time.Time, m *metrics.Metrics, log *slog.Logger) *realtimeParts {
	var broker realtime.Broker = realtime.NewMemory()
	var viaRedis *realtime.Redis
	if rdb != nil {
		viaRedis = realtime.NewRedis(rdb, redisPrefix+redisChannel, log)
		viaRedis.Resubscribes = m.RedisResubscribes
		broker = viaRedis
	}
	hub := realtime.NewHub(log)
	hub.Drops, hub.Recoveries = m.HubDrops, m.HubRecoveries
	m.GaugeFunc("linli_hub_subscriptions", "Subscriptions to this instance's real-time hub (GraphQL subscriptions and each websocket's session watch).",
		func() float64 { return float64(hub.Subscriptions()) })
	relay := realtime.NewRelay(s, broker, log)
	if viaRedis != nil {
		// While Redis is down, the hub is fed from the database (issue 13.3).
		viaRedis.Backlog = relay
	}
	relay.Throughput = m.RelayPublished
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var worker *push.Worker
	if pushWebhookURL != "" {
		presence := push.NewPresence(hub, rdb, log)
		presence.Prefix = redisPrefix + presenceKeys
		worker = push.NewWorker(s, push.WebhookGateway{URL: pushWebhookURL}, now, log)
		worker.Attempts = m
		worker.Presence = presence // asked again about pushes held while Redis was down
		planner := push.NewPlanner(s.Client, presence, now, log)
		planner.Planned = worker.Kick
		relay.Published = planner.Published // before the relay runs
		wg.Add(2)
		go func() { defer wg.Done(); presence.Run(ctx) }()
		go func() { defer wg.Done(); worker.Run(ctx) }()
	}
	wg.Add(2)
	go func() { defer wg.Done(); hub.Run(ctx, broker) }()
	go func() { defer wg.Done(); relay.Run(ctx) }()
	relay.Kick() // publish what an earlier run left behind
	return &realtimeParts{
		hub:    hub,
		outbox: realtime.NewOutbox(relay, now),
		relay:  relay,
		stop: func() {
			cancel()
			wg.Wait()
			drain(relay, worker, log)
		},
	}
}

// drainTimeout bounds the last relay and push rounds at shutdown.
const drainTimeout = 5 * time.Second

// drain relays the events committed since the relay's last round (the
// requests that finished during the shutdown wrote some) and sends the
// pushes they planned, so that an instance that stops leaves nothing for
// the others to find later; worker may be nil (push is off).
func drain(relay *realtime.Relay, worker *push.Worker, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if err := relay.Flush(ctx); err != nil {
		log.Warn("relaying the last events at shutdown failed; another instance or the next start relays them", "err", err)
	}
	for worker != nil {
		n, err := worker.RunOnce(ctx)
		if err != nil {
			log.Warn("sending the last pushes at shutdown failed; they are retried after", "err", err)
		}
		if err != nil || n < worker.Batch {
			break
		}
	}
}
