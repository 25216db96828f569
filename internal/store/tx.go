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

// AfterCommit runs f once tx has committed (never when it rolls back or
// its commit fails): for what must only follow a write that happened, such
// as waking a relay or a clock.
func AfterCommit(tx *ent.Tx, f func()) {
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			if err == nil {
				f()
			}
			return err
		})
	})
}

// ClaimEach runs claim for each item, in order, each in a transaction of
// its own, and returns how many it claimed. It is the loop of periodic jobs
// that every instance runs: claim makes a conditional update (still due,
// still in the state the job expects) and reports false when it matched no
// row because another instance got there first; then nothing else is
// written. ClaimEach stops at the first error.
func ClaimEach[T any](ctx context.Context, client *ent.Client, items []T, claim func(tx *ent.Tx, item T) (bool, error)) (int, error) {
	claimed := 0
	for _, item := range items {
		var ok bool
		err := WithTx(ctx, client, func(tx *ent.Tx) (err error) {
			ok, err = claim(tx, item)
			return err
		})
		if err != nil {
			return claimed, err
		}
		if ok {
			claimed++
		}
	}
	return claimed, nil
}
