// Package schedule runs the periodic jobs of an instance: the 54321 clock's
// escalations, waitlist offers that lapse, help requests that widen. A job
// runs at its interval, or sooner: when it can say when it next has work
// (Next) it wakes then, and a Wake signal (a new or changed deadline) ends
// its wait at once. Every
// instance runs every job; a job must therefore decide in the database what
// is due and claim it there (a conditional update, a row lock), so that two
// instances never do the same work twice. Jobs read the time from the
// injected clock they were built with, never from the wall, so tests drive
// them by calling Run's job function directly with a moved clock.
package schedule

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Job is one periodic job.
type Job struct {
	// Name says what the job does, for logs.
	Name string
	// Every is how often it runs at least.
	Every time.Duration
	// Run does one round of work. An error is logged; the next round runs
	// as usual.
	Run func(ctx context.Context) error
	// Next, if set, is asked after each successful round how long until
	// the job has work again (ok false: none known); the job then waits
	// that long if it is shorter than Every (but at least MinWait).
	Next func(ctx context.Context) (wait time.Duration, ok bool, err error)
	// Wake, if set, ends a wait early: its sender learnt of new work (a
	// deadline set or moved) and the job runs and asks Next again.
	Wake <-chan struct{}
}

// MinWait is the shortest wait between two rounds of a job, so that a job
// whose Next keeps answering "now" cannot spin.
const MinWait = 10 * time.Millisecond

// Observer is told of every round a job runs (internal/metrics is one).
type Observer interface {
	JobRan(name string, took time.Duration, err error)
}

// Start runs every job in its own goroutine, each once at once and then at
// its interval, until ctx ends; the returned function waits for them to
// stop.
func Start(ctx context.Context, log *slog.Logger, jobs ...Job) (wait func()) {
	return StartObserved(ctx, log, nil, jobs...)
}

// StartObserved is Start telling obs (nil: no one) of every round.
func StartObserved(ctx context.Context, log *slog.Logger, obs Observer, jobs ...Job) (wait func()) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { loop(ctx, log, obs, j) })
	}
	return wg.Wait
}

func loop(ctx context.Context, log *slog.Logger, obs Observer, j Job) {
	t := time.NewTimer(j.Every)
	defer t.Stop()
	for {
		start := time.Now()
		err := j.Run(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("scheduled job failed", "job", j.Name, "err", err)
		}
		if obs != nil && ctx.Err() == nil {
			obs.JobRan(j.Name, time.Since(start), err)
		}
		t.Reset(waitAfter(ctx, log, j, err))
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-j.Wake:
		}
	}
}

// waitAfter is how long j waits after a round that ended with err: Every,
// or less when Next knows of work sooner (never after a failed round, so a
// failing job does not retry in a tight loop).
func waitAfter(ctx context.Context, log *slog.Logger, j Job, err error) time.Duration {
	if j.Next == nil || err != nil {
		return j.Every
	}
	d, ok, err := j.Next(ctx)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("scheduled job cannot tell when it is due", "job", j.Name, "err", err)
		}
		return j.Every
	}
	if !ok || d >= j.Every {
		return j.Every
	}
	return max(d, MinWait)
}
