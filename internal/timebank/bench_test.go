package timebank_test

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/timebank"
)

// postgres opens a fresh PostgreSQL database for a benchmark, or skips.
func postgres(b *testing.B) *ent.Client {
	if os.Getenv(storetest.EnvPostgres) == "" {
		b.Skip("set " + storetest.EnvPostgres + " to benchmark on PostgreSQL")
	}
	return storetest.Client(b, storetest.Postgres)
}

// BenchmarkPostings: transfers between 40 residents from 20 concurrent
// clients, each its own transaction with its idempotency key; reports
// postings per second.
func BenchmarkPostings(b *testing.B) {
	c := postgres(b)
	_, rs := world(b, c, 40)
	bank := timebank.New(c, nil, now, 1_000_000_000)
	var next atomic.Int64
	b.SetParallelism(max(1, 20/runtimeProcs()))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1))
			from, to := rs[i%40], rs[(i*7+1)%40]
			if from == to {
				to = rs[(i+1)%40]
			}
			if _, err := bank.Transfer(as(from), timebank.Transfer{ToResidentID: to, Minutes: 1 + i%30, Key: fmt.Sprint(i)}); err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "postings/s")
}

// BenchmarkStatement: the first page (20 entries) of the statement of an
// account with 10,000 entries, read as its owner through the privacy
// rules.
func BenchmarkStatement(b *testing.B) {
	c := postgres(b)
	community, rs := world(b, c, 1)
	bank := timebank.New(c, nil, now, 0)
	var account int
	err := store.WithTx(sys, c, func(tx *ent.Tx) error {
		pool, err := timebank.PoolAccount(sys, tx.Client(), community, at)
		if err != nil {
			return err
		}
		if account, err = bank.ResidentAccount(sys, tx.Client(), rs[0]); err != nil {
			return err
		}
		const n, batch = 10_000, 500
		for start := 0; start < n; start += batch {
			ts := make([]*ent.LedgerTransferCreate, batch)
			for i := range ts {
				ts[i] = tx.LedgerTransfer.Create().SetKey(fmt.Sprint("bench:", start+i)).SetKind(ledgertransfer.KindGRANT).
					SetFromAccountID(pool).SetToAccountID(account).SetMinutes(1).SetCreatedAt(at)
			}
			saved, err := tx.LedgerTransfer.CreateBulk(ts...).Save(sys)
			if err != nil {
				return err
			}
			es := make([]*ent.LedgerEntryCreate, 0, 2*batch)
			for i, t := range saved {
				k := start + i + 1
				es = append(es,
					tx.LedgerEntry.Create().SetTransferID(t.ID).SetAccountID(pool).SetMinutes(-1).SetBalanceAfter(-k).SetCreatedAt(at),
					tx.LedgerEntry.Create().SetTransferID(t.ID).SetAccountID(account).SetMinutes(1).SetBalanceAfter(k).SetCreatedAt(at))
			}
			if err := tx.LedgerEntry.CreateBulk(es...).Exec(sys); err != nil {
				return err
			}
		}
		if err := tx.TimeAccount.UpdateOneID(pool).SetBalance(-n).Exec(sys); err != nil {
			return err
		}
		return tx.TimeAccount.UpdateOneID(account).SetBalance(n).Exec(sys)
	})
	if err != nil {
		b.Fatal(err)
	}
	first := 20
	ctx := as(rs[0])
	b.ResetTimer()
	for b.Loop() {
		page, err := bank.Statement(ctx, account, nil, &first)
		if err != nil || len(page.Edges) != 20 || page.Edges[0].Node.BalanceAfter != 10_000 {
			b.Fatalf("statement: %v, %v", page, err)
		}
	}
}
