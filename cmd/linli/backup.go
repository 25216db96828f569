package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jimei-linli/linli/internal/config"
	"github.com/jimei-linli/linli/internal/store"
)

// backupCommand writes an online, consistent copy of the SQLite database
// to the one path in args (`linli backup PATH`), while a server may be
// serving it. It neither migrates nor changes the database.
func backupCommand(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] == "" {
		return errors.New("backup: give the path of the copy, e.g. linli backup /backups/linli-2026-12-02.db")
	}
	s, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.BackupSQLite(ctx, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", cfg.DatabaseURL, args[0])
	return nil
}
