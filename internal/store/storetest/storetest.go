// Package storetest gives tests a fresh, migrated database on each backend
// Linli supports: a private in-memory SQLite database always, and a fresh
// PostgreSQL schema when LINLI_TEST_DATABASE_URL names a PostgreSQL server
// (CI sets it, so every suite that uses Each runs on both).
package storetest

import (
	"context"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/testclock"
)

// EnvPostgres is the environment variable that names the PostgreSQL server
// tests may use, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvPostgres = "LINLI_TEST_DATABASE_URL"

// Backend names a database backend a test runs on.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Each runs fn as a subtest on every backend: SQLite always, PostgreSQL when
// LINLI_TEST_DATABASE_URL is set (skipped with a note otherwise). Each
// subtest gets its own fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, b := range []Backend{SQLite, Postgres} {
		t.Run(string(b), func(t *testing.T) {
			fn(t, Open(t, b))
		})
	}
}

// Open returns a fresh, migrated database on backend b, closed (and, on
// PostgreSQL, dropped) when the test ends. On PostgreSQL without
// LINLI_TEST_DATABASE_URL the test is skipped. Its clock (Store.UseClock)
// stands still at testclock.Start(), so the timestamps it writes never read
// the wall clock; a test with a moving business clock hands it to the store.
func Open(t testing.TB, b Backend) *store.Store {
	t.Helper()
	return OpenWith(t, b, nil)
}

// OpenWith is Open with the client's driver wrapped by wrap (see
// store.OpenWith).
func OpenWith(t testing.TB, b Backend, wrap func(dialect.Driver) dialect.Driver) *store.Store {
	t.Helper()
	ctx := context.Background()
	var (
		s   *store.Store
		err error
	)
	switch b {
	case SQLite:
		s, err = store.OpenWith(ctx, ":memory:", wrap)
		if err == nil {
			err = s.MigrateSQLite(ctx)
		}
	case Postgres:
		s, err = openPostgres(t, wrap)
	default:
		t.Fatalf("storetest: unknown backend %q", b)
	}
	if err != nil {
		t.Fatalf("storetest: open %s: %v", b, err)
	}
	s.UseClock(testclock.Start)
	t.Cleanup(func() { s.Close() })
	return s
}

// Client is a shortcut for Open(t, b).Client.
func Client(t testing.TB, b Backend) *ent.Client {
	t.Helper()
	return Open(t, b).Client
}
