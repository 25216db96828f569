package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"
)

// options is what the command line asks for.
type options struct {
	counts          []int
	linli           string
	database        string
	freshSchema     bool
	redis           string
	concurrency     int
	settle          time.Duration
	deliveryTimeout time.Duration
	connectTimeout  time.Duration
	headerAuth      bool
	jsonOut         bool
	keep            bool
	clock           int // requests of the clock round (0: subscriber rounds)
	instances       int // servers of the clock and write rounds
	write           int // mutations a second of the write round (0: no write round)
	duration        time.Duration
	progress        io.Writer // where progress goes (stderr)
}

// run is the whole tool: it prepares the binary, the database and the
// tokens, runs one round per count and writes the report to stdout.
func run(ctx context.Context, o options, stdout io.Writer) ([]roundResult, error) {
	if o.progress == nil {
		o.progress = io.Discard
	}
	// logf is called from the connecting goroutines too (their progress):
	// one line at a time, whatever writer progress is.
	var progressMu sync.Mutex
	logf := func(format string, args ...any) {
		progressMu.Lock()
		defer progressMu.Unlock()
		fmt.Fprintf(o.progress, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	soft, hard, err := raiseFileLimit()
	if err != nil {
		return nil, err
	}
	logf("open files: soft limit %d, hard limit %d", soft, hard)
	for _, n := range o.counts {
		if uint64(n)+256 > soft {
			return nil, fmt.Errorf("%d subscribers need more than the %d open files allowed", n, soft)
		}
	}

	dir, err := os.MkdirTemp("", "linli-load-")
	if err != nil {
		return nil, err
	}
	if o.keep {
		logf("keeping %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := o.linli
	if bin == "" {
		logf("building linli")
		if bin, err = buildLinli(ctx, dir); err != nil {
			return nil, err
		}
	}
	db, err := prepareDatabase(ctx, o, bin, dir, logf)
	if err != nil {
		return nil, err
	}
	defer db.drop()

	most := o.clock // the clock round files one request per resident
	switch {
	case o.write > 0:
		most = 2000 // the write round's residents take turns
	case o.clock == 0:
		most = slices.Max(o.counts)
	}
	start := time.Now()
	toks, err := mintTokens(ctx, db.url, most)
	if err != nil {
		return nil, err
	}
	logf("minted %d resident tokens and the street admin's in %v", len(toks.subscribers), time.Since(start).Round(time.Millisecond))

	if o.clock > 0 {
		_, err := runClock(ctx, o, bin, db, toks, logf, stdout)
		return nil, err
	}
	if o.write > 0 {
		r, err := runOutbox(ctx, o, bin, db, toks, logf, stdout)
		if err == nil && o.jsonOut {
			err = writeJSON(stdout, r)
		}
		return nil, err
	}
	var results []roundResult
	for _, n := range o.counts {
		r, err := runRound(ctx, o, bin, db, toks, n, logf)
		if err != nil {
			return results, fmt.Errorf("round of %d: %w", n, err)
		}
		results = append(results, r)
		logf("round of %d done: %s", n, r.summary())
	}
	if o.jsonOut {
		return results, writeJSON(stdout, results)
	}
	writeTable(stdout, results)
	return results, nil
}

// runRound starts a fresh server, connects n subscribers, samples the
// server's memory, sends one street-wide broadcast and collects the
// deliveries.
func runRound(ctx context.Context, o options, bin string, db database, toks tokens, n int, logf func(string, ...any)) (roundResult, error) {
	r := roundResult{Backend: db.backend(o.redis), N: n, Residents: min(n, len(toks.subscribers))}
	srv, err := startServer(ctx, bin, db.env(o.redis))
	if err != nil {
		return r, err
	}
	defer func() {
		f := "server stopped in %v"
		took, graceful := srv.stop()
		if !graceful {
			f = "server did not stop within %v of SIGINT: killed\n" + srv.logTail()
		}
		logf(f, took.Round(time.Millisecond))
	}()
	logf("server pid %d at %s (open files: %s)", srv.pid, srv.url, srv.fileLimit())
	client := newHTTPClient()
	defer client.CloseIdleConnections()

	street, err := streetID(ctx, client, srv.url)
	if err != nil {
		return r, fmt.Errorf("%w\n%s", err, srv.logTail())
	}
	if err := checkToken(ctx, client, srv.url, toks.admin); err != nil {
		return r, fmt.Errorf("the street admin's token: %w\n%s", err, srv.logTail())
	}
	if err := sleep(ctx, o.settle); err != nil {
		return r, err
	}
	r.Before = srv.sample()

	connectStart := time.Now()
	f := newFleet(ctx, srv.url, o.headerAuth)
	defer f.close()
	connected := f.connect(n, toks.subscribers, o.concurrency, o.connectTimeout, func(done int) {
		logf("  %d/%d subscribed", done, n)
	})
	r.Connected = connected
	r.ConnectFailures = n - connected
	r.ConnectError = f.firstDialError()
	r.ConnectSeconds = time.Since(connectStart).Seconds()
	logf("%d/%d subscribers connected in %.1fs; settling %v", connected, n, r.ConnectSeconds, o.settle)
	if connected == 0 {
		return r, fmt.Errorf("no subscriber connected: %s\n%s", r.ConnectError, srv.logTail())
	}
	if err := sleep(ctx, o.settle); err != nil {
		return r, err
	}
	r.After = srv.sample()
	r.computeMemory()

	sent := time.Now()
	recipients, err := sendBroadcast(ctx, client, srv.url, toks.admin, street, n)
	returned := time.Now()
	if err != nil {
		return r, fmt.Errorf("sendBroadcast: %w\n%s", err, srv.logTail())
	}
	r.RecipientCount = recipients
	r.MutationMillis = ms(returned.Sub(sent))
	r.Expected = connected
	complete := f.waitDelivered(ctx, connected, o.deliveryTimeout)
	if complete {
		// Linger a moment to catch duplicates.
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			return r, err
		}
	}
	r.Delivered, r.Duplicates = f.counts()
	r.StreamErrors, r.StreamError = f.streamErrors()
	recv := f.receipts()
	r.FromReturn = latencies(recv, returned)
	r.FromSend = latencies(recv, sent)
	r.judge()
	return r, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
