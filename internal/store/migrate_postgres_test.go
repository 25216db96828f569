package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// TestMigrationsMatchSchema is the drift check: replaying the committed
// migrations must give exactly the schema ent/schema describes. When it
// fails, run `go run -mod=mod ./internal/store/newmigration.go NAME`.
func TestMigrationsMatchSchema(t *testing.T) {
	base := os.Getenv(storetest.EnvPostgres)
	if base == "" {
		t.Skipf("needs %s", storetest.EnvPostgres)
	}
	ctx := context.Background()
	dev, drop, err := store.CreateDatabase(ctx, base, fmt.Sprintf("linli_drift_%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	s, err := store.Open(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	err = store.DiffMigrations(ctx, s, dir, "drift")
	if !errors.Is(err, store.ErrNoChanges) {
		files, _ := dir.Files()
		last := files[len(files)-1]
		t.Fatalf("committed migrations do not match ent/schema (err=%v); the missing migration would be:\n%s\nrun: go run -mod=mod ./internal/store/newmigration.go NAME", err, last.Bytes())
	}
}

func TestMigratePostgresIsIdempotentAndConcurrent(t *testing.T) {
	u := storetest.NewSchemaURL(t)
	ctx := context.Background()
	var g errgroup.Group
	for range 3 {
		g.Go(func() error {
			s, err := store.Open(ctx, u)
			if err != nil {
				return err
			}
			defer s.Close()
			return s.MigratePostgres(ctx)
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("concurrent migrations: %v", err)
	}
	s, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.MigratePostgres(ctx); err != nil {
		t.Fatalf("second migration: %v", err)
	}
	pending, err := s.PendingMigrations(ctx)
	if err != nil || len(pending) != 0 {
		t.Fatalf("PendingMigrations = %v, %v; want none", pending, err)
	}
	dir, _ := store.Migrations()
	files, _ := dir.Files()
	var n int
	if err := s.DB.QueryRowContext(ctx, "SELECT count(*) FROM linli_schema_revisions").Scan(&n); err != nil || n != len(files) {
		t.Fatalf("revisions = %d, %v; want %d", n, err, len(files))
	}
}

func TestPendingMigrationsOnEmptyDatabase(t *testing.T) {
	u := storetest.NewSchemaURL(t)
	s, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pending, err := s.PendingMigrations(context.Background())
	if err != nil || len(pending) == 0 {
		t.Fatalf("PendingMigrations on an empty schema = %v, %v; want all", pending, err)
	}
}
