package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jimei-linli/linli/internal/metrics"
	"github.com/jimei-linli/linli/internal/push"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
)

// newMetrics builds the instance's metrics: the store's connection pool,
// the outbox lag and the push queue (read from the database at each
// scrape), and the hub's subscriptions. The rest is handed to the parts
// as they are built (serve, startRealtime).
func newMetrics(s *store.Store, now func() time.Time, log *slog.Logger) *metrics.Metrics {
	m := metrics.New(log)
	m.CollectDB(s.DB, string(s.Dialect))
	m.Gauge("linli_outbox_lag_seconds", "Age of the oldest outbox event not yet published (0: none waits).",
		func(ctx context.Context) (float64, error) {
			lag, err := realtime.OutboxLag(ctx, s, now())
			return lag.Seconds(), err
		})
	m.Gauge("linli_push_queue_depth", "Push deliveries waiting to be sent (PENDING, due or backing off).",
		func(ctx context.Context) (float64, error) {
			n, err := push.QueueDepth(ctx, s)
			return float64(n), err
		})
	return m
}

// serveMetrics serves m as /metrics on addr, a private address, until ctx
// ends.
func serveMetrics(ctx context.Context, addr string, m *metrics.Metrics, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	context.AfterFunc(ctx, func() { srv.Close() })
	log.Info("metrics are served", "url", "http://"+ln.Addr().String()+"/metrics")
	return nil
}
