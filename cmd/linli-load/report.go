package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// The target of the issue.
const (
	targetP99       = time.Second
	targetKiBPerSub = 40
)

// roundResult is what one round measured.
type roundResult struct {
	Backend   string `json:"backend"`   // sqlite, postgres, postgres+redis...
	N         int    `json:"n"`         // subscribers asked for
	Residents int    `json:"residents"` // distinct residents among them

	Connected       int     `json:"connected"`
	ConnectFailures int     `json:"connectFailures"`
	ConnectError    string  `json:"connectError,omitempty"` // the first
	ConnectSeconds  float64 `json:"connectSeconds"`

	Before sample `json:"before"` // the server before connecting
	After  sample `json:"after"`  // with every subscriber idle
	// KiBPerSubRSS is (After.RSS - Before.RSS) / Connected.
	KiBPerSubRSS float64 `json:"kibPerSubRSS"`
	// KiBPerSubHeap is the growth of the live heap at the last GCs before
	// the samples, per subscriber (MiB resolution; stacks not included).
	KiBPerSubHeap float64 `json:"kibPerSubHeap"`

	RecipientCount int     `json:"recipientCount"` // the broadcast's
	MutationMillis float64 `json:"mutationMillis"` // sendBroadcast's round trip
	Expected       int     `json:"expected"`       // one next per connected subscriber
	Delivered      int     `json:"delivered"`
	Duplicates     int     `json:"duplicates"`
	StreamErrors   int     `json:"streamErrors"`
	StreamError    string  `json:"streamError,omitempty"` // the first
	// FromReturn measures deliveries from when the mutation's response
	// arrived; FromSend from when it was sent.
	FromReturn latency `json:"fromReturn"`
	FromSend   latency `json:"fromSend"`

	MeetsTarget bool   `json:"meetsTarget"`
	Misses      string `json:"misses,omitempty"` // why not
}

// latency summarizes delivery times, in milliseconds.
type latency struct {
	P50 float64 `json:"p50ms"`
	P99 float64 `json:"p99ms"`
	Max float64 `json:"maxms"`
}

// latencies returns the percentiles (nearest rank) of at measured from t.
func latencies(at []time.Time, t time.Time) latency {
	d := make([]time.Duration, len(at))
	for i, a := range at {
		d[i] = a.Sub(t)
	}
	return durations(d)
}

// ms converts d to milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// computeMemory fills the per-subscription costs.
func (r *roundResult) computeMemory() {
	if r.Connected == 0 {
		return
	}
	r.KiBPerSubRSS = float64(r.After.RSSKiB-r.Before.RSSKiB) / float64(r.Connected)
	r.KiBPerSubHeap = float64((r.After.LastGC.LiveMiB-r.Before.LastGC.LiveMiB)*1024) / float64(r.Connected)
}

// judge decides whether the round meets the target.
func (r *roundResult) judge() {
	var misses []string
	if r.Connected < r.N {
		misses = append(misses, fmt.Sprintf("%d of %d connected", r.Connected, r.N))
	}
	if r.Delivered < r.Expected {
		misses = append(misses, fmt.Sprintf("%d of %d delivered", r.Delivered, r.Expected))
	}
	if r.FromReturn.P99 >= ms(targetP99) {
		misses = append(misses, fmt.Sprintf("p99 %.0f ms", r.FromReturn.P99))
	}
	if r.KiBPerSubRSS > targetKiBPerSub {
		misses = append(misses, fmt.Sprintf("%.1f KiB per subscription", r.KiBPerSubRSS))
	}
	r.MeetsTarget = len(misses) == 0
	if !r.MeetsTarget {
		r.Misses = fmt.Sprint(misses)
	}
}

// summary is one line about the round.
func (r roundResult) summary() string {
	s := fmt.Sprintf("%d/%d delivered, p50 %.0f ms, p99 %.0f ms, max %.0f ms, %.1f KiB/sub (RSS)",
		r.Delivered, r.Expected, r.FromReturn.P50, r.FromReturn.P99, r.FromReturn.Max, r.KiBPerSubRSS)
	if r.StreamError != "" {
		s += "; stream errors: " + fmt.Sprint(r.StreamErrors) + ", first: " + r.StreamError
	}
	if r.ConnectError != "" {
		s += "; first connect error: " + r.ConnectError
	}
	return s
}

// writeTable prints the results as two tables: deliveries, then memory.
func writeTable(w io.Writer, results []roundResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "backend\tN\tconnected\tconnect s\tdelivered/expected\tdup\terrors\tmutation ms\tp50 ms\tp99 ms\tmax ms\tfrom send: p50/p99/max ms\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%d/%d\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f/%.0f/%.0f\t\n",
			r.Backend, r.N, r.Connected, r.ConnectSeconds, r.Delivered, r.Expected, r.Duplicates, r.StreamErrors,
			r.MutationMillis, r.FromReturn.P50, r.FromReturn.P99, r.FromReturn.Max,
			r.FromSend.P50, r.FromSend.P99, r.FromSend.Max)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "backend\tN\tRSS before MiB\tRSS after MiB\tKiB/sub (RSS)\tlive heap MiB before→after\tKiB/sub (live heap)\tserver fds\tthreads\ttarget\t")
	for _, r := range results {
		target := "met"
		if !r.MeetsTarget {
			target = "missed: " + r.Misses
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f\t%d→%d\t%.1f\t%d\t%d\t%s\t\n",
			r.Backend, r.N, float64(r.Before.RSSKiB)/1024, float64(r.After.RSSKiB)/1024, r.KiBPerSubRSS,
			r.Before.LastGC.LiveMiB, r.After.LastGC.LiveMiB, r.KiBPerSubHeap, r.After.FDs, r.After.Threads, target)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nLatency: from the mutation's return to each subscriber's first next (negative: delivered before the HTTP response arrived).\n"+
		"Live heap: at the server's last GC before the sample (GODEBUG=gctrace=1, MiB resolution); goroutine stacks are not in it, RSS has them.\n"+
		"Target: every subscriber connected and delivered, p99 < %v, at most %d KiB of server RSS per idle subscription.\n",
		targetP99, targetKiBPerSub)
}

// writeJSON prints the results as JSON.
func writeJSON(w io.Writer, results any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}
