package store

import (
	"context"
	"fmt"
)

// MigrateSQLite creates or updates the SQLite schema to match ent/schema.
// The embedded database migrates itself automatically on every start.
func (s *Store) MigrateSQLite(ctx context.Context) error {
	if err := s.Client.Schema.Create(ctx); err != nil {
		return fmt.Errorf("store: migrate sqlite schema: %w", err)
	}
	return nil
}
