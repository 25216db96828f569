package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"regexp"
)

// schemaName is what CreateSchema accepts as a schema name.
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CreateSchema creates the PostgreSQL schema name on the server baseURL
// names and returns a URL whose connections work in it (its search_path
// set), with a function that drops the schema and everything in it. Tests
// and the migration tools use it for a clean database of their own.
func CreateSchema(ctx context.Context, baseURL, name string) (schemaURL string, drop func() error, err error) {
	if schemaURL, err = WithSearchPath(baseURL, name); err != nil {
		return "", nil, err
	}
	drop, err = createScratch(ctx, baseURL, name, "CREATE SCHEMA %s", "DROP SCHEMA IF EXISTS %s CASCADE")
	return schemaURL, drop, err
}

// CreateDatabase creates the PostgreSQL database name on the server baseURL
// names and returns a URL for it, with a function that drops it. The
// migration tools replay migrations in such a scratch database: Atlas wants
// a database with nothing in it but an empty public schema.
func CreateDatabase(ctx context.Context, baseURL, name string) (dbURL string, drop func() error, err error) {
	parsed, err := url.Parse(baseURL)
	if err != nil {
		return "", nil, fmt.Errorf("store: parse database URL: %w", err)
	}
	parsed.Path = "/" + name
	drop, err = createScratch(ctx, baseURL, name, "CREATE DATABASE %s", "DROP DATABASE IF EXISTS %s WITH (FORCE)")
	return parsed.String(), drop, err
}

// createScratch runs create for name on the server baseURL names and
// returns a function that runs drop for it.
func createScratch(ctx context.Context, baseURL, name, create, drop string) (func() error, error) {
	if !schemaName.MatchString(name) {
		return nil, fmt.Errorf("store: bad schema or database name %q", name)
	}
	admin, err := sql.Open("pgx", baseURL)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(create, name)); err != nil {
		return nil, fmt.Errorf("store: %s: %w", fmt.Sprintf(create, name), err)
	}
	return func() error {
		db, err := sql.Open("pgx", baseURL)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.ExecContext(context.Background(), fmt.Sprintf(drop, name))
		return err
	}, nil
}

// WithSearchPath returns the PostgreSQL URL u with its search_path set to
// schema, so that every connection works in that schema.
func WithSearchPath(u, schema string) (string, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("store: parse database URL: %w", err)
	}
	q := parsed.Query()
	q.Set("search_path", schema)
	parsed.RawQuery = q.Encode()
	return parsed.String(), nil
}
