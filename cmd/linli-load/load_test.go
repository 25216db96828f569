package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestLoadSmoke runs the whole tool with 50 subscribers on SQLite: it
// builds linli, seeds, connects, broadcasts and checks that every
// subscriber got exactly one notification.
func TestLoadSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds linli and runs a server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var progress, out bytes.Buffer
	o := options{
		counts: []int{50}, concurrency: 10, freshSchema: true,
		settle: 200 * time.Millisecond, deliveryTimeout: 20 * time.Second, connectTimeout: 30 * time.Second,
		progress: &progress,
	}
	results, err := run(ctx, o, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, progress.String())
	}
	if len(results) != 1 {
		t.Fatalf("want one round, got %d", len(results))
	}
	r := results[0]
	if r.Connected != 50 || r.Expected != 50 || r.Delivered != 50 || r.Duplicates != 0 || r.StreamErrors != 0 {
		t.Fatalf("round: %+v\n%s", r, progress.String())
	}
	if r.RecipientCount < r.Residents {
		t.Errorf("the broadcast went to %d residents, fewer than the %d subscribed", r.RecipientCount, r.Residents)
	}
	if r.After.RSSKiB == 0 || r.After.FDs < 50 {
		t.Errorf("no server sample: %+v", r.After)
	}
	if !strings.Contains(out.String(), "delivered/expected") {
		t.Errorf("no table:\n%s", out.String())
	}
}

func TestParseCounts(t *testing.T) {
	got, err := parseCounts("1000, 10000")
	if err != nil || len(got) != 2 || got[0] != 1000 || got[1] != 10000 {
		t.Fatalf("parseCounts: %v %v", got, err)
	}
	for _, bad := range []string{"", "0", "x", "1,", "100000"} {
		if _, err := parseCounts(bad); err == nil {
			t.Errorf("parseCounts(%q) accepted", bad)
		}
	}
}

func TestParseGC(t *testing.T) {
	g, ok := parseGC("gc 12 @3.101s 1%: 0.015+1.2+0.004 ms clock, 0.030+0.3/1.1/0+0.009 ms cpu, 45->46->23 MB, 47 MB goal, 2 MB stacks, 0 MB globals, 2 P")
	if !ok || g.Number != 12 || g.LiveMiB != 23 || g.GoalMiB != 47 || g.StacksMiB != 2 || g.AtSeconds != 3.101 {
		t.Fatalf("parseGC: %+v %v", g, ok)
	}
	if _, ok := parseGC(`time=... level=INFO msg="http request"`); ok {
		t.Fatal("parsed a log line as a GC trace")
	}
}

func TestLatencies(t *testing.T) {
	t0 := time.Unix(100, 0)
	var at []time.Time
	for i := 1; i <= 100; i++ {
		at = append(at, t0.Add(time.Duration(i)*time.Millisecond))
	}
	l := latencies(at, t0)
	if l.P50 != 50 || l.P99 != 99 || l.Max != 100 {
		t.Fatalf("latencies: %+v", l)
	}
}

// TestClockSmoke runs the clock round small, on SQLite and one server: every
// request is escalated once, soon after its deadline.
func TestClockSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds linli and runs a server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var progress, out bytes.Buffer
	o := options{clock: 10, instances: 1, freshSchema: true, progress: &progress}
	if _, err := run(ctx, o, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, progress.String())
	}
	if !strings.Contains(out.String(), "| sqlite | 1 | 10 | 10 | 0 |") {
		t.Errorf("the table does not show 10 of 10 escalated once:\n%s", out.String())
	}
}
