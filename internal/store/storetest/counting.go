package storetest

import (
	"context"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// CountingDriver wraps an ent driver and counts the SQL statements sent
// through it, inside transactions too. Tests use it to prove that a query
// costs a bounded number of statements whatever the row count.
type CountingDriver struct {
	dialect.Driver
	n atomic.Int64
}

// NewCountingDriver wraps drv.
func NewCountingDriver(drv dialect.Driver) *CountingDriver {
	return &CountingDriver{Driver: drv}
}

// Count returns the number of statements sent so far.
func (d *CountingDriver) Count() int64 { return d.n.Load() }

// Reset sets the count back to zero.
func (d *CountingDriver) Reset() { d.n.Store(0) }

// Exec counts and runs a statement.
func (d *CountingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.n.Add(1)
	return d.Driver.Exec(ctx, query, args, v)
}

// Query counts and runs a query.
func (d *CountingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.n.Add(1)
	return d.Driver.Query(ctx, query, args, v)
}

// Tx starts a transaction whose statements are counted too.
func (d *CountingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, n: &d.n}, nil
}

type countingTx struct {
	dialect.Tx
	n *atomic.Int64
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.n.Add(1)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.n.Add(1)
	return t.Tx.Query(ctx, query, args, v)
}
