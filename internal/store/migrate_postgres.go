package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	entschema "entgo.io/ent/dialect/sql/schema"

	entmigrate "github.com/jimei-linli/linli/ent/migrate"
)

// migrationFiles are the committed PostgreSQL migrations: Atlas-format SQL
// files and their atlas.sum, generated from ent/schema by
// `go run ./internal/store/newmigration.go NAME`.
//
//go:embed migrations
var migrationFiles embed.FS

// revisionsTable records which migrations a PostgreSQL database has applied.
const revisionsTable = "linli_schema_revisions"

// Migrations returns the committed migrations as an Atlas directory, after
// checking them against atlas.sum.
func Migrations() (migrate.Dir, error) {
	dir := &migrate.MemDir{}
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		if err := dir.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	if err := migrate.Validate(dir); err != nil {
		return nil, fmt.Errorf("store: committed migrations do not match atlas.sum: %w", err)
	}
	return dir, nil
}

// MigratePostgres applies the committed migrations that the database has not
// applied yet, each in its own transaction, in version order. A PostgreSQL
// advisory lock serializes instances that start at the same time, so every
// migration runs exactly once.
func (s *Store) MigratePostgres(ctx context.Context) error {
	if s.Dialect != dialect.Postgres {
		return fmt.Errorf("store: MigratePostgres on a %s database", s.Dialect)
	}
	dir, err := Migrations()
	if err != nil {
		return err
	}
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	const lock = "SELECT pg_advisory_lock(hashtext('linli-migrate:' || current_schema()))"
	if _, err := conn.ExecContext(ctx, lock); err != nil {
		return fmt.Errorf("store: take migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext('linli-migrate:' || current_schema()))")
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+revisionsTable+` (
		version text PRIMARY KEY,
		description text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("store: create %s: %w", revisionsTable, err)
	}
	pending, err := pendingFiles(ctx, conn, dir)
	if err != nil {
		return err
	}
	for _, f := range pending {
		if err := applyFile(ctx, conn, f); err != nil {
			return err
		}
	}
	return nil
}

// PendingMigrations lists the versions of committed migrations that the
// PostgreSQL database has not applied.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	dir, err := Migrations()
	if err != nil {
		return nil, err
	}
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT to_regclass($1) IS NOT NULL", revisionsTable).Scan(&exists); err != nil {
		return nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	if !exists {
		return versions(files), nil
	}
	pending, err := pendingFiles(ctx, conn, dir)
	return versions(pending), err
}

func versions(files []migrate.File) []string {
	v := make([]string, len(files))
	for i, f := range files {
		v[i] = f.Version()
	}
	return v
}

// pendingFiles returns the files of dir whose versions the revisions table
// does not hold, in order.
func pendingFiles(ctx context.Context, conn *sql.Conn, dir migrate.Dir) ([]migrate.File, error) {
	rows, err := conn.QueryContext(ctx, "SELECT version FROM "+revisionsTable)
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", revisionsTable, err)
	}
	defer rows.Close()
	applied := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	var pending []migrate.File
	for _, f := range files {
		if !applied[f.Version()] {
			pending = append(pending, f)
		}
	}
	return pending, nil
}

// applyFile runs one migration file and records it, in one transaction.
func applyFile(ctx context.Context, conn *sql.Conn, f migrate.File) (err error) {
	stmts, err := f.Stmts()
	if err != nil {
		return fmt.Errorf("store: parse migration %s: %w", f.Name(), err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	for _, stmt := range stmts {
		if _, err = tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("store: migration %s: %w", f.Name(), err)
		}
	}
	if _, err = tx.ExecContext(ctx, "INSERT INTO "+revisionsTable+" (version, description) VALUES ($1, $2)", f.Version(), f.Desc()); err != nil {
		return err
	}
	return tx.Commit()
}

// ErrNoChanges is returned by DiffMigrations when the migrations in a
// directory already produce the schema ent/schema describes.
var ErrNoChanges = errors.New("store: migrations match ent/schema")

// DiffMigrations replays the migrations of dir on devStore (an empty
// PostgreSQL schema), compares the result with ent/schema, and writes the
// difference to dir as a new migration called name. It returns ErrNoChanges
// when there is no difference: that is the check CI runs.
func DiffMigrations(ctx context.Context, devStore *Store, dir migrate.Dir, name string) error {
	err := entmigrate.NewSchema(devStore.Driver).NamedDiff(ctx, name,
		entschema.WithDir(dir),
		entschema.WithMigrationMode(entschema.ModeReplay),
		entschema.WithDialect(dialect.Postgres),
		entschema.WithFormatter(migrate.DefaultFormatter),
		entschema.WithDropColumn(true),
		entschema.WithDropIndex(true),
		entschema.WithErrNoPlan(true),
	)
	if errors.Is(err, migrate.ErrNoPlan) {
		return ErrNoChanges
	}
	return err
}
