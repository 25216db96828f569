package timebank

import (
	"context"
	"fmt"
	"strings"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/timeaccount"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Correct reverses a posting that moved minutes to or from a community's
// pool, for that community's admins: a new CORRECTION posting moves the
// minutes back (subject to the debited account's credit limit), keyed by
// the original, so a posting is corrected once. Entries stay as they were.
func (s *Service) Correct(ctx context.Context, transferID int, memo string) (*ent.LedgerTransfer, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	memo = strings.TrimSpace(memo)
	if memo == "" || len([]rune(memo)) > 500 {
		return nil, apperr.New(apperr.BadUserInput, "say why, in 1 to 500 characters")
	}
	sys := viewer.SystemContext(ctx)
	orig, err := s.client.LedgerTransfer.Query().Where(ledgertransfer.ID(transferID)).
		WithFromAccount().WithToAccount().Only(ctx)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "no such posting")
	}
	pool := 0
	for _, a := range []*ent.TimeAccount{orig.Edges.FromAccount, orig.Edges.ToAccount} {
		if a != nil && a.Kind == timeaccount.KindPOOL && a.CommunityID != nil {
			pool = *a.CommunityID
		}
	}
	if pool == 0 || !authz.Administers(v, pool) {
		return nil, apperr.New(apperr.Forbidden, "only the admins of the community whose pool it touched correct a posting")
	}
	if orig.Kind == ledgertransfer.KindCORRECTION || orig.Kind == ledgertransfer.KindREFUND {
		return nil, apperr.New(apperr.Conflict, "a correction or refund is not corrected again: post anew")
	}
	if n, err := s.client.LedgerTransfer.Query().Where(ledgertransfer.ReversesID(orig.ID)).Count(sys); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, apperr.New(apperr.Conflict, "the posting was already reversed")
	}
	return s.post(ctx, func(*ent.Client) (Posting, error) {
		return Posting{Kind: ledgertransfer.KindCORRECTION, From: orig.ToAccountID, To: orig.FromAccountID,
			Minutes: orig.Minutes, Memo: i18n.CorrectionMemo.Sprint(ctx, "reason", memo, "original", orig.Memo),
			Key: fmt.Sprintf("correction:%d", orig.ID), ReversesID: orig.ID, CreatedByID: v.ResidentID}, nil
	}, 0, nil)
}
