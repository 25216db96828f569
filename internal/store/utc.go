package store

import (
	"context"
	"time"

	"entgo.io/ent/dialect"
)

// utcTimes wraps an SQLite driver so that every time bound to a statement
// is in UTC. SQLite stores times as text and compares them as text, so a
// deadline written at 09:00+08:00 would sort after 02:00Z, the same
// instant; with every time in one zone, text order is time order.
// PostgreSQL has a real timestamptz and needs no such care.
type utcTimes struct {
	dialect.Driver
}

// Exec runs a statement with its times in UTC.
func (d utcTimes) Exec(ctx context.Context, query string, args, v any) error {
	return d.Driver.Exec(ctx, query, inUTC(args), v)
}

// Query runs a query with its times in UTC.
func (d utcTimes) Query(ctx context.Context, query string, args, v any) error {
	return d.Driver.Query(ctx, query, inUTC(args), v)
}

// Tx starts a transaction whose statements bind times in UTC too.
func (d utcTimes) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return utcTx{tx}, nil
}

type utcTx struct {
	dialect.Tx
}

func (t utcTx) Exec(ctx context.Context, query string, args, v any) error {
	return t.Tx.Exec(ctx, query, inUTC(args), v)
}

func (t utcTx) Query(ctx context.Context, query string, args, v any) error {
	return t.Tx.Query(ctx, query, inUTC(args), v)
}

// inUTC returns args with every time.Time (or *time.Time) in UTC.
func inUTC(args any) any {
	list, ok := args.([]any)
	if !ok {
		return args
	}
	var out []any
	for i, a := range list {
		var t time.Time
		switch x := a.(type) {
		case time.Time:
			t = x
		case *time.Time:
			if x == nil {
				continue
			}
			t = *x
		default:
			continue
		}
		if t.Location() == time.UTC {
			continue
		}
		if out == nil {
			out = append([]any(nil), list...)
		}
		out[i] = t.UTC()
	}
	if out == nil {
		return args
	}
	return out
}
