package main

import (
	"context"
	"fmt"
	"io"

	"entgo.io/ent/dialect"

	"github.com/jimei-linli/linli/internal/config"
)

// migrate brings the database schema up to date: PostgreSQL applies its
// pending committed migrations, SQLite migrates itself.
func migrate(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("migrate: unexpected arguments %q", args)
	}
	log := newLogger(cfg, stdout)
	s, err := openDatabase(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer s.Close()
	if s.Dialect == dialect.Postgres {
		fmt.Fprintln(stdout, "PostgreSQL schema is up to date")
	} else {
		fmt.Fprintln(stdout, "SQLite schema is up to date")
	}
	return nil
}
