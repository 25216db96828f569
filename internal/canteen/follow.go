package canteen

import (
	"context"

	"entgo.io/contrib/entgql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// OrderUpdate is a meal order as its feed streams it, and the cursor to
// resume the feed after it.
type OrderUpdate struct {
	// Cursor is what the client passes as since to resume after this.
	Cursor entgql.Cursor[int]
	// Order is the order as it is.
	Order *ent.MealOrder
}

// KitchenUpdate is a kitchen's view as its feed streams it, and the cursor
// to resume the feed after it.
type KitchenUpdate struct {
	// Cursor is what the client passes as since to resume after this.
	Cursor entgql.Cursor[int]
	// Kitchen is the kitchen's view of the day.
	Kitchen *Kitchen
}

// FollowOrder streams meal order id as the viewer sees it, at once (or,
// resuming after since, once if it changed since) and after each change,
// until it becomes hidden; one the viewer cannot see is NOT_FOUND.
func (s *Service) FollowOrder(ctx context.Context, hub *realtime.Hub, id int, since *entgql.Cursor[int]) (<-chan *OrderUpdate, error) {
	if _, err := viewer.Required(ctx); err != nil {
		return nil, err
	}
	return realtime.Stream(ctx, hub, s.client, realtime.Snapshots("mealOrderUpdated",
		[]string{realtime.NodeTopic(id)}, realtime.Since(since),
		func(ctx context.Context) (*ent.MealOrder, error) {
			o, err := s.client.MealOrder.Get(ctx, id)
			if ent.IsNotFound(err) {
				return nil, apperr.New(apperr.NotFound, "meal order not found")
			}
			return o, err
		},
		func(c entgql.Cursor[int], o *ent.MealOrder) *OrderUpdate { return &OrderUpdate{Cursor: c, Order: o} }))
}

// FollowKitchen streams the kitchen's view of a canteen for a day
// (KitchenView) at once (or, resuming after since, once if it changed
// since) and whenever one of its orders changes.
func (s *Service) FollowKitchen(ctx context.Context, hub *realtime.Hub, canteenID int, date string, since *entgql.Cursor[int]) (<-chan *KitchenUpdate, error) {
	return realtime.Stream(ctx, hub, s.client, realtime.Snapshots("canteenKitchenUpdated",
		[]string{realtime.NodeTopic(canteenID)}, realtime.Since(since),
		func(ctx context.Context) (*Kitchen, error) { return s.KitchenView(ctx, canteenID, date) },
		func(c entgql.Cursor[int], k *Kitchen) *KitchenUpdate { return &KitchenUpdate{Cursor: c, Kitchen: k} }))
}
