// Package credit is the seam between the time bank and the parts of Linli
// where time-bank credit can be spent: a canteen meal discount, a day-care
// hour. The time bank implements Spender; the canteen and care packages
// call it, inside their own transaction, when a resident chooses to pay part
// of a price with credit, and refund it when the order or booking is
// cancelled. A server without a time bank passes a nil Spender, and the
// caller answers that credit cannot be used.
package credit

import (
	"context"

	"github.com/jimei-linli/linli/ent"
)

// Spend is one use of credit.
type Spend struct {
	// ResidentID is whose account pays.
	ResidentID int
	// Minutes is how much credit is spent (> 0).
	Minutes int
	// CommunityID is the community whose pool receives the credit: the
	// community of the canteen or facility that gives the discount.
	CommunityID int
	// Memo says what was bought, as the statement shows it, e.g.
	// "盛光社區食堂 lunch 2026-11-26".
	Memo string
	// Key is the idempotency key: the same key spends once. Callers use
	// the subject's global ID, e.g. "canteen-order:12884901889".
	Key string
}

// Spender spends and refunds time-bank credit within the caller's
// transaction, so that the spending and the order it pays for commit or
// roll back together.
type Spender interface {
	// Open opens, in a transaction of its own, the accounts a Spend by
	// residentID at communityID will use. Callers call it before the
	// transaction that spends: opening a first account inside a busy
	// transaction can deadlock with another first posting on PostgreSQL,
	// and waits for the caller's own write lock on SQLite.
	Open(ctx context.Context, residentID, communityID int) error
	// Spend posts s through tx and returns the ledger entry's ID. It fails
	// with a CONFLICT apperr when the balance would go below the account's
	// credit limit, and posts nothing.
	Spend(ctx context.Context, tx *ent.Tx, s Spend) (entryID int, err error)
	// Refund reverses the spending posted under key (a new, compensating
	// entry); refunding twice, or a key never spent, posts nothing.
	Refund(ctx context.Context, tx *ent.Tx, key, memo string) error
}
