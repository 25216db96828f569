package canteen_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/canteen"
	"github.com/jimei-linli/linli/internal/credit"
	"github.com/jimei-linli/linli/internal/dispatch"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/viewer"
)

// orderInTx reports whether the order named by key (canteen-order:<id>)
// exists as seen through tx: true inside the transaction that writes it.
func orderInTx(ctx context.Context, tx *ent.Tx, key string) bool {
	id, err := strconv.Atoi(strings.TrimPrefix(key, "canteen-order:"))
	if err != nil || tx == nil {
		return false
	}
	_, err = tx.MealOrder.Get(viewer.SystemContext(ctx), id)
	return err == nil
}

// recordingSpender records spending and refunds, and whether each was made
// inside the transaction of its order. fail makes Spend fail.
type recordingSpender struct {
	mu      sync.Mutex
	spends  []credit.Spend
	inTx    []bool
	refunds []string
	fail    error
}

func (r *recordingSpender) Open(context.Context, int, int) error { return nil }

func (r *recordingSpender) Spend(ctx context.Context, tx *ent.Tx, s credit.Spend) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return 0, r.fail
	}
	r.spends = append(r.spends, s)
	r.inTx = append(r.inTx, orderInTx(ctx, tx, s.Key))
	return len(r.spends), nil
}

func (r *recordingSpender) Refund(ctx context.Context, tx *ent.Tx, key, memo string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refunds = append(r.refunds, key)
	return nil
}

// recordingDispatcher records tasks and cancellations.
type recordingDispatcher struct {
	tasks    []dispatch.Task
	inTx     []bool
	cancels  []string
	finishes []string
}

func (r *recordingDispatcher) Dispatch(ctx context.Context, tx *ent.Tx, t dispatch.Task) (int, error) {
	r.tasks = append(r.tasks, t)
	r.inTx = append(r.inTx, orderInTx(ctx, tx, t.Key))
	return 4242, nil
}

func (r *recordingDispatcher) Cancel(ctx context.Context, tx *ent.Tx, key, reason string) error {
	r.cancels = append(r.cancels, key)
	return nil
}

func (r *recordingDispatcher) Finish(ctx context.Context, tx *ent.Tx, key, reason string) error {
	r.finishes = append(r.finishes, key)
	return nil
}

// TestSeams: with a time bank and volunteer dispatch, an order spends
// credit and dispatches its delivery inside its own transaction, with the
// right amounts and keys; cancelling refunds and withdraws; a refused
// spending leaves nothing written.
func TestSeams(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		spender, dispatcher := &recordingSpender{}, &recordingDispatcher{}
		f := newFixture(t, s, canteen.WithSpender(spender), canteen.WithDispatcher(dispatcher))
		in := f.order("elder")
		in.Fulfillment, in.CreditMinutes = mealorder.FulfillmentDELIVERY, 30
		o, err := f.svc.PlaceOrder(f.as("son"), in)
		if err != nil {
			t.Fatal(err)
		}
		key := canteen.OrderKey(o.ID)
		if len(spender.spends) != 1 || !spender.inTx[0] {
			t.Fatalf("spends: %+v in tx %v", spender.spends, spender.inTx)
		}
		// The son pays with his credit for his mother's meal.
		want := credit.Spend{ResidentID: f.ids["son"], Minutes: 30, CommunityID: f.community, Memo: "盛光食堂 2026-12-01 午餐", Key: key}
		if spender.spends[0] != want {
			t.Errorf("spend %+v, want %+v", spender.spends[0], want)
		}
		if o.CreditValue != 300 || o.AmountPaid != 1300-500-300 {
			t.Errorf("breakdown: %+v", o)
		}
		if len(dispatcher.tasks) != 1 || !dispatcher.inTx[0] {
			t.Fatalf("tasks: %+v in tx %v", dispatcher.tasks, dispatcher.inTx)
		}
		task := dispatcher.tasks[0]
		if task.Key != key || task.CommunityID != f.community || task.GridID != *o.DeliveryGridID || task.PlaceID == 0 ||
			!task.Start.Equal(at(mealDay, 11, 0)) || !task.End.Equal(at(mealDay, 12, 30)) || task.Minutes <= 0 {
			t.Errorf("task: %+v", task)
		}
		if o.DispatchTaskID == nil || *o.DispatchTaskID != 4242 {
			t.Errorf("dispatch task id: %v", o.DispatchTaskID)
		}
		if _, err := f.svc.CancelOrder(f.as("son"), o.ID); err != nil {
			t.Fatal(err)
		}
		if len(spender.refunds) != 1 || spender.refunds[0] != key || len(dispatcher.cancels) != 1 || dispatcher.cancels[0] != key {
			t.Errorf("refunds %v, cancels %v", spender.refunds, dispatcher.cancels)
		}

		// The time bank refuses: nothing is written.
		before := f.counts()
		spender.fail = apperr.New(apperr.Conflict, "not enough credit")
		_, err = f.svc.PlaceOrder(f.as("son"), in)
		wantCode(t, err, apperr.Conflict, "not enough credit")
		if after := f.counts(); after != before {
			t.Errorf("written: %v, was %v", after, before)
		}
		// Without dispatch, staff deliver: no task.
		plain := canteen.New(f.client, realtime.NewOutbox(nil, f.clock.Now), f.clock.Now)
		in.CreditMinutes = 0
		if o, err := plain.PlaceOrder(f.as("son"), in); err != nil || o.DispatchTaskID != nil {
			t.Errorf("without dispatch: %+v %v", o, err)
		}
	})
}
