package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"entgo.io/ent/dialect"

	"github.com/jimei-linli/linli/internal/config"
	"github.com/jimei-linli/linli/internal/store"
)

// openDatabase opens the configured database and makes sure its schema is
// current: SQLite migrates itself; PostgreSQL applies its migrations when
// migrate is true and otherwise refuses to run on an outdated schema.
func openDatabase(ctx context.Context, cfg config.Config, log *slog.Logger, migrate bool) (*store.Store, error) {
	return openDatabaseWith(ctx, cfg, log, migrate, nil)
}

// openDatabaseWith is openDatabase with the client's driver wrapped by
// wrap (nil: as it is; serve traces it).
func openDatabaseWith(ctx context.Context, cfg config.Config, log *slog.Logger, migrate bool, wrap func(dialect.Driver) dialect.Driver) (*store.Store, error) {
	s, err := store.OpenWith(ctx, cfg.DatabaseURL, wrap)
	if err != nil {
		return nil, err
	}
	if err := bringUpToDate(ctx, s, log, migrate); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func bringUpToDate(ctx context.Context, s *store.Store, log *slog.Logger, migrate bool) error {
	if s.Dialect == dialect.SQLite {
		return s.MigrateSQLite(ctx)
	}
	pending, err := s.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		return nil
	}
	if !migrate {
		return fmt.Errorf("the PostgreSQL schema is behind by %d migration(s) (%s): run `linli migrate` or start with --migrate", len(pending), strings.Join(pending, ", "))
	}
	log.Info("applying migrations", "pending", pending)
	return s.MigratePostgres(ctx)
}
