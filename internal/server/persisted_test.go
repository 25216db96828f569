package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

func hashOf(q string) string {
	sum := sha256.Sum256([]byte(q))
	return hex.EncodeToString(sum[:])
}

func persistedExt(q string) string {
	return fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hashOf(q))
}

// TestPersistedMutationRefusedOverGET: a mutation the server knows by its
// hash is refused over GET, as one sent as text is (GET never writes).
func TestPersistedMutationRefusedOverGET(t *testing.T) {
	opts, _ := testOptions(t)
	h := New(opts)
	const m = `mutation { __typename }`
	// POST registers the text under its hash (the mutation itself fails
	// validation: the test schema has no mutations; the text is kept first).
	serve(t, h, post(fmt.Sprintf(`{"query":%q,"extensions":%s}`, m, persistedExt(m))))
	r := serve(t, h, get(url.Values{"extensions": {persistedExt(m)}}))
	if r.status != http.StatusMethodNotAllowed {
		t.Errorf("persisted mutation over GET: %d %s", r.status, r.raw)
	}
	const q = `{ __typename }`
	r = serve(t, h, get(url.Values{"extensions": {persistedExt(q)}}))
	if r.status != http.StatusBadRequest || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "PERSISTED_QUERY_NOT_FOUND" ||
		r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Errorf("unknown hash: %d %s", r.status, r.raw)
	}
	serve(t, h, get(url.Values{"query": {q}, "extensions": {persistedExt(q)}}))
	if r = serve(t, h, get(url.Values{"extensions": {persistedExt(q)}})); r.status != http.StatusOK || len(r.Errors) != 0 {
		t.Errorf("known hash: %d %s", r.status, r.raw)
	}
	bad := `{"persistedQuery":{"version":1,"sha256Hash":"00"}}`
	if r = serve(t, h, get(url.Values{"query": {q}, "extensions": {bad}})); r.status != http.StatusBadRequest ||
		len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("wrong hash: %d %s", r.status, r.raw)
	}
}

// TestRedisPersistedQueries: two servers sharing Redis share the texts.
func TestRedisPersistedQueries(t *testing.T) {
	u := os.Getenv("LINLI_TEST_REDIS_URL")
	if u == "" {
		t.Skip("LINLI_TEST_REDIS_URL is not set")
	}
	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(o)
	t.Cleanup(func() { rdb.Close() })
	prefix := fmt.Sprintf("linli-test:%s:%d:apq:", t.Name(), os.Getpid())
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	newServer := func() http.Handler {
		opts, _ := testOptions(t)
		opts.PersistedQueries = RedisPersistedQueries(rdb, prefix, 0)
		return New(opts)
	}
	a, b := newServer(), newServer()
	const q = `{ __typename }`
	if r := serve(t, a, post(fmt.Sprintf(`{"query":%q,"extensions":%s}`, q, persistedExt(q)))); r.status != http.StatusOK {
		t.Fatalf("register: %d %s", r.status, r.raw)
	}
	if r := serve(t, b, post(fmt.Sprintf(`{"extensions":%s}`, persistedExt(q)))); r.status != http.StatusOK || len(r.Errors) != 0 {
		t.Errorf("the other server: %d %s", r.status, r.raw)
	}
	if ttl := rdb.TTL(context.Background(), prefix+hashOf(q)).Val(); ttl <= 0 {
		t.Errorf("the text is kept without expiry (TTL %v)", ttl)
	}
}
