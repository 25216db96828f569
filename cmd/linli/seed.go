package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/config"
	"github.com/jimei-linli/linli/internal/seed"
)

// seedCommand loads the demo street (`linli seed --demo`). Like serve, it
// migrates SQLite itself; on PostgreSQL it needs `linli migrate` (or
// --migrate) first.
func seedCommand(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("seed: unexpected arguments %q", args)
	}
	if !cfg.Demo {
		return errors.New("seed: nothing to load; pass --demo to load the demo street")
	}
	log := newLogger(cfg, stdout)
	s, err := openDatabase(ctx, cfg, log, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer s.Close()
	return loadDemo(ctx, s.Client, time.Now(), log)
}

// loadDemo loads the demo street unless it is there already, with "today"
// the day of now (the commands pass the real clock).
func loadDemo(ctx context.Context, client *ent.Client, now time.Time, log *slog.Logger) error {
	res, err := seed.Demo(ctx, client, now)
	if err != nil {
		return fmt.Errorf("load demo street: %w", err)
	}
	if res.AlreadySeeded {
		log.Info("demo street already loaded; nothing added")
		return nil
	}
	log.Info("demo street loaded",
		"communities", res.Communities, "grids", res.Grids, "places", res.Places,
		"households", res.Households, "residents", res.Residents,
		"departments", res.Departments, "roles", res.Roles)
	return nil
}
