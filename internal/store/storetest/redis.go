package storetest

import (
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// EnvRedis is the environment variable that names the Redis server the
// Redis suites may use, e.g. redis://127.0.0.1:6379/0.
const EnvRedis = "LINLI_TEST_REDIS_URL"

// RedisURL returns the Redis server named by EnvRedis, and skips the test
// when it is not set.
func RedisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvRedis)
	if u == "" {
		t.Skipf("Redis suites need %s (e.g. redis://127.0.0.1:6379/0)", EnvRedis)
	}
	return u
}

// Redis returns a client of the Redis server named by EnvRedis, closed when
// the test ends, and skips the test when it is not set. Tests share that
// server: each keeps to keys and channels of its own.
func Redis(t testing.TB) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL(t))
	if err != nil {
		t.Fatalf("%s: %v", EnvRedis, err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}
