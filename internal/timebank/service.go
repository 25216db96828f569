package timebank

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/community"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/ledgerentry"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/timeaccount"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// DefaultCreditLimit is how many minutes a resident may owe unless
// configured otherwise: none (a balance never goes below zero).
const DefaultCreditLimit = 0

// Service is the time bank's API: residents' transfers and donations, the
// communities' policies, statements, and credit spent on other services.
type Service struct {
	client *ent.Client
	outbox *realtime.Outbox
	now    func() time.Time
	// limit is the credit limit (≤ 0) of every resident account without
	// one of its own.
	limit int
}

// New returns the time bank over client; residents may owe up to
// creditMinutes (≥ 0) minutes.
func New(client *ent.Client, outbox *realtime.Outbox, now func() time.Time, creditMinutes int) *Service {
	if now == nil {
		now = time.Now
	}
	if outbox == nil {
		outbox = realtime.NewOutbox(nil, now)
	}
	return &Service{client: client, outbox: outbox, now: now, limit: -max(creditMinutes, 0)}
}

// clock is the service's time, in UTC to the microsecond (what both
// databases store).
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// ResidentAccount returns the ID of a resident's account through c (a
// transaction's client), opening it if need be.
func (s *Service) ResidentAccount(ctx context.Context, c *ent.Client, residentID int) (int, error) {
	return ResidentAccount(ctx, c, residentID, s.clock())
}

// CreditLimit returns the lowest balance account a may reach: its own
// limit, or the configured one; nil for a pool.
func (s *Service) CreditLimit(a *ent.TimeAccount) *int { return CreditLimit(a, s.limit) }

// postIn posts p through c (a transaction's client) under the configured
// credit limit.
func (s *Service) postIn(ctx context.Context, c *ent.Client, p Posting) (Posted, error) {
	p.ResidentLimit = s.limit
	return Post(ctx, c, p)
}

// OpenAccounts opens, each in its own short transaction, the pool of a
// community (when not 0) and the accounts of residents that do not have
// them yet. Callers that post inside a longer transaction of their own
// (completions, Spend) call it first.
func (s *Service) OpenAccounts(ctx context.Context, communityID int, residentIDs ...int) error {
	if communityID != 0 {
		if _, err := PoolAccount(ctx, s.client, communityID, s.clock()); err != nil {
			return err
		}
	}
	for _, id := range residentIDs {
		if _, err := s.ResidentAccount(ctx, s.client, id); err != nil {
			return err
		}
	}
	return nil
}

// Transfer is a resident's transfer to another resident.
type Transfer struct {
	ToResidentID int
	Minutes      int
	Memo         string
	Key          string
}

// Transfer moves minutes from the signed-in resident's account to another
// resident's, once per key, and tells the recipient.
//
// Time goes to those the sender may see (their household, dependents and
// guardians, staff and volunteers, the residents in a staff member's scope)
// and to the residents of the sender's own community, whom time-bank help
// is exchanged with. Anyone else is answered like an ID that names no one:
// NOT_FOUND, before the amount or the key is looked at, so a transfer does
// not tell who exists elsewhere (issue 14).
func (s *Service) Transfer(ctx context.Context, t Transfer) (*ent.LedgerTransfer, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Minutes <= 0:
		return nil, ErrNotPositive
	case t.ToResidentID == v.ResidentID:
		return nil, apperr.New(apperr.BadUserInput, "you cannot transfer time to yourself")
	}
	sys := viewer.SystemContext(ctx)
	to, named, err := s.recipient(ctx, v, t.ToResidentID)
	if err != nil {
		return nil, err
	}
	me, err := s.client.Resident.Get(sys, v.ResidentID)
	if err != nil {
		return nil, err
	}
	memo := strings.TrimSpace(t.Memo)
	switch {
	case memo != "":
	case named:
		memo = i18n.TransferMemo.Sprint(ctx, "sender", me.Name, "recipient", to.Name)
	default:
		// The sender may not see the neighbour's name: the memo, on the
		// sender's statement too, must not tell it.
		memo = i18n.TransferMemoHidden.Sprint(ctx, "sender", me.Name)
	}
	return s.post(ctx, func(c *ent.Client) (Posting, error) {
		from, err := s.ResidentAccount(ctx, c, v.ResidentID)
		if err != nil {
			return Posting{}, err
		}
		toAcc, err := s.ResidentAccount(ctx, c, to.ID)
		return Posting{Kind: ledgertransfer.KindTRANSFER, From: from, To: toAcc, Minutes: t.Minutes,
			Memo: memo, Key: fmt.Sprintf("transfer:%d:%s", v.ResidentID, t.Key), CreatedByID: v.ResidentID}, err
	}, to.ID, i18n.Params("sender", me.Name, "minutes", t.Minutes))
}

// recipient returns the live resident id whom v may send time to (see
// Transfer), and whether v may see their name; NOT_FOUND otherwise.
func (s *Service) recipient(ctx context.Context, v *viewer.Viewer, id int) (*ent.Resident, bool, error) {
	notFound := apperr.New(apperr.NotFound, "no such resident")
	to, err := s.client.Resident.Query().Where(resident.ID(id), resident.DeletedAtIsNil()).Only(ctx)
	switch {
	case err == nil:
		return to, true, nil
	case !ent.IsNotFound(err):
		return nil, false, err
	}
	// A neighbour: someone whose grid is in the community of the sender's.
	neighbour := resident.HasGridWith(grid.HasCommunityWith(community.HasGridsWith(grid.HasResidentsWith(resident.ID(v.ResidentID)))))
	to, err = s.client.Resident.Query().
		Where(resident.ID(id), resident.DeletedAtIsNil(), neighbour).
		Only(viewer.SystemContext(ctx))
	switch {
	case ent.IsNotFound(err):
		return nil, false, notFound
	case err != nil:
		return nil, false, err
	}
	return to, false, nil
}

// Donation is a resident's gift to a community's pool.
type Donation struct {
	CommunityID int
	Minutes     int
	Memo        string
	Key         string
}

// Donate moves minutes from the signed-in resident's account to a
// community's pool, once per key.
func (s *Service) Donate(ctx context.Context, d Donation) (*ent.LedgerTransfer, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if d.Minutes <= 0 {
		return nil, ErrNotPositive
	}
	sys := viewer.SystemContext(ctx)
	cm, err := s.client.Community.Query().Where(community.ID(d.CommunityID)).Only(sys)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "no such community")
	}
	memo := strings.TrimSpace(d.Memo)
	if memo == "" {
		memo = i18n.DonationMemo.Sprint(ctx, "community", cm.Name)
	}
	return s.post(ctx, func(c *ent.Client) (Posting, error) {
		from, err := s.ResidentAccount(ctx, c, v.ResidentID)
		if err != nil {
			return Posting{}, err
		}
		pool, err := PoolAccount(ctx, c, cm.ID, s.clock())
		return Posting{Kind: ledgertransfer.KindDONATION, From: from, To: pool, Minutes: d.Minutes,
			Memo: memo, Key: fmt.Sprintf("donate:%d:%s", v.ResidentID, d.Key), CreatedByID: v.ResidentID}, err
	}, 0, nil)
}

// post opens the accounts build names and posts what it returns in one
// transaction, and notifies recipient (when not 0) of what it received
// (i18n.MinutesReceived with params and the memo). A
// posting that lost a race for its key (a concurrent one with the same key
// but other accounts) is tried once more, and then finds the winner.
func (s *Service) post(ctx context.Context, build func(c *ent.Client) (Posting, error), recipient int, params []i18n.Param) (*ent.LedgerTransfer, error) {
	// Accounts are opened first, each committed on its own: opening two
	// accounts inside one transaction could deadlock with another that
	// opens the same two in the other order.
	p, err := build(s.client)
	if err != nil {
		return nil, err
	}
	var t *ent.LedgerTransfer
	attempt := func() error {
		return store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
			p.At = s.clock()
			posted, err := s.postIn(ctx, tx.Client(), p)
			if err != nil {
				return err
			}
			t = posted.Transfer
			if recipient == 0 || posted.Replayed {
				return nil
			}
			_, err = s.outbox.Emit(ctx, tx, realtime.Event{
				Kind: "timebank.received", Topics: []string{realtime.ResidentTopic(recipient)}, SubjectID: t.ID,
				Notify: []int{recipient},
				Notification: realtime.NotificationContent{Kind: notification.KindTIME_BANK, Message: i18n.MinutesReceived,
					Params: append(append([]i18n.Param{}, params...), i18n.Param{Key: "memo", Value: p.Memo})},
			})
			return err
		})
	}
	err = attempt()
	if ent.IsConstraintError(err) {
		err = attempt()
	}
	if err != nil {
		return nil, err
	}
	return s.client.LedgerTransfer.Get(ctx, t.ID)
}

// SetHelpPayer sets who pays volunteers of a community's help requests.
func (s *Service) SetHelpPayer(ctx context.Context, communityID int, paidBy timeaccount.HelpPaidBy) (*ent.TimeAccount, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if !authz.Administers(v, communityID) {
		return nil, apperr.New(apperr.Forbidden, "only the community's admins set its time-bank policy")
	}
	if timeaccount.HelpPaidByValidator(paidBy) != nil {
		return nil, apperr.New(apperr.BadUserInput, "unknown payer %q", paidBy)
	}
	var id int
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		if id, err = PoolAccount(ctx, tx.Client(), communityID, s.clock()); err != nil {
			return err
		}
		return tx.TimeAccount.UpdateOneID(id).SetHelpPaidBy(paidBy).SetUpdatedAt(s.clock()).Exec(viewer.SystemContext(ctx))
	})
	if err != nil {
		return nil, err
	}
	return s.client.TimeAccount.Get(ctx, id)
}

// MyAccount returns the signed-in resident's account, opening it if need
// be, read with the viewer's rights.
func (s *Service) MyAccount(ctx context.Context) (*ent.TimeAccount, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	id, err := s.client.TimeAccount.Query().Where(timeaccount.ResidentID(v.ResidentID)).OnlyID(ctx)
	if ent.IsNotFound(err) {
		err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
			id, err = s.ResidentAccount(ctx, tx.Client(), v.ResidentID)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	return s.client.TimeAccount.Get(ctx, id)
}

// Pool returns a community's pool for its admins (opening it if need be);
// others get NOT_FOUND.
func (s *Service) Pool(ctx context.Context, communityID int) (*ent.TimeAccount, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if !authz.Administers(v, communityID) {
		return nil, apperr.New(apperr.NotFound, "no such pool")
	}
	if _, err := s.client.Community.Get(viewer.SystemContext(ctx), communityID); err != nil {
		return nil, apperr.New(apperr.NotFound, "no such community")
	}
	var id int
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		id, err = PoolAccount(ctx, tx.Client(), communityID, s.clock())
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.client.TimeAccount.Get(ctx, id)
}

// Statement returns a page of an account's entries, newest first, for
// whoever may read the account (others get NOT_FOUND). It reads the index
// on (account, id), so its cost does not grow with the account's history.
func (s *Service) Statement(ctx context.Context, accountID int, after *entgql.Cursor[int], first *int) (*ent.LedgerEntryConnection, error) {
	if _, err := s.client.TimeAccount.Query().Where(timeaccount.ID(accountID)).OnlyID(ctx); err != nil {
		return nil, apperr.New(apperr.NotFound, "no such account")
	}
	q, err := s.client.LedgerEntry.Query().Where(ledgerentry.AccountID(accountID)).CollectFields(ctx)
	if err != nil {
		return nil, err
	}
	return q.Paginate(ctx, after, first, nil, nil, ent.WithLedgerEntryOrder(&ent.LedgerEntryOrder{
		Direction: entgql.OrderDirectionDesc, Field: ent.DefaultLedgerEntryOrder.Field,
	}))
}
