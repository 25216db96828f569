package redneighbor

import (
	"context"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/helpoffer"
	"github.com/jimei-linli/linli/ent/helprequest"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/volunteertask"
	"github.com/jimei-linli/linli/ent/volunteertaskassignment"
	"github.com/jimei-linli/linli/ent/volunteerteammember"
	"github.com/jimei-linli/linli/internal/personaldata"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Eraser is Red Neighbor's part of deleting an account: the person's open
// help requests are cancelled and their waiting offers withdrawn (the
// matched volunteers hear of it), tasks dispatched to them are declined and
// the places they accepted released, and they leave their teams; then
// their name is replaced in help requests, task sign-ups, task text and
// time-bank memos, and the location of their help requests is erased. The
// time account and its entries stay, against the renamed resident, so that
// balances still add up.
func (s *Service) Eraser() personaldata.Eraser {
	return personaldata.Eraser{Name: "redneighbor", Close: s.closeFor, Erase: erase}
}

// closeFor ends residentID's open Red Neighbor business, as them.
func (s *Service) closeFor(ctx context.Context, residentID int) error {
	sys := viewer.SystemContext(ctx)
	requests, err := s.client.HelpRequest.Query().Where(helprequest.RequesterID(residentID),
		helprequest.StatusIn(helprequest.StatusOPEN, helprequest.StatusMATCHED)).IDs(sys)
	if err != nil {
		return err
	}
	for _, id := range requests {
		if _, err := s.CancelRequest(ctx, id); personaldata.Tolerate(err) != nil {
			return err
		}
	}
	offers, err := s.client.HelpOffer.Query().Where(helpoffer.VolunteerID(residentID),
		helpoffer.StatusEQ(helpoffer.StatusOFFERED)).IDs(sys)
	if err != nil {
		return err
	}
	for _, id := range offers {
		if _, err := s.Withdraw(ctx, id); personaldata.Tolerate(err) != nil {
			return err
		}
	}
	dispatched, err := s.client.VolunteerTaskAssignment.Query().Where(volunteertaskassignment.VolunteerID(residentID),
		volunteertaskassignment.StatusEQ(volunteertaskassignment.StatusDISPATCHED)).All(sys)
	if err != nil {
		return err
	}
	for _, a := range dispatched {
		if _, err := s.Respond(ctx, a.TaskID, false); personaldata.Tolerate(err) != nil {
			return err
		}
	}
	if err := s.releaseAccepted(ctx, residentID); err != nil {
		return err
	}
	_, err = s.client.VolunteerTeamMember.Delete().Where(volunteerteammember.ResidentID(residentID)).Exec(sys)
	return err
}

// releaseAccepted gives back the places residentID took on tasks not done
// yet: each assignment is cancelled, its task counts one volunteer fewer
// and needs volunteers again, and the task's followers hear of it.
func (s *Service) releaseAccepted(ctx context.Context, residentID int) error {
	sys := viewer.SystemContext(ctx)
	taken, err := s.client.VolunteerTaskAssignment.Query().Where(volunteertaskassignment.VolunteerID(residentID),
		volunteertaskassignment.StatusIn(volunteertaskassignment.StatusACCEPTED, volunteertaskassignment.StatusCHECKED_IN),
		volunteertaskassignment.HasTaskWith(volunteertask.StatusIn(volunteertask.StatusOPEN, volunteertask.StatusSTAFFED))).All(sys)
	if err != nil {
		return err
	}
	for _, a := range taken {
		err := store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
			n, err := tx.VolunteerTaskAssignment.Update().
				Where(volunteertaskassignment.ID(a.ID), volunteertaskassignment.StatusEQ(a.Status)).
				SetStatus(volunteertaskassignment.StatusCANCELLED).Save(sys)
			if err != nil || n == 0 {
				return err
			}
			if err := tx.VolunteerTask.UpdateOneID(a.TaskID).AddAccepted(-1).SetUpdatedAt(s.clock()).Exec(sys); err != nil {
				return err
			}
			if err := tx.VolunteerTask.Update().
				Where(volunteertask.ID(a.TaskID), volunteertask.StatusEQ(volunteertask.StatusSTAFFED), acceptedBelowNeeded()).
				SetStatus(volunteertask.StatusOPEN).Exec(sys); err != nil {
				return err
			}
			return s.taskEvent(ctx, tx, a.TaskID, "volunteer-task.released")
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// erasedLocation replaces the location of an erased person's help request.
const erasedLocation = "已删除"

// erase replaces p's name and location in what Red Neighbor holds.
func erase(ctx context.Context, tx *ent.Tx, p personaldata.Person) error {
	if err := tx.HelpRequest.Update().Where(helprequest.RequesterID(p.ID)).
		Modify(func(u *entsql.UpdateBuilder) {
			u.Set(helprequest.FieldRequesterName, personaldata.DeletedName).Set(helprequest.FieldLocation, erasedLocation)
		}).Exec(ctx); err != nil {
		return err
	}
	if err := tx.VolunteerTaskAssignment.Update().Where(volunteertaskassignment.VolunteerID(p.ID)).
		Modify(func(u *entsql.UpdateBuilder) {
			u.Set(volunteertaskassignment.FieldVolunteerName, personaldata.DeletedName)
		}).Exec(ctx); err != nil {
		return err
	}
	if !p.Named() {
		return nil
	}
	if err := tx.HelpRequest.Update().
		Where(helprequest.Or(helprequest.TitleContains(p.Name), helprequest.DetailsContains(p.Name))).
		Modify(personaldata.ReplaceName(p.Name, helprequest.FieldTitle, helprequest.FieldDetails)).Exec(ctx); err != nil {
		return err
	}
	if err := tx.VolunteerTask.Update().
		Where(volunteertask.Or(volunteertask.TitleContains(p.Name), volunteertask.DetailsContains(p.Name))).
		Modify(personaldata.ReplaceName(p.Name, volunteertask.FieldTitle, volunteertask.FieldDetails)).Exec(ctx); err != nil {
		return err
	}
	return tx.LedgerTransfer.Update().Where(ledgertransfer.MemoContains(p.Name)).
		Modify(personaldata.ReplaceName(p.Name, ledgertransfer.FieldMemo)).Exec(ctx)
}
