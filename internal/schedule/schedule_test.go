package schedule_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
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
