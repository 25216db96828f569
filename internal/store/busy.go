package store

import (
	"context"
	"errors"
	"time"

	"github.com/jimei-linli/linli/ent"
)

// sqliteBusy is SQLite's primary result code SQLITE_BUSY: another
// connection holds the write lock for longer than busy_timeout.
const sqliteBusy = 5

// IsBusy reports whether err is SQLite's SQLITE_BUSY (or an extended code
// of it): the database was locked by another writer beyond busy_timeout.
func IsBusy(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == sqliteBusy
}

// BeginLong begins a transaction for a long write (seeding the demo
// street, which holds SQLite's one write lock for seconds): where
// busy_timeout would give up while another long write runs, it waits and
// tries again, for at most wait. On PostgreSQL it is client.Tx.
func BeginLong(ctx context.Context, client *ent.Client, wait time.Duration) (*ent.Tx, error) {
	deadline := time.Now().Add(wait)
	for {
		tx, err := client.Tx(ctx)
		if err == nil || !IsBusy(err) || time.Now().After(deadline) {
			return tx, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
