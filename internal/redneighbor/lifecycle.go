package redneighbor

import (
	"context"
	"slices"
	"strings"

	"entgo.io/contrib/entgql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/helpoffer"
	"github.com/jimei-linli/linli/ent/helprequest"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/timebank"
	"github.com/jimei-linli/linli/internal/viewer"
)

// visible loads help request id as the viewer sees it: NOT_FOUND when the
// viewer may not see it.
func (s *Service) visible(ctx context.Context, id int) (*ent.HelpRequest, error) {
	r, err := s.client.HelpRequest.Get(ctx, id)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "no such help request")
	}
	return r, nil
}

// asksFor reports whether v may act as r's requester: the requester, their
// guardian, or whoever asked for them.
func asksFor(v *viewer.Viewer, r *ent.HelpRequest) bool {
	return v.ActsFor(r.RequesterID) || v.ResidentID == r.CreatedByID
}

// isVolunteer reports whether v answers help requests anywhere.
func isVolunteer(v *viewer.Viewer) bool {
	return slices.ContainsFunc(authz.VolunteerRoles, v.Has)
}

// Offer records the signed-in volunteer's offer to help; with autoAccept
// the first offer is accepted at once.
func (s *Service) Offer(ctx context.Context, requestID int, note string) (*ent.HelpOffer, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.visible(ctx, requestID)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	switch {
	case !isVolunteer(v):
		return nil, apperr.New(apperr.Forbidden, "only volunteers offer help")
	case r.RequesterID == v.ResidentID:
		return nil, apperr.New(apperr.Conflict, "you cannot answer your own help request")
	case r.Status != helprequest.StatusOPEN:
		return nil, apperr.New(apperr.Conflict, "the help request is %s, no longer OPEN", r.Status)
	case len([]rune(note)) > 500:
		return nil, apperr.New(apperr.BadUserInput, "a note has at most 500 characters")
	}
	sys := viewer.SystemContext(ctx)
	if prev, err := s.client.HelpOffer.Query().
		Where(helpoffer.HelpRequestID(r.ID), helpoffer.VolunteerID(v.ResidentID)).Only(sys); err == nil {
		if prev.Status == helpoffer.StatusOFFERED || prev.Status == helpoffer.StatusACCEPTED {
			return s.client.HelpOffer.Get(ctx, prev.ID)
		}
		return nil, apperr.New(apperr.Conflict, "you already answered this request")
	}
	var offerID int
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		now := s.clock()
		o, err := tx.HelpOffer.Create().SetHelpRequestID(r.ID).SetVolunteerID(v.ResidentID).
			SetNote(note).SetCreatedAt(now).Save(sys)
		if err != nil {
			return err
		}
		offerID = o.ID
		if r.AutoAccept {
			if err := s.accept(ctx, tx, r, o); err != nil {
				return err
			}
			return idempotency.Record(ctx, tx, o.ID)
		}
		// Still open? Read under the row lock an acceptance takes, so an
		// offer never stays waiting on a request matched meanwhile.
		open, err := tx.HelpRequest.Query().Where(helprequest.ID(r.ID), helprequest.StatusEQ(helprequest.StatusOPEN)).
			Modify(lockOnPostgres).Exist(sys)
		if err != nil {
			return err
		}
		if !open {
			return apperr.New(apperr.Conflict, "the help request is no longer OPEN")
		}
		if err := s.emit(ctx, tx, r, "help.offered", without([]int{r.RequesterID, r.CreatedByID}, v.ResidentID),
			i18n.HelpOffered, "title", r.Title, "note", note); err != nil {
			return err
		}
		return idempotency.Record(ctx, tx, o.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.client.HelpOffer.Get(ctx, offerID)
}

// accept makes o the accepted offer of r in tx: the request goes from OPEN
// to MATCHED only if it is still OPEN, so of two acceptances at once
// exactly one wins; the other gets CONFLICT.
func (s *Service) accept(ctx context.Context, tx *ent.Tx, r *ent.HelpRequest, o *ent.HelpOffer) error {
	sys := viewer.SystemContext(ctx)
	now := s.clock()
	n, err := tx.HelpRequest.Update().
		Where(helprequest.ID(r.ID), helprequest.StatusEQ(helprequest.StatusOPEN)).
		SetStatus(helprequest.StatusMATCHED).SetVolunteerID(o.VolunteerID).ClearWidenAt().SetUpdatedAt(now).
		Save(sys)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.Conflict, "the help request already has a volunteer or is no longer OPEN")
	}
	n, err = tx.HelpOffer.Update().Where(helpoffer.ID(o.ID), helpoffer.StatusEQ(helpoffer.StatusOFFERED)).
		SetStatus(helpoffer.StatusACCEPTED).Save(sys)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.Conflict, "the offer was withdrawn")
	}
	if err := tx.HelpOffer.Update().
		Where(helpoffer.HelpRequestID(r.ID), helpoffer.StatusEQ(helpoffer.StatusOFFERED)).
		SetStatus(helpoffer.StatusNOT_CHOSEN).Exec(sys); err != nil {
		return err
	}
	r, err = tx.HelpRequest.Get(sys, r.ID)
	if err != nil {
		return err
	}
	return s.emit(ctx, tx, r, "help.matched", without([]int{o.VolunteerID, r.RequesterID, r.CreatedByID}, viewer.FromContext(ctx).ResidentID),
		i18n.HelpMatched, "title", r.Title, "requester", r.RequesterName, "location", r.Location)
}

// Accept is the requester's choice of an offer.
func (s *Service) Accept(ctx context.Context, offerID int) (*ent.HelpRequest, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.client.HelpOffer.Get(ctx, offerID)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "no such offer")
	}
	r, err := s.visible(ctx, o.HelpRequestID)
	if err != nil {
		return nil, err
	}
	if !asksFor(v, r) {
		return nil, apperr.New(apperr.Forbidden, "only the requester (or their guardian) chooses a volunteer")
	}
	if o.Status != helpoffer.StatusOFFERED {
		return nil, apperr.New(apperr.Conflict, "the offer is %s, no longer OFFERED", o.Status)
	}
	if err := store.WithTx(ctx, s.client, func(tx *ent.Tx) error { return s.accept(ctx, tx, r, o) }); err != nil {
		return nil, err
	}
	return s.client.HelpRequest.Get(ctx, r.ID)
}

// Withdraw takes back the signed-in volunteer's offer, while it waits.
func (s *Service) Withdraw(ctx context.Context, offerID int) (*ent.HelpOffer, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.client.HelpOffer.Get(ctx, offerID)
	if err != nil || o.VolunteerID != v.ResidentID {
		return nil, apperr.New(apperr.NotFound, "no such offer of yours")
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		sys := viewer.SystemContext(ctx)
		n, err := tx.HelpOffer.Update().Where(helpoffer.ID(o.ID), helpoffer.StatusEQ(helpoffer.StatusOFFERED)).
			SetStatus(helpoffer.StatusWITHDRAWN).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "only an OFFERED offer can be withdrawn")
		}
		r, err := tx.HelpRequest.Get(sys, o.HelpRequestID)
		if err != nil {
			return err
		}
		return s.emit(ctx, tx, r, "help.withdrawn", nil, nil)
	})
	if err != nil {
		return nil, err
	}
	return s.client.HelpOffer.Get(ctx, o.ID)
}

// CancelRequest withdraws a help request that is not completed.
func (s *Service) CancelRequest(ctx context.Context, requestID int) (*ent.HelpRequest, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.visible(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if !asksFor(v, r) {
		return nil, apperr.New(apperr.Forbidden, "only the requester (or their guardian) cancels a help request")
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		sys := viewer.SystemContext(ctx)
		n, err := tx.HelpRequest.Update().
			Where(helprequest.ID(r.ID), helprequest.StatusIn(helprequest.StatusOPEN, helprequest.StatusMATCHED)).
			SetStatus(helprequest.StatusCANCELLED).ClearWidenAt().SetUpdatedAt(s.clock()).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "the help request is %s and cannot be cancelled", r.Status)
		}
		if err := tx.HelpOffer.Update().
			Where(helpoffer.HelpRequestID(r.ID), helpoffer.StatusIn(helpoffer.StatusOFFERED, helpoffer.StatusACCEPTED)).
			SetStatus(helpoffer.StatusNOT_CHOSEN).Exec(sys); err != nil {
			return err
		}
		var notify []int
		if r.VolunteerID != nil {
			notify = []int{*r.VolunteerID}
		}
		return s.emit(ctx, tx, r, "help.cancelled", notify, i18n.HelpCancelled, "title", r.Title)
	})
	if err != nil {
		return nil, err
	}
	return s.client.HelpRequest.Get(ctx, r.ID)
}

// Complete confirms that the volunteer helped and credits them: by the
// requester, their guardian, or the grid's leader or workers (or the
// community's admins) for a resident who cannot use a phone. minutes (0:
// the estimate) is the time credited. The posting's key is the request, so
// it pays once.
func (s *Service) Complete(ctx context.Context, requestID, minutes int) (*ent.HelpRequest, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.visible(ctx, requestID)
	if err != nil {
		return nil, err
	}
	staff := slices.Contains(v.GridsWhere(viewer.GridLeader, viewer.GridWorker), r.GridID) || authz.Administers(v, r.CommunityID)
	if !asksFor(v, r) && !staff {
		return nil, apperr.New(apperr.Forbidden, "the requester, their guardian or the grid's staff confirm completion")
	}
	if minutes == 0 {
		minutes = r.Minutes
	}
	if minutes < 1 || minutes > MaxMinutes {
		return nil, apperr.New(apperr.BadUserInput, "the time served is 1 to %d minutes", MaxMinutes)
	}
	if r.Status != helprequest.StatusMATCHED || r.VolunteerID == nil {
		return nil, apperr.New(apperr.Conflict, "only a MATCHED help request can be completed; this one is %s", r.Status)
	}
	if err := s.bank.OpenAccounts(ctx, r.CommunityID, *r.VolunteerID, r.RequesterID); err != nil {
		return nil, err
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		sys := viewer.SystemContext(ctx)
		now := s.clock()
		n, err := tx.HelpRequest.Update().
			Where(helprequest.ID(r.ID), helprequest.StatusEQ(helprequest.StatusMATCHED)).
			SetStatus(helprequest.StatusCOMPLETED).SetCompletedAt(now).SetConfirmedByID(v.ResidentID).
			SetCreditedMinutes(minutes).SetUpdatedAt(now).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "the help request is no longer MATCHED")
		}
		t, err := s.bank.Pay(ctx, tx, timebank.Payment{
			Kind: ledgertransfer.KindHELP, SubjectID: r.ID, VolunteerID: *r.VolunteerID,
			PayerID: r.RequesterID, CommunityID: r.CommunityID, Minutes: minutes,
			Memo: i18n.HelpMemo.RenderTitle(i18n.Default, i18n.Params("title", r.Title, "requester", r.RequesterName)),
		})
		if err != nil {
			return err
		}
		if err := tx.HelpRequest.UpdateOneID(r.ID).SetTransferID(t.ID).Exec(sys); err != nil {
			return err
		}
		// What the volunteer hears of is the pay: a time-bank credit.
		return s.emitNote(ctx, tx, r, "help.completed", []int{*r.VolunteerID},
			realtime.Note(notification.KindTIME_BANK, i18n.HelpPaid, "minutes", minutes, "title", r.Title))
	})
	if err != nil {
		return nil, err
	}
	return s.client.HelpRequest.Get(ctx, r.ID)
}

// Widen widens every open request whose grid found no volunteer in time to
// its whole community and tells the community's other volunteers. Each
// request is claimed by a conditional UPDATE (still OPEN, still due), so
// two instances running the job at once widen it once. It returns how many
// it widened.
func (s *Service) Widen(ctx context.Context) (int, error) {
	sys := viewer.SystemContext(ctx)
	now := s.clock()
	due, err := s.client.HelpRequest.Query().
		Where(helprequest.StatusEQ(helprequest.StatusOPEN), helprequest.WidenAtLTE(now),
			helprequest.Not(helprequest.HasOffersWith(helpoffer.StatusEQ(helpoffer.StatusOFFERED)))).
		Order(helprequest.ByID()).Limit(100).All(sys)
	if err != nil {
		return 0, err
	}
	return store.ClaimEach(ctx, s.client, due, func(tx *ent.Tx, r *ent.HelpRequest) (bool, error) {
		n, err := tx.HelpRequest.Update().
			Where(helprequest.ID(r.ID), helprequest.StatusEQ(helprequest.StatusOPEN), helprequest.WidenAtLTE(now)).
			SetReach(helprequest.ReachCOMMUNITY).ClearWidenAt().SetUpdatedAt(now).Save(sys)
		if err != nil || n == 0 {
			return false, err
		}
		r.Reach = helprequest.ReachCOMMUNITY
		volunteers, err := s.volunteers(sys, tx.Client(), roleassignment.Or(
			roleassignment.HasGridWith(grid.CommunityID(r.CommunityID), grid.IDNEQ(r.GridID)),
			roleassignment.CommunityID(r.CommunityID)))
		if err != nil {
			return false, err
		}
		return true, s.emit(ctx, tx, r, "help.widened", without(volunteers, r.RequesterID, r.CreatedByID),
			i18n.HelpWidened, "title", r.Title, "requester", r.RequesterName, "location", r.Location, "minutes", r.Minutes)
	})
}

// Expire ends the open requests whose time window is over with nobody
// accepted: EXPIRED, waiting offers NOT_CHOSEN, and the requester (and who
// asked for them) told. Each is claimed by a conditional UPDATE (still
// OPEN, window over), so two instances expire it once. It returns how many
// it expired.
func (s *Service) Expire(ctx context.Context) (int, error) {
	sys := viewer.SystemContext(ctx)
	now := s.clock()
	due, err := s.client.HelpRequest.Query().
		Where(helprequest.StatusEQ(helprequest.StatusOPEN), helprequest.WindowEndLTE(now)).
		Order(helprequest.ByID()).Limit(100).All(sys)
	if err != nil {
		return 0, err
	}
	return store.ClaimEach(ctx, s.client, due, func(tx *ent.Tx, r *ent.HelpRequest) (bool, error) {
		n, err := tx.HelpRequest.Update().
			Where(helprequest.ID(r.ID), helprequest.StatusEQ(helprequest.StatusOPEN), helprequest.WindowEndLTE(now)).
			SetStatus(helprequest.StatusEXPIRED).ClearWidenAt().SetUpdatedAt(now).Save(sys)
		if err != nil || n == 0 {
			return false, err
		}
		if err := tx.HelpOffer.Update().
			Where(helpoffer.HelpRequestID(r.ID), helpoffer.StatusEQ(helpoffer.StatusOFFERED)).
			SetStatus(helpoffer.StatusNOT_CHOSEN).Exec(sys); err != nil {
			return false, err
		}
		return true, s.emit(ctx, tx, r, "help.expired", without([]int{r.RequesterID, r.CreatedByID}),
			i18n.HelpExpired, "title", r.Title)
	})
}

// Page is a page of a connection, as GraphQL asks for it: first (or last)
// rows after (or before) a cursor. The server caps first and last and
// gives first = 100 when neither is set.
type Page struct {
	After  *ent.Cursor
	First  *int
	Before *ent.Cursor
	Last   *int
}

// GridTopics returns where the open help requests of a grid change, for
// those who may follow them: the grid's volunteers and staff and the
// community's admins (and volunteers, for widened ones); others get
// FORBIDDEN.
func (s *Service) GridTopics(ctx context.Context, gridID int) ([]string, error) {
	g, err := s.followedGrid(ctx, gridID)
	if err != nil {
		return nil, err
	}
	return []string{realtime.GridTopic(g.ID), realtime.CommunityTopic(g.CommunityID)}, nil
}

// OpenForGrid returns a page of the open requests volunteers of a grid can
// answer, soonest window first: the grid's own and its community's widened
// ones, as the viewer sees them, for those who may follow the grid (see
// GridTopics; checked each time, as rights change).
func (s *Service) OpenForGrid(ctx context.Context, gridID int, page Page) (*ent.HelpRequestConnection, error) {
	g, err := s.followedGrid(ctx, gridID)
	if err != nil {
		return nil, err
	}
	return s.client.HelpRequest.Query().
		Where(helprequest.StatusEQ(helprequest.StatusOPEN), helprequest.Or(
			helprequest.GridID(g.ID),
			helprequest.And(helprequest.ReachEQ(helprequest.ReachCOMMUNITY), helprequest.CommunityID(g.CommunityID)))).
		Paginate(ctx, page.After, page.First, page.Before, page.Last, ent.WithHelpRequestOrder(&ent.HelpRequestOrder{
			Direction: entgql.OrderDirectionAsc, Field: ent.HelpRequestOrderFieldWindowStart,
		}))
}

// followedGrid returns the grid if the viewer may follow its help requests.
func (s *Service) followedGrid(ctx context.Context, gridID int) (*ent.Grid, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	g, err := s.client.Grid.Get(ctx, gridID)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "no such grid")
	}
	roles := append([]string{viewer.GridLeader, viewer.GridWorker}, authz.VolunteerRoles...)
	if !slices.Contains(v.GridsWhere(roles...), g.ID) && !slices.Contains(v.CommunitiesWhere(authz.VolunteerRoles...), g.CommunityID) &&
		!authz.Administers(v, g.CommunityID) {
		return nil, apperr.New(apperr.Forbidden, "only the grid's volunteers and staff follow its help requests")
	}
	return g, nil
}
