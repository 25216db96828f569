// Package timebank is the time bank (時間銀行) of Red Neighbor: a
// double-entry ledger in minutes of service. Every resident has an account
// (opened on first use) and every community a pool. A posting moves
// minutes from one account to another: one LedgerTransfer and two
// LedgerEntry rows that sum to zero, written with both balances in one
// transaction, so the balances of all accounts always sum to zero. Entries
// are never changed; a refund or a correction is a new posting.
//
// Every money-moving operation carries an idempotency key: the same key
// posts once, and a retry gets the first posting back; the same key with a
// different amount or other accounts is a CONFLICT. A balance never goes
// below its account's credit limit. On PostgreSQL the accounts of a posting
// are locked (SELECT ... FOR UPDATE) in ID order before anything is
// checked, so concurrent postings queue per account and cannot deadlock;
// SQLite transactions are serialized anyway.
package timebank

import (
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/ledgerentry"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/timeaccount"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Posting is one movement of minutes.
type Posting struct {
	// Kind says why the minutes move.
	Kind ledgertransfer.Kind
	// From and To are the accounts debited and credited.
	From, To int
	// Minutes is how much moves (> 0).
	Minutes int
	// Memo is what the statement shows.
	Memo string
	// Key is the idempotency key: the same key posts once.
	Key string
	// SubjectID is what it pays for (a help request, an order), or 0.
	SubjectID int
	// ReversesID is the posting a refund or correction reverses, or 0.
	ReversesID int
	// CreatedByID is the resident whose action posts it, or 0 for the
	// system.
	CreatedByID int
	// At is when it is posted.
	At time.Time
	// ResidentLimit is the credit limit (the lowest balance allowed, ≤ 0)
	// of a resident account that has no limit of its own: the street's
	// configured one (Service sets it). Zero means no debt.
	ResidentLimit int
}

// Errors of postings; each is an apperr with a stable code.
var (
	ErrNotPositive = apperr.New(apperr.BadUserInput, "the number of minutes must be more than 0")
	ErrToSelf      = apperr.New(apperr.BadUserInput, "an account cannot transfer to itself")
	ErrKeyReused   = apperr.New(apperr.Conflict, "this idempotency key was already used for a different amount or accounts")
)

// ErrOverdraft is the CONFLICT of a posting that would take an account
// below its credit limit.
type ErrOverdraft struct {
	Balance, Limit, Minutes int
}

func (e *ErrOverdraft) Error() string {
	return fmt.Sprintf("not enough time credit: the balance is %d minutes, the credit limit %d, and %d were asked", e.Balance, e.Limit, e.Minutes)
}

// overdraft returns the apperr for an overdraft, wrapping its detail.
func overdraft(balance, limit, minutes int) error {
	return apperr.New(apperr.Conflict, "%s", (&ErrOverdraft{balance, limit, minutes}).Error())
}

// IsOverdraft reports whether err is a posting refused for want of credit.
func IsOverdraft(err error) bool {
	var a *apperr.Error
	return errors.As(err, &a) && a.Code == apperr.Conflict && strings.HasPrefix(a.Message, "not enough time credit")
}

// Posted is what Post did.
type Posted struct {
	// Transfer is the posting: the new one, or the earlier one with the
	// same key.
	Transfer *ent.LedgerTransfer
	// DebitEntryID is its entry on the debited account.
	DebitEntryID int
	// Replayed is true when the key had been posted before and nothing new
	// was written.
	Replayed bool
}

// Post writes p through c, which must be a transaction's client: it locks
// both accounts in ID order, returns the earlier posting when p.Key was
// posted before with the same accounts and amount, refuses an overdraft,
// and otherwise moves the balances and writes the transfer and its two
// entries. It runs as the system: callers check who asks.
func Post(ctx context.Context, c *ent.Client, p Posting) (Posted, error) {
	ctx = viewer.SystemContext(ctx)
	switch {
	case p.Minutes <= 0:
		return Posted{}, ErrNotPositive
	case p.From == p.To:
		return Posted{}, ErrToSelf
	case p.Key == "" || len(p.Key) > 200:
		return Posted{}, apperr.New(apperr.BadUserInput, "an idempotency key has 1 to 200 characters")
	case len([]rune(p.Memo)) > 500:
		return Posted{}, apperr.New(apperr.BadUserInput, "a memo has at most 500 characters")
	}
	accounts, err := c.TimeAccount.Query().
		Where(timeaccount.IDIn(p.From, p.To)).
		Order(timeaccount.ByID()).
		Modify(lockOnPostgres).
		All(ctx)
	if err != nil {
		return Posted{}, err
	}
	if len(accounts) != 2 {
		return Posted{}, apperr.New(apperr.NotFound, "account not found")
	}
	// Under the locks, a posting with the same key is committed or never
	// will be by anyone holding these accounts.
	if prev, err := c.LedgerTransfer.Query().Where(ledgertransfer.Key(p.Key)).Only(ctx); err == nil {
		if prev.FromAccountID != p.From || prev.ToAccountID != p.To || prev.Minutes != p.Minutes {
			return Posted{}, ErrKeyReused
		}
		debit, err := c.LedgerEntry.Query().
			Where(ledgerentry.TransferID(prev.ID), ledgerentry.AccountID(p.From)).OnlyID(ctx)
		return Posted{Transfer: prev, DebitEntryID: debit, Replayed: true}, err
	} else if !ent.IsNotFound(err) {
		return Posted{}, err
	}
	from := accounts[0]
	if from.ID != p.From {
		from = accounts[1]
	}
	if limit := CreditLimit(from, p.ResidentLimit); limit != nil && from.Balance-p.Minutes < *limit {
		return Posted{}, overdraft(from.Balance, *limit, p.Minutes)
	}
	balance := map[int]int{}
	for _, a := range accounts { // in ID order, as locked
		delta := p.Minutes
		if a.ID == p.From {
			delta = -p.Minutes
		}
		u, err := c.TimeAccount.UpdateOneID(a.ID).AddBalance(delta).SetUpdatedAt(p.At).Save(ctx)
		if err != nil {
			return Posted{}, err
		}
		balance[a.ID] = u.Balance
	}
	create := c.LedgerTransfer.Create().SetKey(p.Key).SetKind(p.Kind).
		SetFromAccountID(p.From).SetToAccountID(p.To).SetMinutes(p.Minutes).
		SetMemo(p.Memo).SetCreatedAt(p.At)
	if p.SubjectID != 0 {
		create.SetSubjectID(p.SubjectID)
	}
	if p.ReversesID != 0 {
		create.SetReversesID(p.ReversesID)
	}
	if p.CreatedByID != 0 {
		create.SetCreatedByID(p.CreatedByID)
	}
	t, err := create.Save(ctx)
	if err != nil {
		return Posted{}, err
	}
	debit, err := c.LedgerEntry.Create().SetTransferID(t.ID).SetAccountID(p.From).
		SetMinutes(-p.Minutes).SetBalanceAfter(balance[p.From]).SetCreatedAt(p.At).Save(ctx)
	if err != nil {
		return Posted{}, err
	}
	err = c.LedgerEntry.Create().SetTransferID(t.ID).SetAccountID(p.To).
		SetMinutes(p.Minutes).SetBalanceAfter(balance[p.To]).SetCreatedAt(p.At).Exec(ctx)
	return Posted{Transfer: t, DebitEntryID: debit.ID}, err
}

// lockOnPostgres makes a SELECT lock its rows until the transaction ends,
// on PostgreSQL; SQLite has no row locks and needs none (its transactions
// are serialized).
func lockOnPostgres(s *sql.Selector) {
	if s.Dialect() == dialect.Postgres {
		s.ForUpdate()
	}
}

// CreditLimit returns the lowest balance account a may reach: nil for a
// pool (it issues the community's credit), the account's own limit when it
// has one, and residentLimit (the street's configured limit) otherwise.
func CreditLimit(a *ent.TimeAccount, residentLimit int) *int {
	switch {
	case a.Kind == timeaccount.KindPOOL:
		return nil
	case a.OwnCreditLimit != nil:
		return a.OwnCreditLimit
	}
	return &residentLimit
}

// ResidentAccount returns the ID of a resident's account through c,
// opening it if the resident has none yet. A new account has no credit
// limit of its own: the street's configured limit applies to it, whatever
// that is configured to later.
func ResidentAccount(ctx context.Context, c *ent.Client, residentID int, at time.Time) (int, error) {
	ctx = viewer.SystemContext(ctx)
	// Look first: an upsert that finds the row still uses up an ID.
	if id, err := c.TimeAccount.Query().Where(timeaccount.ResidentID(residentID)).OnlyID(ctx); err == nil || !ent.IsNotFound(err) {
		return id, err
	}
	err := c.TimeAccount.Create().SetKind(timeaccount.KindRESIDENT).SetResidentID(residentID).
		SetCreatedAt(at).SetUpdatedAt(at).
		OnConflictColumns(timeaccount.FieldResidentID).DoNothing().Exec(ctx)
	if err != nil && !errors.Is(err, stdsql.ErrNoRows) {
		return 0, err
	}
	return c.TimeAccount.Query().Where(timeaccount.ResidentID(residentID)).OnlyID(ctx)
}

// PoolAccount returns the ID of a community's pool through c, opening it
// if the community has none yet. Opening accounts outside the posting's
// transaction (OpenAccounts) keeps two first postings from deadlocking on
// each other's new accounts. A pool
// has no credit limit: it issues the community's credit.
func PoolAccount(ctx context.Context, c *ent.Client, communityID int, at time.Time) (int, error) {
	ctx = viewer.SystemContext(ctx)
	if id, err := c.TimeAccount.Query().Where(timeaccount.CommunityID(communityID)).OnlyID(ctx); err == nil || !ent.IsNotFound(err) {
		return id, err
	}
	err := c.TimeAccount.Create().SetKind(timeaccount.KindPOOL).SetCommunityID(communityID).
		SetCreatedAt(at).SetUpdatedAt(at).
		OnConflictColumns(timeaccount.FieldCommunityID).DoNothing().Exec(ctx)
	if err != nil && !errors.Is(err, stdsql.ErrNoRows) {
		return 0, err
	}
	return c.TimeAccount.Query().Where(timeaccount.CommunityID(communityID)).OnlyID(ctx)
}

// itoa formats an ID for a key.
func itoa(id int) string { return fmt.Sprint(id) }
