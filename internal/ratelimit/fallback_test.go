package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jimei-linli/linli/internal/apperr"
)

// TestFallbackCountsInMemoryWhileRedisIsDown: a Redis nobody serves fails
// every Allow; the fallback then counts in memory, limits and all.
func TestFallbackCountsInMemoryWhileRedisIsDown(t *testing.T) {
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { down.Close() })
	primary := NewRedis(down, "linli-test:")
	limit := Limit{Max: 2, Window: time.Hour}
	if _, err := primary.Allow(context.Background(), "k", limit); err == nil {
		t.Fatal("a Redis nobody serves answered")
	}
	f := &Fallback{Primary: primary, Secondary: NewMemory(nil)}
	for i, want := range []bool{true, true, false} {
		d, err := f.Allow(context.Background(), "k", limit)
		if err != nil || d.Allowed != want {
			t.Fatalf("attempt %d: %+v %v, want allowed=%v", i+1, d, err, want)
		}
	}
	err := Check(context.Background(), f, "k", limit, "attempts")
	if e, ok := errors.AsType[*apperr.Error](err); !ok || e.Code != apperr.RateLimited || e.RetryAfter <= 0 {
		t.Errorf("beyond the limit: %v", err)
	}
}
