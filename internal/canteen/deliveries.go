package canteen

import (
	"context"
	"strconv"
	"strings"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/dispatch"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Deliveries returns the canteen's side of the delivery tasks it
// dispatches (keys of kind OrderKeyKind), for volunteer dispatch to ask
// within its own transactions: a task can be taken and started only while
// its order still awaits delivery, and the volunteer who checks out of it
// delivers the order.
func (s *Service) Deliveries() dispatch.Subject { return deliveries{s} }

// deliveries is the dispatch.Subject of meal orders.
type deliveries struct{ s *Service }

// order loads the order a delivery task's key names, through tx.
func (d deliveries) order(ctx context.Context, tx *ent.Tx, key string) (*ent.MealOrder, error) {
	id, err := strconv.Atoi(strings.TrimPrefix(key, OrderKeyKind+":"))
	if err != nil || dispatch.KindOf(key) != OrderKeyKind {
		return nil, apperr.New(apperr.Internal, "canteen: %q is not a meal order's key", key)
	}
	o, err := tx.MealOrder.Get(viewer.SystemContext(ctx), id)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.Conflict, "the meal order of this delivery no longer exists")
	}
	return o, err
}

// Deliverable is nil while the order still awaits delivery (PLACED to
// OUT_FOR_DELIVERY).
func (d deliveries) Deliverable(ctx context.Context, tx *ent.Tx, key string) error {
	o, err := d.order(ctx, tx, key)
	if err != nil {
		return err
	}
	switch o.Status {
	case mealorder.StatusCANCELLED, mealorder.StatusDELIVERED, mealorder.StatusCOLLECTED:
		return apperr.New(apperr.Conflict, "the meal order is %s: this delivery is no longer needed", o.Status)
	}
	return nil
}

// Delivered marks the order DELIVERED by the volunteer, from READY or
// OUT_FOR_DELIVERY on the meal's day, and finishes its task; an order
// DELIVERED already is left as it is.
func (d deliveries) Delivered(ctx context.Context, tx *ent.Tx, key string, volunteerID int) error {
	s := d.s
	o, err := d.order(ctx, tx, key)
	if err != nil {
		return err
	}
	switch o.Status {
	case mealorder.StatusDELIVERED:
		return nil
	case mealorder.StatusREADY, mealorder.StatusOUT_FOR_DELIVERY:
	case mealorder.StatusPLACED, mealorder.StatusPREPARING:
		return apperr.New(apperr.Conflict, "the meal order is %s: the canteen marks it READY before it can be delivered", o.Status)
	default:
		return apperr.New(apperr.Conflict, "the meal order is %s: this delivery is no longer needed", o.Status)
	}
	if err := s.onItsDay(o, mealorder.StatusDELIVERED); err != nil {
		return err
	}
	n, err := tx.MealOrder.Update().Where(mealorder.ID(o.ID), mealorder.StatusEQ(o.Status)).
		SetStatus(mealorder.StatusDELIVERED).SetUpdatedAt(s.now()).Save(viewer.SystemContext(ctx))
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.Conflict, "the meal order changed meanwhile; try again")
	}
	if s.dispatcher != nil {
		if err := s.dispatcher.Finish(ctx, tx, key, "the volunteer delivered the meal"); err != nil {
			return err
		}
	}
	o.Status = mealorder.StatusDELIVERED
	return s.emit(ctx, tx, o, "meal_order.delivered", nil, realtime.NotificationContent{})
}
