package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/internal/viewer"
)

// clockDeadline is the acknowledge deadline the clock round gives its
// servers: long enough to file every request before the first falls due.
const clockDeadline = 5 * time.Second

// clockResult is what the clock round measured: from each request's
// acknowledge deadline to its first escalation (the grid leader's
// notification is written in that transaction), on -instances servers.
type clockResult struct {
	Backend    string  `json:"backend"`
	Instances  int     `json:"instances"`
	Requests   int     `json:"requests"`
	Escalated  int     `json:"escalated"`
	Duplicates int     `json:"duplicates"`
	Lag        latency `json:"lagFromDeadline"`
}

// runClock starts o.instances servers on db with a short acknowledge
// deadline, files o.clock requests through them in turn (one resident
// each, spread over about a second), waits until each has been escalated
// once, and reads from the database when each first rung fired.
func runClock(ctx context.Context, o options, bin string, db database, toks tokens, logf func(string, ...any), stdout io.Writer) (clockResult, error) {
	r := clockResult{Backend: db.backend(o.redis), Instances: o.instances, Requests: min(o.clock, len(toks.subscribers))}
	env := append(db.env(o.redis), "LINLI_REQUEST_DEADLINES=acknowledge="+clockDeadline.String()+
		",contact=4h,resolve=72h,follow-up=48h,rating=24h,department-acknowledge=24h")
	f, err := startFilingServers(ctx, o.instances, bin, env, db.url, logf)
	if err != nil {
		return r, err
	}
	defer f.close()
	servers, s, cat := f.servers, f.store, f.category
	sys := viewer.SystemContext(ctx)
	client := newHTTPClient()
	defer client.CloseIdleConnections()
	ids := make([]int, 0, r.Requests)
	for i := range r.Requests {
		var out struct{ FileRequest struct{ ID string } }
		err := postGraphQL(ctx, client, servers[i%len(servers)].url, toks.subscribers[i],
			`mutation($in: FileRequestInput!) { fileRequest(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"categoryId": strconv.Itoa(cat), "description": fmt.Sprintf("计时第%d件", i)}}, &out)
		if err != nil {
			return r, fmt.Errorf("filing request %d: %w", i, err)
		}
		id, _ := strconv.Atoi(out.FileRequest.ID)
		ids = append(ids, id)
		if err := sleep(ctx, time.Second/time.Duration(r.Requests)); err != nil {
			return r, err
		}
	}
	logf("filed %d requests; waiting for their deadlines (%v after filing)", len(ids), clockDeadline)
	deadline := time.Now().Add(clockDeadline + 40*time.Second)
	for {
		n, err := s.Client.RequestEvent.Query().Where(requestevent.RequestIDIn(ids...),
			requestevent.KindEQ(requestevent.KindESCALATED)).Count(sys)
		if err != nil {
			return r, err
		}
		if n >= len(ids) || time.Now().After(deadline) {
			break
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return r, err
		}
	}
	if err := sleep(ctx, 2*time.Second); err != nil { // a late duplicate would show now
		return r, err
	}
	reqs, err := s.Client.Request.Query().Where(request.IDIn(ids...)).All(sys)
	if err != nil {
		return r, err
	}
	evs, err := s.Client.RequestEvent.Query().Where(requestevent.RequestIDIn(ids...),
		requestevent.KindEQ(requestevent.KindESCALATED), requestevent.Level(1)).All(sys)
	if err != nil {
		return r, err
	}
	fired := map[int]time.Time{}
	for _, ev := range evs {
		if _, dup := fired[ev.RequestID]; dup {
			r.Duplicates++
			continue
		}
		fired[ev.RequestID] = ev.CreatedAt
	}
	var lags []time.Duration
	for _, q := range reqs {
		if at, ok := fired[q.ID]; ok {
			lags = append(lags, at.Sub(q.AcknowledgeDueAt))
		}
	}
	r.Escalated = len(lags)
	r.Lag = durations(lags)
	fmt.Fprintf(stdout, "| backend | instances | requests | escalated | duplicates | lag p50 | lag p99 | lag max |\n|---|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(stdout, "| %s | %d | %d | %d | %d | %.1f ms | %.1f ms | %.1f ms |\n",
		r.Backend, r.Instances, r.Requests, r.Escalated, r.Duplicates, r.Lag.P50, r.Lag.P99, r.Lag.Max)
	if r.Escalated != r.Requests || r.Duplicates > 0 {
		return r, fmt.Errorf("%d of %d requests escalated, %d twice", r.Escalated, r.Requests, r.Duplicates)
	}
	return r, nil
}

// durations returns the percentiles (nearest rank) of d.
func durations(d []time.Duration) latency {
	if len(d) == 0 {
		return latency{}
	}
	d = slices.Clone(d)
	slices.Sort(d)
	rank := func(q float64) time.Duration {
		return d[max(int(math.Ceil(q*float64(len(d))))-1, 0)]
	}
	return latency{P50: ms(rank(0.50)), P99: ms(rank(0.99)), Max: ms(d[len(d)-1])}
}
