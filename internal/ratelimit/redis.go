package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Limiter shared by every instance that uses the same Redis.
type Redis struct {
	client redis.UniversalClient
	prefix string
}

// NewRedis returns a limiter that keeps its counters in Redis under prefix.
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix}
}

// allowScript increments the window's counter, starts the window on the
// first operation, and returns the count and the milliseconds left.
var allowScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`)

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, limit Limit) (Decision, error) {
	res, err := allowScript.Run(ctx, r.client, []string{r.prefix + key}, limit.Window.Milliseconds()).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	n := int(res[0])
	return Decision{Allowed: n <= limit.Max, Count: n, RetryAfter: time.Duration(res[1]) * time.Millisecond}, nil
}
