package store

import (
	"context"
	"fmt"

	"github.com/jimei-linli/linli/ent"
)

// WithTx runs fn in a transaction of client, committing when fn returns nil
// and rolling back otherwise, so that a change is written whole or not at
// all. Hooks and privacy policies apply inside as outside.
func WithTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if v := recover(); v != nil {
			tx.Rollback()
			panic(v)
		}
	}()
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return fmt.Errorf("%w (rollback: %v)", err, rerr)
		}
		return err
	}
	return tx.Commit()
}
