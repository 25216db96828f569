package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"entgo.io/ent/dialect"
)

// BackupSQLite writes an online, consistent copy of the SQLite database to
// path (which must not exist) with VACUUM INTO: the copy is the database
// as one read transaction sees it, so every transaction committed before
// the backup began is in it whole and none that commits later is, while
// the server goes on reading and writing. The copy is written beside path
// and renamed into place when complete, so a failed backup leaves no
// partial file under path. PostgreSQL is backed up with its own tools
// (pg_dump, or base backups with WAL archiving): see docs/operations.md.
func (s *Store) BackupSQLite(ctx context.Context, path string) error {
	if s.Dialect != dialect.SQLite {
		return errors.New("store: only an SQLite database is backed up by linli; use pg_dump or base backups for PostgreSQL (docs/operations.md)")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		if err == nil {
			return fmt.Errorf("store: backup: %s exists already", path)
		}
		return fmt.Errorf("store: backup: %w", err)
	}
	tmp := path + ".partial"
	_ = os.Remove(tmp)
	if _, err := s.DB.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}
