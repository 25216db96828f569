package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/event"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// outboxResult is what the write round measured: mutations sent at a
// steady rate through -instances servers for -duration, and how far the
// outbox relay fell behind them.
type outboxResult struct {
	Backend      string  `json:"backend"`
	Instances    int     `json:"instances"`
	TargetRate   int     `json:"targetMutationsPerSecond"`
	Seconds      float64 `json:"seconds"`
	Mutations    int64   `json:"mutations"`
	Failed       int64   `json:"failed"`
	MutationRate float64 `json:"mutationsPerSecond"`
	Events       int     `json:"events"`
	PublishRate  float64 `json:"eventsPublishedPerSecond"`
	MaxBacklog   int     `json:"maxBacklog"`
	Lag          latency `json:"lagFromCommitToPublish"`
	FirstError   string  `json:"firstError,omitempty"`
}

// runOutbox starts o.instances servers on db, files requests through them
// in turn at o.write a second for o.duration (o.concurrency at a time, one
// resident's token each in turn), samples the unpublished backlog every
// 250 ms, waits for the relay to drain, and reads each event's lag from
// its commit (created_at) to its publication (published_at).
func runOutbox(ctx context.Context, o options, bin string, db database, toks tokens, logf func(string, ...any), stdout io.Writer) (outboxResult, error) {
	r := outboxResult{Backend: db.backend(o.redis), Instances: o.instances, TargetRate: o.write}
	f, err := startFilingServers(ctx, o.instances, bin, db.env(o.redis), db.url, logf)
	if err != nil {
		return r, err
	}
	defer f.close()
	servers, s, cat := f.servers, f.store, f.category
	sys := viewer.SystemContext(ctx)
	// Events before the round (none, or the seed's) are not measured.
	firstEvent, err := s.Client.Event.Query().Order(ent.Desc(event.FieldID)).FirstID(sys)
	if err != nil && !ent.IsNotFound(err) {
		return r, err
	}

	client := newHTTPClient()
	defer client.CloseIdleConnections()
	tickets := make(chan int, o.concurrency)
	var sent, failed atomic.Int64
	var errOnce sync.Once
	var wg sync.WaitGroup
	for range o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range tickets {
				var out struct{ FileRequest struct{ ID string } }
				err := postGraphQL(ctx, client, servers[i%len(servers)].url, toks.subscribers[i%len(toks.subscribers)],
					`mutation($in: FileRequestInput!) { fileRequest(input: $in) { id } }`,
					map[string]any{"in": map[string]any{"categoryId": strconv.Itoa(cat), "description": fmt.Sprintf("负载第%d件", i)}}, &out)
				if err != nil {
					failed.Add(1)
					errOnce.Do(func() { r.FirstError = err.Error() })
					continue
				}
				sent.Add(1)
			}
		}()
	}

	samplerDone := make(chan struct{})
	var maxBacklog atomic.Int64
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-samplerDone:
				return
			case <-t.C:
				n, err := s.Client.Event.Query().Where(event.PublishedAtIsNil()).Count(sys)
				if err == nil && int64(n) > maxBacklog.Load() {
					maxBacklog.Store(int64(n))
				}
			}
		}
	}()

	logf("filing requests at %d/s for %v through %d servers", o.write, o.duration, len(servers))
	start := time.Now()
	interval := time.Second / time.Duration(max(o.write, 1))
	tick := time.NewTicker(interval)
	for i := 0; time.Since(start) < o.duration; i++ {
		select {
		case <-ctx.Done():
			close(tickets)
			close(samplerDone)
			return r, ctx.Err()
		case <-tick.C:
		}
		select {
		case tickets <- i:
		default: // every worker busy: the servers are behind the rate; count it as not sent
			failed.Add(1)
			errOnce.Do(func() { r.FirstError = "all workers busy: the servers answer slower than the rate" })
		}
	}
	tick.Stop()
	close(tickets)
	wg.Wait()
	r.Seconds = time.Since(start).Seconds()
	r.Mutations, r.Failed = sent.Load(), failed.Load()
	r.MutationRate = float64(r.Mutations) / r.Seconds

	logf("%d mutations (%d failed) in %.1fs; waiting for the outbox to drain", r.Mutations, r.Failed, r.Seconds)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		lag, err := realtime.OutboxLag(ctx, s, time.Now())
		if err != nil {
			close(samplerDone)
			return r, err
		}
		if lag == 0 || time.Now().After(deadline) {
			break
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			close(samplerDone)
			return r, err
		}
	}
	close(samplerDone)
	r.MaxBacklog = int(maxBacklog.Load())

	evs, err := s.Client.Event.Query().Where(event.IDGT(firstEvent), event.PublishedAtNotNil()).
		Select(event.FieldCreatedAt, event.FieldPublishedAt).All(sys)
	if err != nil {
		return r, err
	}
	r.Events = len(evs)
	var lags []time.Duration
	var last time.Time
	for _, ev := range evs {
		lags = append(lags, ev.PublishedAt.Sub(ev.CreatedAt))
		if ev.PublishedAt.After(last) {
			last = *ev.PublishedAt
		}
	}
	r.Lag = durations(lags)
	if span := last.Sub(start).Seconds(); span > 0 {
		r.PublishRate = float64(r.Events) / span
	}
	fmt.Fprintf(stdout, "| backend | instances | target/s | mutations/s | failed | events | published/s | max backlog | lag p50 | lag p99 | lag max |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(stdout, "| %s | %d | %d | %.0f | %d | %d | %.0f | %d | %.1f ms | %.1f ms | %.1f ms |\n",
		r.Backend, r.Instances, r.TargetRate, r.MutationRate, r.Failed, r.Events, r.PublishRate, r.MaxBacklog, r.Lag.P50, r.Lag.P99, r.Lag.Max)
	if r.FirstError != "" {
		logf("first failure: %s", r.FirstError)
	}
	return r, nil
}
