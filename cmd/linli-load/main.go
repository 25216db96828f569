// Command linli-load measures how many idle websocket subscriptions one
// Linli server holds, what each costs in memory, and how fast one
// street-wide broadcast reaches all of them.
//
// Usage:
//
//	go run ./cmd/linli-load [flags]
//	go run ./cmd/linli-load -n 1000,10000
//	go run ./cmd/linli-load -n 10000 -database 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable' -redis redis://127.0.0.1:6379/0
//
// The tool works alone, on 127.0.0.1 only:
//
//  1. It raises its open-file soft limit to the hard limit, so that the
//     server it starts inherits it (N subscriptions cost N descriptors in
//     each process).
//  2. It builds the linli binary (or takes -linli PATH) and prepares a
//     database: by default a fresh SQLite file in a temporary folder; with
//     -database postgres://... a fresh schema on that server (dropped at
//     the end; -fresh-schema=false uses the URL as it is). Either way it
//     runs `linli migrate` and `linli seed --demo`.
//  3. It mints access tokens without the SMS flow (auth.Service.TokenFor,
//     with the same JWT secret the server gets): one for each of the first
//     N demo residents who have a phone and live in a grid, and one for the
//     street admin. Subscriber i uses resident i mod R's token, so N may
//     exceed the ~2,900 residents with phones; every subscription of a
//     resident receives that resident's notification.
//  4. For each N of -n, on a fresh `linli serve --addr 127.0.0.1:0` process
//     (all rounds share the database): it samples the server's memory
//     (VmRSS from /proc/PID/status, and the Go heap and stacks from the
//     runtime's own GODEBUG=gctrace=1 lines, so nothing is added to the
//     server), connects N graphql-transport-ws subscribers -concurrency at
//     a time (connection_init with the token, connection_ack, then
//     `subscription { notificationAdded { id } }`; one reading goroutine per
//     connection answers pings), waits -settle and samples the memory
//     again. Then the street admin sends one sendBroadcast to the whole
//     street over HTTP, and the tool waits (at most -timeout) until every
//     subscriber has received its `next`.
//  5. It prints one row per round: subscribers connected, deliveries
//     received/expected (and duplicates), delivery latency p50/p99/max from
//     the mutation's return (and from its send), the server's RSS before and
//     after connecting, the RSS and Go heap per idle subscription, and
//     whether the round meets the target (all connected and delivered, p99
//     under 1 s, at most 40 KiB per idle subscription). -json prints the
//     same as JSON.
//
// Each round ends by closing the subscribers and interrupting the server;
// a server still running 20 s later is killed, and the tool says so.
//
// Latencies from the mutation's return can be negative: the relay
// publishes when the transaction commits, which may be before the HTTP
// response has reached the tool.
//
// Flags:
//
//	-n LIST            subscriber counts, one round each (default 1000,10000)
//	-linli PATH        the linli binary (default: go build ./cmd/linli)
//	-database URL      postgres://... (default: a fresh SQLite file)
//	-fresh-schema      on PostgreSQL, work in a new schema (default true)
//	-redis URL         redis://... shared by the server (default: in process)
//	-concurrency K     connections dialled at a time (default 50)
//	-settle D          idle time before each memory sample (default 5s)
//	-timeout D         how long to wait for the deliveries (default 60s)
//	-connect-timeout D how long connecting one round may take (default 10m)
//	-header-auth       also send the token as an Authorization header on the upgrade
//	-json              print the results as JSON
//	-keep              keep the temporary folder (database, binary)
//	-clock N           instead: the 54321 clock round (below)
//	-instances K       servers of the clock and write rounds (default 1)
//	-write R           instead: the write round (below), R mutations a second
//	-duration D        how long the write round lasts (default 60s)
//
// The clock round (-clock N) starts K servers with a 5 s acknowledge
// deadline, files N requests through them in turn, one resident each,
// over about a second, and reads from the database when each request's
// first rung fired: it prints the lag from deadline to escalation
// (p50/p99/max) and fails if a request was not escalated, or twice.
//
// The write round (-write R) starts K servers, files requests through them
// in turn at R a second for -duration (-concurrency in flight at most; a
// tick with every worker busy counts as failed), samples the outbox's
// unpublished backlog every 250 ms, waits for it to drain, and prints the
// mutations a second achieved, the events published a second, the largest
// backlog and each event's lag from commit to publication (p50/p99/max).
//
// The tool exits with status 1 when a round fails to run and 2 when a
// round misses the target.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	opts, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	results, err := run(ctx, opts, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "linli-load:", err)
		os.Exit(1)
	}
	for _, r := range results {
		if !r.MeetsTarget {
			os.Exit(2)
		}
	}
}

// parseFlags reads the command line into options.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("linli-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var counts string
	o := options{progress: stderr}
	fs.StringVar(&counts, "n", "1000,10000", "subscriber counts, comma-separated: one round (on a fresh server) each")
	fs.StringVar(&o.linli, "linli", "", "the linli binary to run (default: build ./cmd/linli)")
	fs.StringVar(&o.database, "database", "", "a postgres:// URL (default: a fresh SQLite file in a temporary folder)")
	fs.BoolVar(&o.freshSchema, "fresh-schema", true, "on PostgreSQL, create a new schema for the run and drop it afterwards")
	fs.StringVar(&o.redis, "redis", "", "a redis:// URL for the server's broker (default: in process)")
	fs.IntVar(&o.concurrency, "concurrency", 50, "connections dialled at a time")
	fs.DurationVar(&o.settle, "settle", 5*time.Second, "idle time before each memory sample")
	fs.DurationVar(&o.deliveryTimeout, "timeout", 60*time.Second, "how long to wait for every delivery")
	fs.DurationVar(&o.connectTimeout, "connect-timeout", 10*time.Minute, "how long connecting one round's subscribers may take")
	fs.BoolVar(&o.headerAuth, "header-auth", false, "also send the token in an Authorization header on the websocket upgrade")
	fs.BoolVar(&o.jsonOut, "json", false, "print the results as JSON")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary folder")
	fs.IntVar(&o.clock, "clock", 0, "instead of the subscriber rounds: file this many requests and measure from their deadlines to their escalation")
	fs.IntVar(&o.instances, "instances", 1, "servers of the -clock and -write rounds (they share the database; use -database and -redis for several)")
	fs.IntVar(&o.write, "write", 0, "instead of the subscriber rounds: file requests at this many a second for -duration and measure the outbox relay's lag")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long the -write round files requests")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments %q\n", fs.Args())
		return o, flag.ErrHelp
	}
	var err error
	if o.counts, err = parseCounts(counts); err != nil {
		fmt.Fprintln(stderr, err)
		return o, err
	}
	if o.concurrency < 1 {
		o.concurrency = 1
	}
	return o, nil
}

// maxSubscribers bounds -n: one process holds one descriptor per
// subscriber and the machine allows 20,000.
const maxSubscribers = 18000

// parseCounts parses "1000,10000".
func parseCounts(s string) ([]int, error) {
	var counts []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > maxSubscribers {
			return nil, fmt.Errorf("-n: %q is not a count from 1 to %d", f, maxSubscribers)
		}
		counts = append(counts, n)
	}
	return counts, nil
}
