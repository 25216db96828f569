package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/event"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// TestBackupDuringWrites runs `linli backup` on an SQLite database that a
// writer keeps committing to, one row per transaction, then restores the
// copy (opens it as a database): every row committed before the backup
// began is there, the copy holds an unbroken prefix of the writes (no
// torn transaction), passes SQLite's integrity check, and serves again.
func TestBackupDuringWrites(t *testing.T) {
	dir := t.TempDir()
	db, copyPath := filepath.Join(dir, "linli.db"), filepath.Join(dir, "backup", "copy.db")
	ctx := viewer.SystemContext(context.Background())
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.MigrateSQLite(ctx); err != nil {
		t.Fatal(err)
	}
	var committed atomic.Int64 // rows committed so far
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for i := int64(1); ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, err := s.Client.Event.Create().SetKind("backup.test").SetTopics([]string{}).SetCreatedAt(time.Now()).Save(ctx); err != nil {
				done <- err
				return
			}
			committed.Store(i)
		}
	}()
	for committed.Load() < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	env := map[string]string{"LINLI_DATABASE_URL": db}
	var out bytes.Buffer
	if err := run(ctx, []string{"backup", filepath.Join(dir, "missing", "x.db")}, func(k string) string { return env[k] }, &out); err == nil {
		t.Error("backup into a missing folder succeeded")
	}
	mustMkdir(t, filepath.Dir(copyPath))
	before := committed.Load()
	if err := run(ctx, []string{"backup", copyPath}, func(k string) string { return env[k] }, &out); err != nil {
		t.Fatalf("backup: %v\n%s", err, out.String())
	}
	for c := committed.Load(); committed.Load() < c+50; {
		time.Sleep(5 * time.Millisecond) // the writer went on during and after the copy
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("writer: %v", err)
	}
	if err := run(ctx, []string{"backup", copyPath}, func(k string) string { return env[k] }, &out); err == nil {
		t.Error("a backup over an existing file succeeded")
	}

	restored, err := store.Open(ctx, copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	var check string
	if err := restored.DB.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	if err := restored.MigrateSQLite(ctx); err != nil {
		t.Fatalf("the copy does not open as a Linli database: %v", err)
	}
	ids := func(c *store.Store) []int {
		t.Helper()
		ids, err := c.Client.Event.Query().Where(event.Kind("backup.test")).Order(ent.Asc(event.FieldID)).IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	copied, live := ids(restored), ids(s)
	n := len(copied)
	if n > len(live) || !slices.Equal(copied, live[:n]) {
		t.Errorf("the copy's %d rows are not the first %d of the writes", n, n)
	}
	if int64(n) < before {
		t.Errorf("the copy has %d rows; %d were committed before the backup began", n, before)
	}
	if total := committed.Load(); int64(n) >= total {
		t.Errorf("the copy has %d rows of %d: it took writes after it (or the writer stood still)", n, total)
	}
	t.Logf("%d rows committed before the backup, %d in the copy, %d in all", before, n, committed.Load())
	base := startServer(t, map[string]string{"LINLI_DATABASE_URL": copyPath})
	if r := postQuery(t, base, `{ streets { totalCount } }`); len(r.Errors) > 0 {
		t.Errorf("serving the copy: %+v", r.Errors)
	}
}

func mustMkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}
