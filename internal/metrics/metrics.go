// Package metrics is Linli's Prometheus instrumentation: one private
// registry, built in the composition root (cmd/linli) and served on a
// private listener as /metrics. The parts it measures never import it:
// each declares the narrow interface it reports through (server.Metrics,
// a counter's Inc or Add, a gauge function), and New's Metrics satisfies
// them. Label values are bounded: operation names and error codes pass
// through a Names set that keeps the first few hundred well-formed values
// and files the rest under "other", so a client cannot grow the series
// without bound.
//
// Every metric is named linli_*; docs/operations.md lists them and what to
// alert on, and docs/grafana/linli.json charts them.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
)

// Label caps: how many distinct values a label may take before the rest
// are counted as "other".
const (
	maxOperationNames = 200
	maxCodes          = 50
)

// latencyBuckets are the histograms' buckets, in seconds: 1 ms to 10 s.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// probeTimeout bounds a scrape-time probe (a database query).
const probeTimeout = 2 * time.Second

// Metrics holds Linli's collectors and the registry they are registered
// in. Its methods and exported counters are what the parts report to.
type Metrics struct {
	// Registry is the private registry every collector is in.
	Registry *prometheus.Registry

	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	operations    *prometheus.CounterVec
	opDuration    *prometheus.HistogramVec
	subscriptions *prometheus.CounterVec
	liveSubs      prometheus.Gauge
	websockets    prometheus.Gauge
	jobRuns       *prometheus.CounterVec
	jobDuration   *prometheus.HistogramVec
	pushAttempts  *prometheus.CounterVec

	// HubDrops counts messages a subscriber's full buffer could not take
	// (the subscriber then catches up from the database).
	HubDrops prometheus.Counter
	// HubRecoveries counts catch-ups from the database after a possible
	// loss (a drop, a gap, a broker reconnect).
	HubRecoveries prometheus.Counter
	// RelayPublished counts events the outbox relay published.
	RelayPublished prometheus.Counter
	// RedisResubscribes counts the real-time channel's subscriptions to
	// Redis after the first: each follows a lost connection.
	RedisResubscribes prometheus.Counter
	// Escalations counts rungs of the 54321 clock that this instance
	// escalated.
	Escalations prometheus.Counter

	opNames *Names
	codes   *Names
	logger  *slog.Logger
}

// New returns Linli's metrics in a new private registry, with Go's
// runtime and the process's collectors registered.
func New(logger *slog.Logger) *Metrics {
	if logger == nil {
		logger = slog.Default()
	}
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: reg,
		opNames:  NewNames(maxOperationNames),
		codes:    NewNames(maxCodes),
		logger:   logger,
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linli_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "linli_http_request_duration_seconds", Help: "How long HTTP requests took, by route (websocket upgrades excluded).",
			Buckets: latencyBuckets,
		}, []string{"route"}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linli_graphql_operations_total",
			Help: "GraphQL query and mutation results (and refused operations of any type) by type, operation name and result code (OK, or the first error's extensions.code).",
		}, []string{"type", "operation", "code"}),
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "linli_graphql_operation_duration_seconds", Help: "How long GraphQL queries and mutations took, from the start of the request's operation to its response, by type and operation name.",
			Buckets: latencyBuckets,
		}, []string{"type", "operation"}),
		subscriptions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linli_graphql_subscriptions_started_total", Help: "GraphQL subscriptions started, by operation name.",
		}, []string{"operation"}),
		liveSubs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "linli_graphql_subscriptions", Help: "GraphQL subscriptions running now (websocket and SSE).",
		}),
		websockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "linli_websockets", Help: "Websocket connections open now.",
		}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linli_job_runs_total", Help: "Rounds of the periodic jobs, by job and result (ok or error).",
		}, []string{"job", "result"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "linli_job_duration_seconds", Help: "How long a round of a periodic job took, by job.", Buckets: latencyBuckets,
		}, []string{"job"}),
		pushAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linli_push_attempts_total", Help: "Attempts to send a push through the gateway, by result: sent, retry (will be tried again), failed (given up), cancelled (shutdown).",
		}, []string{"result"}),
		HubDrops: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linli_hub_drops_total", Help: "Real-time messages a subscriber's full buffer could not take; the subscriber catches up from the database.",
		}),
		HubRecoveries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linli_hub_recoveries_total", Help: "Catch-ups from the database by subscribers that may have missed messages.",
		}),
		RelayPublished: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linli_outbox_published_total", Help: "Outbox events the relay published.",
		}),
		RedisResubscribes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linli_redis_resubscribes_total", Help: "Subscriptions of the real-time channel to Redis after the first, each after a lost connection.",
		}),
		Escalations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linli_request_escalations_total", Help: "Rungs of the 54321 clock escalated by this instance.",
		}),
	}
	for _, c := range []prometheus.Collector{
		m.httpRequests, m.httpDuration, m.operations, m.opDuration, m.subscriptions, m.liveSubs, m.websockets,
		m.jobRuns, m.jobDuration, m.pushAttempts, m.HubDrops, m.HubRecoveries, m.RelayPublished,
		m.RedisResubscribes, m.Escalations,
	} {
		f(c)
	}
	return m
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// HTTPRequest counts one HTTP request to route (a bounded name the server
// chooses) and, unless it was a websocket upgrade, observes its duration.
func (m *Metrics) HTTPRequest(route, method string, status int, upgrade bool, d time.Duration) {
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	if !upgrade {
		m.httpDuration.WithLabelValues(route).Observe(d.Seconds())
	}
}

// GraphQLOperation counts one operation result of type kind (query,
// mutation, subscription or unknown) named name with result code ("OK"
// or an extensions.code); a positive d is observed as its latency.
func (m *Metrics) GraphQLOperation(kind, name, code string, d time.Duration) {
	name = m.opNames.Label(name, "anonymous")
	m.operations.WithLabelValues(kind, name, m.codes.Label(code, "OK")).Inc()
	if d > 0 {
		m.opDuration.WithLabelValues(kind, name).Observe(d.Seconds())
	}
}

// SubscriptionStarted counts a subscription named name that starts; the
// returned function counts its end.
func (m *Metrics) SubscriptionStarted(name string) (ended func()) {
	m.subscriptions.WithLabelValues(m.opNames.Label(name, "anonymous")).Inc()
	m.liveSubs.Inc()
	return m.liveSubs.Dec
}

// WebsocketOpened counts an open websocket; WebsocketClosed its close.
func (m *Metrics) WebsocketOpened() { m.websockets.Inc() }

// WebsocketClosed counts a websocket that closed.
func (m *Metrics) WebsocketClosed() { m.websockets.Dec() }

// JobRan records one round of the periodic job named job.
func (m *Metrics) JobRan(job string, d time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.jobRuns.WithLabelValues(job, result).Inc()
	m.jobDuration.WithLabelValues(job).Observe(d.Seconds())
}

// PushAttempt counts one push attempt with its result.
func (m *Metrics) PushAttempt(result string) { m.pushAttempts.WithLabelValues(result).Inc() }

// CollectDB registers the connection-pool statistics of db (open, idle,
// in use, waits, closed connections) under the name dbName.
func (m *Metrics) CollectDB(db *sql.DB, dbName string) {
	m.Registry.MustRegister(collectors.NewDBStatsCollector(db, dbName))
}

// CollectRedis registers rdb's connection-pool statistics: connections
// now and idle, and the counters of hits, misses (new connections dialed,
// which include reconnects), timeouts and stale connections removed.
func (m *Metrics) CollectRedis(rdb *redis.Client) {
	stat := func(f func(*redis.PoolStats) uint32) func() float64 {
		return func() float64 { return float64(f(rdb.PoolStats())) }
	}
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "linli_redis_pool_connections", Help: "Redis connections in the pool."},
			stat(func(s *redis.PoolStats) uint32 { return s.TotalConns })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "linli_redis_pool_idle_connections", Help: "Idle Redis connections in the pool."},
			stat(func(s *redis.PoolStats) uint32 { return s.IdleConns })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "linli_redis_pool_hits_total", Help: "Times a free Redis connection was found in the pool."},
			stat(func(s *redis.PoolStats) uint32 { return s.Hits })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "linli_redis_pool_misses_total", Help: "Times no free Redis connection was in the pool and one was dialed (reconnects included)."},
			stat(func(s *redis.PoolStats) uint32 { return s.Misses })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "linli_redis_pool_timeouts_total", Help: "Times waiting for a Redis connection timed out."},
			stat(func(s *redis.PoolStats) uint32 { return s.Timeouts })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "linli_redis_pool_stale_connections_total", Help: "Stale Redis connections removed from the pool."},
			stat(func(s *redis.PoolStats) uint32 { return s.StaleConns })),
	)
}

// Gauge registers a gauge named name whose value probe reads at each
// scrape (within 2 s); a failing probe is logged and the gauge left out
// of that scrape.
func (m *Metrics) Gauge(name, help string, probe func(ctx context.Context) (float64, error)) {
	m.Registry.MustRegister(&probeCollector{desc: prometheus.NewDesc(name, help, nil, nil), probe: probe, logger: m.logger})
}

// GaugeFunc registers a gauge named name whose value f returns at each
// scrape (f must be cheap and never block).
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

// probeCollector is a gauge read by a probe that may fail.
type probeCollector struct {
	desc   *prometheus.Desc
	probe  func(ctx context.Context) (float64, error)
	logger *slog.Logger
}

// Describe implements prometheus.Collector.
func (c *probeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *probeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	v, err := c.probe(ctx)
	if err != nil {
		c.logger.Warn("metrics probe failed", "metric", c.desc.String(), "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v)
}
