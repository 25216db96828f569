package timebank_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/ledgerentry"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/viewer"
)

// sys is the system context tests set data up with.
var sys = viewer.SystemContext(context.Background())

// at is the fixed time of the tests' postings.
var at = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func now() time.Time { return at }

// as returns a context signed in as resident id.
func as(id int) context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{ResidentID: id})
}

// world makes a street with one community and n residents.
func world(t testing.TB, c *ent.Client, n int) (community int, residents []int) {
	t.Helper()
	st := c.Street.Create().SetCode("s").SetName("集美街道").SetDistrict("集美区").SaveX(sys)
	cm := c.Community.Create().SetCode("c").SetName("盛光社区").SetStreetID(st.ID).SaveX(sys)
	// Neighbours of one grid, so that they may send each other time.
	g := c.Grid.Create().SetCode("c-01").SetName("盛光社区第1网格").SetNumber(1).SetCommunityID(cm.ID).SaveX(sys)
	for i := range n {
		residents = append(residents, c.Resident.Create().SetName(fmt.Sprintf("居民%02d", i)).SetGridID(g.ID).SaveX(sys).ID)
	}
	return cm.ID, residents
}

// checkBooks fails unless the ledger balances: every account's balance is
// the sum of its entries, every posting's entries sum to zero, and all
// balances sum to zero.
func checkBooks(t *testing.T, c *ent.Client) {
	t.Helper()
	total := 0
	for _, a := range c.TimeAccount.Query().AllX(sys) {
		total += a.Balance
		sum := 0
		for _, e := range c.LedgerEntry.Query().Where(ledgerentry.AccountID(a.ID)).AllX(sys) {
			sum += e.Minutes
		}
		if sum != a.Balance {
			t.Errorf("account %d: balance %d, entries sum to %d", a.ID, a.Balance, sum)
		}
		if a.OwnCreditLimit != nil && a.Balance < *a.OwnCreditLimit {
			t.Errorf("account %d: balance %d below its limit %d", a.ID, a.Balance, *a.OwnCreditLimit)
		}
	}
	if total != 0 {
		t.Errorf("balances sum to %d, not 0", total)
	}
	for _, tr := range c.LedgerTransfer.Query().WithEntries().AllX(sys) {
		sum := 0
		for _, e := range tr.Edges.Entries {
			sum += e.Minutes
		}
		if len(tr.Edges.Entries) != 2 || sum != 0 {
			t.Errorf("posting %d: %d entries summing to %d", tr.ID, len(tr.Edges.Entries), sum)
		}
	}
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("got %v (%s), want %s", err, got, code)
	}
}

// runtimeProcs is GOMAXPROCS.
func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
