package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/jimei-linli/linli/graph"
	"github.com/jimei-linli/linli/internal/app"
	"github.com/jimei-linli/linli/internal/config"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/schedule"
	"github.com/jimei-linli/linli/internal/server"
)

// serve runs the GraphQL server until ctx is cancelled (SIGINT or SIGTERM),
// then drains for cfg.DrainDelay (serving, with /readyz answering 503)
// and shuts down gracefully, letting requests in flight finish.
func serve(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("serve: unexpected arguments %q", args)
	}
	log := newLogger(cfg, stdout)
	debug.SetGCPercent(cfg.GCPercent)
	// The one clock every part of the server reads: the real one.
	now := time.Now
	tr, err := startTracing(cfg, log)
	if err != nil {
		return err
	}
	defer tr.stop(log)
	s, err := openDatabaseWith(ctx, cfg, log, cfg.MigrateOnStart, tr.wrapDriver())
	if err != nil {
		return err
	}
	defer s.Close()
	if cfg.Demo {
		if err := loadDemo(ctx, s.Client, now(), log); err != nil {
			return err
		}
	}
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	if rdb != nil {
		defer rdb.Close()
	}
	if err := tr.instrumentRedis(rdb); err != nil {
		return err
	}
	m := newMetrics(s, now, log)
	if rdb != nil {
		m.CollectRedis(rdb)
	}
	if cfg.DebugAddr != "" {
		if err := startDebug(ctx, cfg.DebugAddr, m.Handler(), log); err != nil {
			return err
		}
	}
	if cfg.MetricsAddr != "" {
		if err := serveMetrics(ctx, cfg.MetricsAddr, m, log); err != nil {
			return err
		}
	}
	// The real-time parts outlive SIGTERM: requests that finish during the
	// shutdown emit events, which rt.stop relays after the server is done.
	rt := startRealtime(context.WithoutCancel(ctx), s, rdb, cfg.RedisPrefix, cfg.PushWebhookURL, now, m, log)
	if cfg.PushWebhookURL == "" {
		log.Info("push notifications are off (no LINLI_PUSH_WEBHOOK_URL)")
	}
	defer rt.stop()
	signIn, err := newAuth(cfg, s, rdb, rt.outbox, now, log)
	if err != nil {
		return err
	}
	// The services are built once (internal/app): the schema serves them
	// and the periodic jobs run their clocks.
	svc := app.New(cfg, app.Parts{Client: s.Client, Now: now, Hub: rt.hub, Outbox: rt.outbox, Auth: signIn})
	svc.Requests.Escalations = m.Escalations
	// Requests and websockets run under base: cancelling it at shutdown
	// closes the websockets, which Shutdown itself leaves open.
	base, closeStreams := context.WithCancel(context.WithoutCancel(ctx))
	defer closeStreams()
	// Periodic jobs run until base ends (at shutdown, or on any return).
	waitJobs := schedule.StartObserved(base, log, m, svc.Jobs()...)
	defer func() { closeStreams(); waitJobs() }()
	ready := &readiness{store: s, redis: rdb}
	// stopping closes when the shutdown begins: new requests are then
	// answered 503 UNAVAILABLE (retry elsewhere), while those in flight,
	// which run under requests, a context shutdown never cancels, finish.
	stopping := make(chan struct{})
	requests := context.WithoutCancel(ctx)
	// Automatic persisted queries' texts are shared through Redis when it
	// is configured, so that a client's hash is known on every instance.
	var persisted graphql.Cache[string]
	if rdb != nil {
		persisted = server.RedisPersistedQueries(rdb, cfg.RedisPrefix+"apq:", 0)
	}
	handler := server.New(server.Options{
		PersistedQueries: persisted,
		Streams:          base,
		Stopping:         stopping,
		Schema:           graph.NewSchema(svc),
		Authenticate:     signIn.Authenticate,
		AuthenticateInit: server.AuthenticateInitToken(signIn.AuthenticateToken),
		Now:              now,
		WatchSession:     realtime.WatchSession(rt.hub),
		AllowedOrigins:   cfg.AllowedOrigins,
		TrustedProxies:   cfg.TrustedProxies,
		Ready:            ready.check,
		Logger:           log,
		Metrics:          m,
		Tracing:          tr.provider(),
		Production:       cfg.Production(),
		MaxBodyBytes:     cfg.MaxBodyBytes,
		MaxComplexity:    cfg.MaxComplexity,
		MaxDepth:         cfg.MaxDepth,
		Limits: server.Limits{
			Tokens: cfg.MaxTokens, Operations: cfg.MaxOperations, Aliases: cfg.MaxAliases,
			FieldRepeats: cfg.MaxFieldRepeats, InputDepth: cfg.MaxInputDepth,
			InputNodes: cfg.MaxInputNodes, FilterBranches: cfg.MaxFilterBranches,
			SubscriptionsPerSocket: cfg.MaxSubscriptionsPerSocket,
			SubscriptionsPerViewer: cfg.MaxSubscriptionsPerResident,
			SubscribesPerSecond:    cfg.MaxSubscribesPerSecond,
		},
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		BaseContext:       func(net.Listener) context.Context { return requests },
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(closeStreams)
	url := "http://" + displayAddr(ln.Addr())
	log.Info("Linli is listening", "url", url+"/graphql", "env", cfg.Env, "database", s.Dialect)
	fmt.Fprintf(stdout, "Linli is listening on %s/graphql\n", url)
	if !cfg.Production() {
		fmt.Fprintf(stdout, "GraphiQL: %s/\n", url)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if cfg.DrainDelay > 0 {
		// Go on serving, unready, while load balancers take us out.
		ready.draining.Store(true)
		log.Info("draining: /readyz answers 503", "for", cfg.DrainDelay)
		select {
		case err := <-errc:
			return err
		case <-time.After(cfg.DrainDelay):
		}
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	ready.draining.Store(true)
	close(stopping)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// displayAddr turns a listener address into one a browser can open: an
// unspecified host (":8080", "[::]:8080") becomes localhost.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
