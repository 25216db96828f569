package timebank

import (
	"context"
	"strings"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/timeaccount"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/credit"
	"github.com/jimei-linli/linli/internal/viewer"
)

// The time bank is where credit is spent.
var _ credit.Spender = (*Service)(nil)

// spendKey and refundKey namespace the callers' keys in the ledger.
func spendKey(key string) string  { return "spend:" + key }
func refundKey(key string) string { return "refund:" + key }

// Open opens the resident's account and the community's pool, if they are
// not open yet (credit.Spender).
func (s *Service) Open(ctx context.Context, residentID, communityID int) error {
	return s.OpenAccounts(ctx, communityID, residentID)
}

// Spend posts a use of credit within the caller's transaction: minutes from
// the resident's account to the pool of the community that gives the
// discount. The same key spends once (a retry returns the first entry);
// an overdraft is a CONFLICT and posts nothing.
func (s *Service) Spend(ctx context.Context, tx *ent.Tx, sp credit.Spend) (int, error) {
	if strings.TrimSpace(sp.Key) == "" {
		return 0, apperr.New(apperr.BadUserInput, "spending credit needs an idempotency key")
	}
	from, err := s.ResidentAccount(ctx, tx.Client(), sp.ResidentID)
	if err != nil {
		return 0, err
	}
	pool, err := PoolAccount(ctx, tx.Client(), sp.CommunityID, s.clock())
	if err != nil {
		return 0, err
	}
	posted, err := s.postIn(ctx, tx.Client(), Posting{
		Kind: ledgertransfer.KindSPEND, From: from, To: pool, Minutes: sp.Minutes,
		Memo: sp.Memo, Key: spendKey(sp.Key), CreatedByID: sp.ResidentID, At: s.clock(),
	})
	return posted.DebitEntryID, err
}

// Refund reverses the spending posted under key with a new posting from the
// pool back to the resident. A key never spent, or already refunded, posts
// nothing.
func (s *Service) Refund(ctx context.Context, tx *ent.Tx, key, memo string) error {
	sys := viewer.SystemContext(ctx)
	spent, err := tx.LedgerTransfer.Query().Where(ledgertransfer.Key(spendKey(key))).Only(sys)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if memo == "" {
		memo = "退回: " + spent.Memo
	}
	_, err = s.postIn(ctx, tx.Client(), Posting{
		Kind: ledgertransfer.KindREFUND, From: spent.ToAccountID, To: spent.FromAccountID,
		Minutes: spent.Minutes, Memo: memo, Key: refundKey(key), ReversesID: spent.ID, At: s.clock(),
	})
	return err
}

// Payment is pay for service time: a help request or a volunteer task.
type Payment struct {
	// Kind is HELP or TASK.
	Kind ledgertransfer.Kind
	// SubjectID is the help request or task; the posting's key is made
	// from it, so a subject pays once.
	SubjectID int
	// VolunteerID is who is paid.
	VolunteerID int
	// PayerID is the resident helped, who pays when the community's
	// policy says so and their balance allows; 0 means the pool pays.
	PayerID int
	// CommunityID is the community whose pool pays otherwise.
	CommunityID int
	Minutes     int
	Memo        string
}

// Pay credits a volunteer within the caller's transaction: from the
// resident helped when the community's pool says REQUESTER and the
// resident's credit allows it, from the community's pool otherwise.
func (s *Service) Pay(ctx context.Context, tx *ent.Tx, p Payment) (*ent.LedgerTransfer, error) {
	c := tx.Client()
	to, err := s.ResidentAccount(ctx, c, p.VolunteerID)
	if err != nil {
		return nil, err
	}
	pool, err := PoolAccount(ctx, c, p.CommunityID, s.clock())
	if err != nil {
		return nil, err
	}
	posting := Posting{
		Kind: p.Kind, From: pool, To: to, Minutes: p.Minutes, Memo: p.Memo,
		Key: strings.ToLower(string(p.Kind)) + ":" + itoa(p.SubjectID), SubjectID: p.SubjectID, At: s.clock(),
	}
	// A retry finds the first posting, whoever paid it.
	if prev, err := c.LedgerTransfer.Query().Where(ledgertransfer.Key(posting.Key)).Only(viewer.SystemContext(ctx)); err == nil {
		return prev, nil
	} else if !ent.IsNotFound(err) {
		return nil, err
	}
	if p.PayerID != 0 && p.PayerID != p.VolunteerID {
		policy, err := c.TimeAccount.Query().Where(timeaccount.ID(pool)).
			Select(timeaccount.FieldHelpPaidBy).String(viewer.SystemContext(ctx))
		if err != nil {
			return nil, err
		}
		if policy == string(timeaccount.HelpPaidByREQUESTER) {
			payer, err := s.ResidentAccount(ctx, c, p.PayerID)
			if err != nil {
				return nil, err
			}
			byRequester := posting
			byRequester.From = payer
			posted, err := s.postIn(ctx, c, byRequester)
			if err == nil || !IsOverdraft(err) {
				return posted.Transfer, err
			}
			// The resident cannot pay: the community does.
		}
	}
	posted, err := s.postIn(ctx, c, posting)
	return posted.Transfer, err
}
