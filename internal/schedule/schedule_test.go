package schedule_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jimei-linli/linli/internal/schedule"
)

func TestStartRunsUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var runs, fails atomic.Int32
	ran := make(chan struct{}, 100)
	wait := schedule.Start(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)),
		schedule.Job{Name: "count", Every: time.Millisecond, Run: func(context.Context) error {
			runs.Add(1)
			ran <- struct{}{}
			return nil
		}},
		schedule.Job{Name: "fail", Every: time.Millisecond, Run: func(context.Context) error {
			fails.Add(1)
			return errors.New("boom")
		}},
	)
	for range 3 {
		<-ran // runs again after each round, errors or not
	}
	cancel()
	wait()
	n := runs.Load()
	if n < 3 || fails.Load() < 1 {
		t.Fatalf("runs = %d, fails = %d", n, fails.Load())
	}
	time.Sleep(5 * time.Millisecond)
	if runs.Load() != n {
		t.Error("a job ran after Start's wait returned")
	}
}

// TestJobWakesWhenDue: a job that can tell when it next has work runs then,
// not at its interval; a Wake runs it at once; Every bounds the wait. The
// bubble's clock is synthetic (testing/synctest): no wall time passes.
func TestJobWakesWhenDue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		start := time.Now()
		var ran []time.Duration
		due := []time.Duration{3 * time.Second, 0, time.Hour} // what Next answers after each round
		wake := make(chan struct{}, 1)
		wait := schedule.Start(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), schedule.Job{
			Name: "clock", Every: 30 * time.Second, Wake: wake,
			Run: func(context.Context) error { ran = append(ran, time.Since(start)); return nil },
			Next: func(context.Context) (time.Duration, bool, error) {
				if len(due) == 0 {
					return 0, false, nil
				}
				d := due[0]
				due = due[1:]
				return d, true, nil
			},
		})
		time.Sleep(5 * time.Second) // runs at 0, at 3 s (Next), at 3.01 s (Next: due now, MinWait)
		synctest.Wait()
		wake <- struct{}{} // a new deadline: runs at 5 s although Next said an hour
		synctest.Wait()
		time.Sleep(31 * time.Second) // Next knows of nothing: Every, at 35 s
		synctest.Wait()
		cancel()
		wait()
		want := []time.Duration{0, 3 * time.Second, 3*time.Second + schedule.MinWait, 5 * time.Second, 35 * time.Second}
		if len(ran) != len(want) {
			t.Fatalf("ran at %v, want %v", ran, want)
		}
		for i := range want {
			if ran[i] != want[i] {
				t.Fatalf("ran at %v, want %v", ran, want)
			}
		}
	})
}

// TestFailedRoundWaitsItsInterval: after an error the job waits Every, not
// what Next says, so a failing job does not spin.
func TestFailedRoundWaitsItsInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		start := time.Now()
		var ran []time.Duration
		wait := schedule.Start(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), schedule.Job{
			Name: "failing", Every: 10 * time.Second,
			Run:  func(context.Context) error { ran = append(ran, time.Since(start)); return errors.New("boom") },
			Next: func(context.Context) (time.Duration, bool, error) { return 0, true, nil },
		})
		time.Sleep(25 * time.Second)
		cancel()
		wait()
		if len(ran) != 3 || ran[1] != 10*time.Second || ran[2] != 20*time.Second {
			t.Fatalf("ran at %v, want 0s 10s 20s", ran)
		}
	})
}
