// Package store opens Linli's database: an embedded SQLite file by default, or
// PostgreSQL for production. It brings the schema up to date (automatic
// migration on SQLite, committed versioned migrations on PostgreSQL) and hands
// out the ent client the rest of Linli uses.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the pure-Go "sqlite" driver

	"github.com/jimei-linli/linli/ent"
	_ "github.com/jimei-linli/linli/ent/runtime" // activates ent hooks and privacy policies
)

// Store is an open database with the ent client over it.
type Store struct {
	// Client is the ent client every part of Linli reads and writes through.
	Client *ent.Client
	// DB is the underlying connection pool (for health checks and migrations).
	DB *sql.DB
	// Driver is the ent driver over DB (for schema tooling).
	Driver dialect.Driver
	// Dialect is dialect.SQLite or dialect.Postgres.
	Dialect string

	clock clock // stamps created_at and updated_at (UseClock)
}

// Close closes the client and its connection pool.
func (s *Store) Close() error { return s.Client.Close() }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

// IsPostgres reports whether databaseURL names a PostgreSQL database.
func IsPostgres(databaseURL string) bool {
	return strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://")
}

// Open opens the database named by databaseURL: a postgres:// URL, the
// special name ":memory:" (a private in-memory SQLite database, for tests),
// or the path of an SQLite file, created if missing. Open does not migrate;
// call Migrate (or MigrateSQLite) next. The client stamps created_at and
// updated_at from the store's clock (UseClock; the wall clock until then).
func Open(ctx context.Context, databaseURL string, opts ...ent.Option) (*Store, error) {
	return OpenWith(ctx, databaseURL, nil, opts...)
}

// OpenWith is Open with the client's driver wrapped by wrap (nil: as it
// is), e.g. to trace its statements (tracing.Driver). Store.Driver, which
// schema tooling uses, stays unwrapped.
func OpenWith(ctx context.Context, databaseURL string, wrap func(dialect.Driver) dialect.Driver, opts ...ent.Option) (*Store, error) {
	if databaseURL == "" {
		return nil, errors.New("store: no database given")
	}
	var (
		db  *sql.DB
		drv string
		err error
	)
	if IsPostgres(databaseURL) {
		drv = dialect.Postgres
		db, err = sql.Open("pgx", databaseURL)
		if err == nil {
			db.SetMaxOpenConns(20)
			db.SetMaxIdleConns(20)
		}
	} else {
		drv = dialect.SQLite
		db, err = sql.Open("sqlite", sqliteDSN(databaseURL))
		if err == nil {
			// SQLite has one writer at a time; a few connections let readers
			// proceed (WAL) while writes queue on busy_timeout.
			db.SetMaxOpenConns(4)
			db.SetMaxIdleConns(4)
			db.SetConnMaxLifetime(0)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", drv, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to %s database: %w", drv, err)
	}
	driver := entsql.OpenDB(drv, db)
	var clientDriver dialect.Driver = driver
	if drv == dialect.SQLite {
		clientDriver = utcTimes{driver}
	}
	if wrap != nil {
		clientDriver = wrap(clientDriver)
	}
	client := ent.NewClient(append([]ent.Option{ent.Driver(clientDriver)}, opts...)...)
	s := &Store{Client: client, DB: db, Driver: driver, Dialect: drv}
	client.Use(Timestamps(s.Now))
	return s, nil
}

// memoryDBs numbers the private in-memory databases opened by this process.
var memoryDBs atomic.Int64

// sqliteDSN builds the modernc.org/sqlite data source name for a file path
// or ":memory:". Every connection enforces foreign keys, waits up to 5 s for
// a lock, and begins transactions IMMEDIATE so that two writers never
// deadlock upgrading a read lock. Files use WAL; ":memory:" uses the memdb
// VFS so that all connections of the pool share one private database.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Set("_txlock", "immediate")
	if path == ":memory:" {
		q.Set("vfs", "memdb")
		return fmt.Sprintf("file:/linli-memory-%d?%s", memoryDBs.Add(1), q.Encode())
	}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	return "file:" + path + "?" + q.Encode()
}
