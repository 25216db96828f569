package apitest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

const (
	gridRequestsSubscription   = `subscription($grid: ID!) { gridRequests(gridId: $grid) { cursor request { id status category { code } } } }`
	requestUpdatedSubscription = `subscription($id: ID!) { requestUpdated(id: $id) { cursor request { id status owner { id } } } }`
)

// wsWait is how long these tests wait for a message that must come: long,
// because CI runs many packages at once on two cores and a deadline that
// passes fails the test; a message that never comes still fails it.
const wsWait = 30 * time.Second

// wsUpdate is what the subscriptions above send: a request and the
// cursor to resume after it.
type wsUpdate struct {
	Cursor    string
	wsRequest `json:"request"`
}

// wsRequest is the request of a wsUpdate.
type wsRequest struct {
	ID, Status string
	Owner      *struct{ ID string }
	Category   *struct{ Code string }
}

func TestRequestSubscriptions(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		q := newRequests(t, e)
		sg01 := apitest.ID(e.GridID(t, seed.GridShengguang01))
		leader := e.DialWS(t, q.tokens[seed.PhoneGridLeader])
		leader.Subscribe("grid", gridRequestsSubscription, map[string]any{"grid": sg01})
		informant := e.DialWS(t, q.tokens[seed.PhoneSafetyInformant])
		informant.Subscribe("grid", gridRequestsSubscription, map[string]any{"grid": sg01})

		// Someone outside the grid may not follow it.
		other := e.DialWS(t, q.tokens[seed.PhoneOtherResident])
		other.Subscribe("grid", gridRequestsSubscription, map[string]any{"grid": sg01})
		subscriptionRefused(t, other, "grid", "FORBIDDEN")

		// The elder files: the leader hears of it at once.
		r := q.file(t, seed.PhoneElder, map[string]any{"categoryId": categoryID(t, e, seed.CategoryOther), "description": "想了解食堂时间"})
		var got struct{ GridRequests wsUpdate }
		leader.Next("grid", wsWait, &got)
		if got.GridRequests.ID != r.ID || got.GridRequests.Status != "SUBMITTED" {
			t.Errorf("the leader heard %+v", got.GridRequests)
		}
		// The elder follows her request; the resident of 岑西 may not.
		elder := e.DialWS(t, q.tokens[seed.PhoneElder])
		elder.Subscribe("req", requestUpdatedSubscription, map[string]any{"id": r.ID})
		var upd struct{ RequestUpdated wsUpdate }
		elder.Next("req", wsWait, &upd)
		if upd.RequestUpdated.Status != "SUBMITTED" {
			t.Errorf("first state %+v", upd.RequestUpdated)
		}
		other.Subscribe("req", requestUpdatedSubscription, map[string]any{"id": r.ID})
		subscriptionRefused(t, other, "req", "NOT_FOUND")

		q.must(t, seed.PhoneGridWorker, "claimRequest", r.ID, "", nil)
		elder.Next("req", wsWait, &upd)
		if upd.RequestUpdated.Status != "IN_PROGRESS" || upd.RequestUpdated.Owner == nil {
			t.Errorf("after the claim the elder has %+v", upd.RequestUpdated)
		}
		leader.Next("grid", wsWait, &got)
		if got.GridRequests.Status != "IN_PROGRESS" {
			t.Errorf("after the claim the leader has %+v", got.GridRequests)
		}

		// The safety informant hears only of hazards: the first thing it
		// hears is the hazard filed now.
		h := q.file(t, seed.PhoneGuardian, map[string]any{"categoryId": categoryID(t, e, seed.CategorySafetyHazard), "description": "消防通道被堵"})
		informant.Next("grid", wsWait, &got)
		if got.GridRequests.ID != h.ID || got.GridRequests.Category.Code != seed.CategorySafetyHazard {
			t.Errorf("the informant heard %+v", got.GridRequests)
		}
		leader.Next("grid", wsWait, &got)
		if got.GridRequests.ID != h.ID {
			t.Errorf("the leader heard %+v", got.GridRequests)
		}
		// A progress note reaches the elder's subscription.
		q.must(t, seed.PhoneGridWorker, "addRequestNote", r.ID, ", body: $body", map[string]any{"body": "明天答复"})
		elder.Next("req", wsWait, &upd)
		if upd.RequestUpdated.ID != r.ID {
			t.Errorf("after the note %+v", upd.RequestUpdated)
		}
	})
}

// subscriptionRefused reads ws until subscription id answers, which must
// be an error with code, followed by its end.
func subscriptionRefused(t *testing.T, ws *apitest.WS, id, code string) {
	t.Helper()
	for {
		m := ws.Read(wsWait)
		if m.ID != id {
			continue // the end of an earlier subscription
		}
		if (m.Type != "next" && m.Type != "error") || !strings.Contains(string(m.Payload), `"code":"`+code+`"`) {
			t.Fatalf("subscription %s: want %s, got %s %s", id, code, m.Type, m.Payload)
		}
		return
	}
}
