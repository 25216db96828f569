//go:build ignore

// Command newmigration writes a new PostgreSQL migration to
// internal/store/migrations: the difference between what the committed
// migrations build and what ent/schema describes. It uses ent's Atlas-based
// Go API against a scratch schema on a PostgreSQL server; no Atlas binary.
//
//	go run -mod=mod ./internal/store/newmigration.go add_requests
//
// The server is LINLI_DEV_DATABASE_URL, by default the local test database.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"ariga.io/atlas/sql/migrate"

	"github.com/jimei-linli/linli/internal/store"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go run ./internal/store/newmigration.go NAME")
	}
	base := os.Getenv("LINLI_DEV_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	dev, drop, err := store.CreateDatabase(ctx, base, fmt.Sprintf("linli_dev_%d", time.Now().UnixNano()))
	if err != nil {
		log.Fatal(err)
	}
	defer drop()
	s, err := store.Open(ctx, dev)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	dir, err := migrate.NewLocalDir("internal/store/migrations")
	if err != nil {
		log.Fatal(err)
	}
	switch err := store.DiffMigrations(ctx, s, dir, os.Args[1]); {
	case errors.Is(err, store.ErrNoChanges):
		fmt.Println("no changes: the migrations already match ent/schema")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println("wrote a new migration to internal/store/migrations")
	}
}
