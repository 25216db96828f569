package timebank_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/credit"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/timebank"
)

// grant gives a resident minutes from the community's pool.
func grant(t testing.TB, c *ent.Client, bank *timebank.Service, community, resident, minutes int) {
	t.Helper()
	err := store.WithTx(sys, c, func(tx *ent.Tx) error {
		pool, err := timebank.PoolAccount(sys, tx.Client(), community, at)
		if err != nil {
			return err
		}
		acc, err := bank.ResidentAccount(sys, tx.Client(), resident)
		if err != nil {
			return err
		}
		_, err = timebank.Post(sys, tx.Client(), timebank.Posting{Kind: ledgertransfer.KindGRANT, From: pool, To: acc,
			Minutes: minutes, Key: fmt.Sprintf("grant:%d", resident), At: at})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTransfersAndTheirRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := s.Client
		community, rs := world(t, c, 3)
		a, b := rs[0], rs[1]
		bank := timebank.New(c, nil, now, 30)
		grant(t, c, bank, community, a, 60)

		first, err := bank.Transfer(as(a), timebank.Transfer{ToResidentID: b, Minutes: 40, Key: "k1"})
		if err != nil {
			t.Fatal(err)
		}
		again, err := bank.Transfer(as(a), timebank.Transfer{ToResidentID: b, Minutes: 40, Key: "k1"})
		if err != nil || again.ID != first.ID {
			t.Fatalf("a retry with the same key: %v, %v; want the first posting %d", again, err, first.ID)
		}
		_, err = bank.Transfer(as(a), timebank.Transfer{ToResidentID: b, Minutes: 41, Key: "k1"})
		wantCode(t, err, apperr.Conflict)
		_, err = bank.Transfer(as(a), timebank.Transfer{ToResidentID: b, Minutes: 0, Key: "k2"})
		wantCode(t, err, apperr.BadUserInput)
		_, err = bank.Transfer(as(a), timebank.Transfer{ToResidentID: b, Minutes: -5, Key: "k2"})
		wantCode(t, err, apperr.BadUserInput)
		_, err = bank.Transfer(as(a), timebank.Transfer{ToResidentID: a, Minutes: 5, Key: "k2"})
		wantCode(t, err, apperr.BadUserInput)
		// 20 left, 30 of credit: 51 is one too many, 50 is fine.
		_, err = bank.Transfer(as(a), timebank.Transfer{ToResidentID: b, Minutes: 51, Key: "k3"})
		wantCode(t, err, apperr.Conflict)
		if _, err := bank.Transfer(as(a), timebank.Transfer{ToResidentID: b, Minutes: 50, Key: "k3"}); err != nil {
			t.Fatal(err)
		}
		if n := c.LedgerTransfer.Query().CountX(sys); n != 3 {
			t.Errorf("%d postings, want 3 (the grant and two transfers)", n)
		}
		mine, err := bank.MyAccount(as(a))
		if err != nil || mine.Balance != -30 {
			t.Errorf("a's account: %+v, %v; want balance -30", mine, err)
		}
		// Nobody else reads a's account or its statement.
		if _, err := bank.Statement(as(b), mine.ID, nil, nil); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("b reads a's statement: %v", err)
		}
		page, err := bank.Statement(as(a), mine.ID, nil, nil)
		if err != nil || len(page.Edges) != 3 || page.Edges[0].Node.Minutes != -50 {
			t.Fatalf("a's statement: %v, %v", page, err)
		}
		// Donations go to the pool.
		if _, err := bank.Donate(as(b), timebank.Donation{CommunityID: community, Minutes: 15, Key: "d1"}); err != nil {
			t.Fatal(err)
		}
		checkBooks(t, c)
	})
}

func TestSpendAndRefund(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := s.Client
		community, rs := world(t, c, 1)
		bank := timebank.New(c, nil, now, 0)
		grant(t, c, bank, community, rs[0], 30)
		var spender credit.Spender = bank
		spend := credit.Spend{ResidentID: rs[0], Minutes: 20, CommunityID: community, Memo: "lunch", Key: "canteen-order:1"}
		var first, second int
		for _, id := range []*int{&first, &second} {
			err := store.WithTx(sys, c, func(tx *ent.Tx) (err error) {
				*id, err = spender.Spend(sys, tx, spend)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if first != second {
			t.Errorf("spending twice under one key gave entries %d and %d", first, second)
		}
		over := spend
		over.Key, over.Minutes = "canteen-order:2", 11
		err := store.WithTx(sys, c, func(tx *ent.Tx) error { _, err := spender.Spend(sys, tx, over); return err })
		wantCode(t, err, apperr.Conflict)
		for range 2 {
			if err := store.WithTx(sys, c, func(tx *ent.Tx) error { return spender.Refund(sys, tx, spend.Key, "") }); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.WithTx(sys, c, func(tx *ent.Tx) error { return spender.Refund(sys, tx, "never-spent", "") }); err != nil {
			t.Fatal(err)
		}
		if n := c.LedgerTransfer.Query().Where(ledgertransfer.KindEQ(ledgertransfer.KindREFUND)).CountX(sys); n != 1 {
			t.Errorf("%d refunds, want 1", n)
		}
		acc, _ := bank.MyAccount(as(rs[0]))
		if acc.Balance != 30 {
			t.Errorf("balance after spend and refund: %d, want 30", acc.Balance)
		}
		checkBooks(t, c)
	})
}

// TestConcurrentTransfers: 100 transfers among 10 accounts at once, each
// sent twice (a client's retry): no balance goes below its limit, the
// total stays zero and each key posts once.
func TestConcurrentTransfers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := s.Client
		community, rs := world(t, c, 10)
		bank := timebank.New(c, nil, now, 20)
		for _, r := range rs {
			grant(t, c, bank, community, r, 30)
		}
		rng := rand.New(rand.NewPCG(6, 6))
		type job struct{ from, to, minutes int }
		jobs := make([]job, 100)
		for i := range jobs {
			from := rng.IntN(10)
			to := (from + 1 + rng.IntN(9)) % 10
			jobs[i] = job{rs[from], rs[to], 1 + rng.IntN(40)}
		}
		var mu sync.Mutex
		posted := map[string]map[int]bool{}
		var wg sync.WaitGroup
		for i, j := range jobs {
			key := fmt.Sprintf("key-%d", i)
			for range 2 {
				wg.Go(func() {
					tr, err := bank.Transfer(as(j.from), timebank.Transfer{ToResidentID: j.to, Minutes: j.minutes, Key: key})
					if err != nil {
						if !timebank.IsOverdraft(err) {
							t.Errorf("transfer %s: %v", key, err)
						}
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if posted[key] == nil {
						posted[key] = map[int]bool{}
					}
					posted[key][tr.ID] = true
				})
			}
		}
		wg.Wait()
		for key, ids := range posted {
			if len(ids) != 1 {
				t.Errorf("key %s answered with %d different postings", key, len(ids))
			}
		}
		n := c.LedgerTransfer.Query().Where(ledgertransfer.KindEQ(ledgertransfer.KindTRANSFER)).CountX(sys)
		if n != len(posted) {
			t.Errorf("%d transfers posted for %d keys that succeeded", n, len(posted))
		}
		if len(posted) < 30 {
			t.Errorf("only %d of 100 transfers went through: the test is not exercising much", len(posted))
		}
		t.Logf("%d of 100 transfers posted, the rest refused as overdrafts", len(posted))
		checkBooks(t, c)
	})
}
