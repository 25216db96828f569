package ratelimit

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvRedis names the Redis server the Redis suites use.
const EnvRedis = "LINLI_TEST_REDIS_URL"

// limiters returns every Limiter to test: in memory always, Redis when
// LINLI_TEST_REDIS_URL is set.
func limiters(t *testing.T) map[string]Limiter {
	m := map[string]Limiter{"memory": NewMemory(nil)}
	if u := os.Getenv(EnvRedis); u != "" {
		opt, err := redis.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		c := redis.NewClient(opt)
		t.Cleanup(func() { c.Close() })
		m["redis"] = NewRedis(c, fmt.Sprintf("linli-test:%d:%d:", os.Getpid(), time.Now().UnixNano()))
	} else {
		t.Logf("Redis suite skipped: set %s", EnvRedis)
	}
	return m
}

func TestAllowCountsUpToTheLimit(t *testing.T) {
	for name, l := range limiters(t) {
		t.Run(name, func(t *testing.T) {
			limit := Limit{Max: 3, Window: time.Minute}
			for i := 1; i <= 5; i++ {
				d, err := l.Allow(context.Background(), "phone:139", limit)
				if err != nil {
					t.Fatal(err)
				}
				if d.Allowed != (i <= 3) || d.Count != i {
					t.Errorf("call %d: %+v", i, d)
				}
				if d.RetryAfter <= 0 || d.RetryAfter > time.Minute {
					t.Errorf("call %d: RetryAfter %v", i, d.RetryAfter)
				}
			}
			if d, _ := l.Allow(context.Background(), "phone:other", limit); !d.Allowed {
				t.Error("another key shares the count")
			}
		})
	}
}

func TestAllowIsExactUnderConcurrency(t *testing.T) {
	for name, l := range limiters(t) {
		t.Run(name, func(t *testing.T) {
			limit := Limit{Max: 10, Window: time.Minute}
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				allowed int
			)
			for range 100 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					d, err := l.Allow(context.Background(), "ip:1.2.3.4", limit)
					if err != nil {
						t.Error(err)
						return
					}
					if d.Allowed {
						mu.Lock()
						allowed++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if allowed != 10 {
				t.Errorf("allowed %d of 100; want exactly 10", allowed)
			}
		})
	}
}

func TestMemoryWindowResets(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	l := NewMemory(func() time.Time { return now })
	limit := Limit{Max: 1, Window: time.Minute}
	if d, _ := l.Allow(context.Background(), "k", limit); !d.Allowed {
		t.Fatal("first call refused")
	}
	if d, _ := l.Allow(context.Background(), "k", limit); d.Allowed {
		t.Fatal("second call allowed")
	}
	now = now.Add(time.Minute)
	if d, _ := l.Allow(context.Background(), "k", limit); !d.Allowed || d.Count != 1 {
		t.Fatalf("after the window: %+v", d)
	}
}
