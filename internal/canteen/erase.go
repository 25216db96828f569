package canteen

import (
	"context"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/volunteertask"
	"github.com/jimei-linli/linli/internal/personaldata"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Eraser is the canteens' part of deleting an account: the person's placed
// orders are cancelled through CancelOrder (refund, menu place, delivery
// task and notifications as usual; an order past its cut-off stays), then
// their orders keep no name and no delivery address, and the delivery
// tasks dispatched for them no name and no addresses.
func (s *Service) Eraser() personaldata.Eraser {
	return personaldata.Eraser{Name: "canteen", Close: s.closeFor, Erase: erase}
}

// closeFor cancels residentID's placed orders, as them.
func (s *Service) closeFor(ctx context.Context, residentID int) error {
	ids, err := s.client.MealOrder.Query().Where(mealorder.BeneficiaryID(residentID),
		mealorder.StatusEQ(mealorder.StatusPLACED)).IDs(viewer.SystemContext(ctx))
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.CancelOrder(ctx, id); personaldata.Tolerate(err) != nil {
			return err
		}
	}
	return nil
}

// erase removes p's name and address from their orders and their delivery
// tasks.
func erase(ctx context.Context, tx *ent.Tx, p personaldata.Person) error {
	tasks, err := tx.MealOrder.Query().Where(mealorder.BeneficiaryID(p.ID), mealorder.DispatchTaskIDNotNil()).
		Select(mealorder.FieldDispatchTaskID).Ints(ctx)
	if err != nil {
		return err
	}
	if err := tx.MealOrder.Update().Where(mealorder.BeneficiaryID(p.ID)).
		Modify(func(u *entsql.UpdateBuilder) {
			u.Set(mealorder.FieldRecipientName, personaldata.DeletedName).SetNull(mealorder.FieldDeliveryAddress)
		}).Exec(ctx); err != nil {
		return err
	}
	if len(tasks) == 0 {
		return nil
	}
	return tx.VolunteerTask.Update().Where(volunteertask.IDIn(tasks...)).
		Modify(func(u *entsql.UpdateBuilder) {
			u.Set(volunteertask.FieldDetails, "").Set(volunteertask.FieldLocation, "")
		}).Exec(ctx)
}
