package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/redis/go-redis/v9"
)

// Automatic persisted queries (gqlgen's extension.AutomaticPersistedQuery,
// the protocol of Apollo's PersistedQueryLink and urql's
// persistedExchange): a client sends a query's SHA-256 instead of its text,
// and the text once when the server answers PERSISTED_QUERY_NOT_FOUND. The
// texts are kept in Options.PersistedQueries: in the process by default,
// in Redis (RedisPersistedQueries) when several instances serve, so that a
// query sent to one is known to all.

// persistedQueriesSize is how many query texts the in-process cache keeps.
const persistedQueriesSize = 1000

// newPersistedQueries returns the in-process cache of query texts.
func newPersistedQueries() graphql.Cache[string] { return lru.New[string](persistedQueriesSize) }

// RedisPersistedQueries returns a cache of persisted query texts in Redis,
// under prefix followed by the query's hash, each kept ttl after it was last
// added (0: 24 hours). Redis errors read as a miss (the client then sends the
// text), never as a failed request.
func RedisPersistedQueries(rdb redis.UniversalClient, prefix string, ttl time.Duration) graphql.Cache[string] {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	return redisQueries{rdb: rdb, prefix: prefix, ttl: ttl}
}

type redisQueries struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// Get returns the text stored for the hash key.
func (c redisQueries) Get(ctx context.Context, key string) (string, bool) {
	v, err := c.rdb.Get(ctx, c.prefix+key).Result()
	return v, err == nil
}

// Add stores the text value under the hash key.
func (c redisQueries) Add(ctx context.Context, key, value string) {
	_ = c.rdb.Set(ctx, c.prefix+key, value, c.ttl).Err()
}

// persistedQuery returns the text of the persisted query params names by
// hash (extensions.persistedQuery.sha256Hash), when params has no text and
// cache knows the hash and the text matches it; else "".
func persistedQuery(ctx context.Context, cache graphql.Cache[string], params *graphql.RawParams) string {
	if params.Query != "" || cache == nil {
		return ""
	}
	pq, _ := params.Extensions["persistedQuery"].(map[string]any)
	hash, _ := pq["sha256Hash"].(string)
	if hash == "" {
		return ""
	}
	q, ok := cache.Get(ctx, hash)
	if !ok {
		return ""
	}
	sum := sha256.Sum256([]byte(q))
	if hex.EncodeToString(sum[:]) != hash {
		return ""
	}
	return q
}
