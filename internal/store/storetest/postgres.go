package storetest

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/jimei-linli/linli/internal/store"
)

// schemas numbers the PostgreSQL schemas this test process creates.
var schemas atomic.Int64

// NewSchemaURL creates a fresh, empty schema on the server named by
// LINLI_TEST_DATABASE_URL and returns a URL whose connections use it; the
// schema is dropped when the test ends. Without the variable the test is
// skipped.
func NewSchemaURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL tests need %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvPostgres)
	}
	name := fmt.Sprintf("linli_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemas.Add(1))
	u, drop, err := store.CreateSchema(context.Background(), base, name)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { drop() })
	return u
}

// openPostgres opens a store on a fresh schema with Linli's migrations applied.
func openPostgres(t testing.TB, wrap func(dialect.Driver) dialect.Driver) (*store.Store, error) {
	ctx := context.Background()
	s, err := store.OpenWith(ctx, NewSchemaURL(t), wrap)
	if err != nil {
		return nil, err
	}
	if err := s.MigratePostgres(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
