package apitest_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/server"
)

const broadcastMutation = `mutation($target: ID!, $title: String!, $level: BroadcastLevel!) {
	sendBroadcast(input: {targetId: $target, level: $level, title: $title, body: "请注意"}) { id recipientCount level } }`

const inboxQuery = `{ unreadNotificationCount notifications(first: 10) { totalCount edges { node { id kind title cursor subject { id ... on Broadcast { level } } } } } }`

const addedSubscription = `subscription($since: Cursor) { notificationAdded(since: $since) { id title cursor } }`

// inbox is what inboxQuery returns.
type inbox struct {
	UnreadNotificationCount int
	Notifications           struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID, Kind, Title, Cursor string
				Subject                 *struct{ ID, Level string }
			}
		}
	}
}

func TestBroadcastPermissions(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		sg01 := apitest.ID(e.GridID(t, seed.GridShengguang01))
		cx01 := apitest.ID(e.GridID(t, seed.GridCenxi01))
		sg := apitest.ID(e.CommunityID(t, seed.CommunityShengguang))
		street := apitest.ID(e.StreetID(t, seed.StreetCode))
		const ok = ""
		for _, tc := range []struct {
			who, target, want string
		}{
			{seed.PhoneGridLeader, sg01, ok},
			{seed.PhoneGridWorker, sg01, ok},
			{seed.PhoneGridLeader, cx01, "FORBIDDEN"},
			{seed.PhoneGridLeader, sg, "FORBIDDEN"},
			{seed.PhoneSafetyInformant, sg01, "FORBIDDEN"},
			{seed.PhoneGuardian, sg01, "FORBIDDEN"},
			{seed.PhoneDepartmentStaff, sg01, "FORBIDDEN"},
			{seed.PhoneCommunityAdmin, sg, ok},
			{seed.PhoneCommunityAdmin, sg01, ok},
			{seed.PhoneCommunityAdmin, cx01, "FORBIDDEN"},
			{seed.PhoneCommunityAdmin, street, "FORBIDDEN"},
			{seed.PhoneStreetAdmin, street, ok},
			{seed.PhoneStreetAdmin, cx01, ok},
			{"", sg01, "UNAUTHENTICATED"},
		} {
			t.Run(fmt.Sprintf("%s to %s", tc.who, tc.target), func(t *testing.T) {
				before := e.Counts(t)
				r := e.Do(t, tokens[tc.who], broadcastMutation, map[string]any{"target": tc.target, "title": "停水通知", "level": "NORMAL"})
				if tc.want != ok {
					r.MustFail(t, tc.want)
					if after := e.Counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
						t.Errorf("a refused broadcast wrote: %v -> %v", before, after)
					}
					return
				}
				r.Must(t)
				if n, _ := r.Value("sendBroadcast", "recipientCount").(float64); n < 20 {
					t.Errorf("recipientCount = %v", r.Value("sendBroadcast", "recipientCount"))
				}
			})
		}
		for _, bad := range []map[string]any{
			{"target": sg01, "title": "", "level": "NORMAL"},
			{"target": apitest.ID(e.ResidentID(t, seed.PhoneElder)), "title": "x", "level": "NORMAL"},
		} {
			e.Do(t, tokens[seed.PhoneStreetAdmin], broadcastMutation, bad).MustFail(t, "BAD_USER_INPUT")
		}
	})
}

// TestBroadcastReachesEveryoneInScope: a grid broadcast notifies exactly
// the verified residents of the grid, live and in their inboxes.
func TestBroadcastReachesEveryoneInScope(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		grid := e.GridID(t, seed.GridShengguang01)
		here := e.DialWS(t, tokens[seed.PhoneGuardian])
		here.Subscribe("n", addedSubscription, nil)
		elsewhere := e.DialWS(t, tokens[seed.PhoneOtherResident])
		elsewhere.Subscribe("n", addedSubscription, nil)
		e.WaitSubscribed(t, realtime.ResidentTopic(e.ResidentID(t, seed.PhoneGuardian)))
		e.WaitSubscribed(t, realtime.ResidentTopic(e.ResidentID(t, seed.PhoneOtherResident)))

		r := e.Do(t, tokens[seed.PhoneGridLeader], broadcastMutation, map[string]any{
			"target": apitest.ID(grid), "title": "台风预警", "level": "EMERGENCY"}).Must(t)
		want := e.Client.Resident.Query().Where(resident.GridID(grid), resident.DeletedAtIsNil()).CountX(e.SystemCtx())
		if got, _ := r.Value("sendBroadcast", "recipientCount").(float64); int(got) != want {
			t.Errorf("recipientCount %v, want the grid's %d residents", got, want)
		}
		var live struct {
			NotificationAdded struct{ ID, Title, Cursor string }
		}
		here.Next("n", 10*time.Second, &live)
		if live.NotificationAdded.Title != "台风预警" {
			t.Errorf("live: %+v", live)
		}
		elsewhere.Quiet(300 * time.Millisecond)

		var mine, theirs inbox
		e.Do(t, tokens[seed.PhoneGuardian], inboxQuery, nil).Must(t).Decode(t, &mine)
		e.Do(t, tokens[seed.PhoneOtherResident], inboxQuery, nil).Must(t).Decode(t, &theirs)
		if mine.UnreadNotificationCount != 1 || mine.Notifications.TotalCount != 1 {
			t.Fatalf("the grid's resident has %+v", mine)
		}
		n := mine.Notifications.Edges[0].Node
		if n.ID != live.NotificationAdded.ID || n.Kind != "BROADCAST" || n.Subject == nil || n.Subject.Level != "EMERGENCY" {
			t.Errorf("inbox entry %+v (live %+v)", n, live)
		}
		if theirs.Notifications.TotalCount != 0 || theirs.UnreadNotificationCount != 0 {
			t.Errorf("a resident of another community got %+v", theirs)
		}
		// Marking read: only one's own.
		// The payload carries what changed and the new unread count, so a
		// normalized cache updates without a refetch.
		const markRead = `mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) {
			notifications { id readAt } unreadNotificationCount } }`
		type marked struct {
			MarkNotificationsRead struct {
				Notifications []struct {
					ID     string
					ReadAt *string
				}
				UnreadNotificationCount int
			}
		}
		var got marked
		e.Do(t, tokens[seed.PhoneOtherResident], markRead, map[string]any{"ids": []string{n.ID}}).Must(t).Decode(t, &got)
		if p := got.MarkNotificationsRead; len(p.Notifications) != 0 || p.UnreadNotificationCount != 0 {
			t.Errorf("another resident marked it read: %+v", p)
		}
		got = marked{}
		e.Do(t, tokens[seed.PhoneGuardian], markRead, nil).Must(t).Decode(t, &got)
		if p := got.MarkNotificationsRead; len(p.Notifications) != 1 || p.Notifications[0].ID != n.ID ||
			p.Notifications[0].ReadAt == nil || p.UnreadNotificationCount != 0 {
			t.Errorf("markNotificationsRead = %+v, want %s, read, and 0 unread", p, n.ID)
		}
		got = marked{}
		e.Do(t, tokens[seed.PhoneGuardian], markRead, map[string]any{"ids": []string{n.ID}}).Must(t).Decode(t, &got)
		if p := got.MarkNotificationsRead; len(p.Notifications) != 0 {
			t.Errorf("marking a read notification again changed %+v", p)
		}
		e.Do(t, tokens[seed.PhoneGuardian], inboxQuery, nil).Must(t).Decode(t, &mine)
		if mine.UnreadNotificationCount != 0 {
			t.Errorf("still %d unread", mine.UnreadNotificationCount)
		}
		// broadcasts lists it for the grid, not for another community.
		list := `{ broadcasts(first: 5) { totalCount edges { node { title level grid { name } sender { name } } } } }`
		if got := e.Do(t, tokens[seed.PhoneGuardian], list, nil).Must(t).Value("broadcasts", "totalCount"); got != float64(1) {
			t.Errorf("the grid's resident lists %v broadcasts", got)
		}
		if got := e.Do(t, tokens[seed.PhoneOtherResident], list, nil).Must(t).Value("broadcasts", "totalCount"); got != float64(0) {
			t.Errorf("another community's resident lists %v broadcasts", got)
		}
		e.Do(t, "", inboxQuery, nil).MustFail(t, "UNAUTHENTICATED")
	})
}

func TestNotificationAddedReplaysSinceAndRefusesOthersCursors(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		grid := apitest.ID(e.GridID(t, seed.GridShengguang01))
		for i := range 3 {
			e.Do(t, tokens[seed.PhoneGridLeader], broadcastMutation, map[string]any{
				"target": grid, "title": fmt.Sprint("notice ", i), "level": "NORMAL"}).Must(t)
		}
		e.Relay.Flush(t.Context())
		var mine inbox
		e.Do(t, tokens[seed.PhoneGuardian], inboxQuery, nil).Must(t).Decode(t, &mine)
		if len(mine.Notifications.Edges) != 3 {
			t.Fatalf("inbox has %d", len(mine.Notifications.Edges))
		}
		oldest := mine.Notifications.Edges[2].Node // newest first
		ws := e.DialWS(t, tokens[seed.PhoneGuardian])
		ws.Subscribe("n", addedSubscription, map[string]any{"since": oldest.Cursor})
		for _, want := range []string{"notice 1", "notice 2"} {
			var got struct{ NotificationAdded struct{ Title string } }
			ws.Next("n", 10*time.Second, &got)
			if got.NotificationAdded.Title != want {
				t.Fatalf("replayed %q, want %q", got.NotificationAdded.Title, want)
			}
		}
		// Another resident cannot resume from this resident's cursor.
		other := e.DialWS(t, tokens[seed.PhoneOtherResident])
		other.Subscribe("n", addedSubscription, map[string]any{"since": oldest.Cursor})
		if m := other.Read(10 * time.Second); !strings.Contains(string(m.Payload), "BAD_USER_INPUT") {
			t.Fatalf("another resident's cursor gave %s %s", m.Type, m.Payload)
		}
		if m := other.Read(10 * time.Second); m.Type != "complete" {
			t.Fatalf("after the refusal: %s %s", m.Type, m.Payload)
		}
		other.Quiet(200 * time.Millisecond)
		// Anonymous subscribers are refused.
		anon := e.DialWS(t, "")
		anon.Subscribe("n", addedSubscription, nil)
		if m := anon.Read(10 * time.Second); !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
			t.Fatalf("an anonymous subscription gave %s %s", m.Type, m.Payload)
		}
	})
}

// TestNoLeakAfterSubscribeCycles subscribes and unsubscribes 1,000 times:
// the hub ends with no subscription and goroutines return to their number.
func TestNoLeakAfterSubscribeCycles(t *testing.T) {
	// 1,000 cycles in a burst: the subscribe-rate limit (10 a second by
	// default) would refuse most of them, and this test is about leaks.
	unlimited := apitest.WithServerOptions(func(o *server.Options) {
		o.Limits.SubscribesPerSecond = 1 << 20
	})
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		token := e.DemoTokens(t)[seed.PhoneGuardian]
		ws := e.DialWS(t, token)
		runtime.GC()
		base := runtime.NumGoroutine()
		for i := range 1000 {
			id := fmt.Sprint(i % 3)
			ws.Subscribe(id, addedSubscription, nil)
			ws.Send(apitest.WSMessage{ID: id, Type: "complete"})
		}
		ws.Send(apitest.WSMessage{ID: "probe", Type: "subscribe", Payload: []byte(`{"query":"{ __typename }"}`)})
		for ws.Read(10*time.Second).Type != "complete" {
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			topics := e.Hub.SubscribedTopics("resident:")
			n := runtime.NumGoroutine()
			if len(topics) == 0 && n <= base+5 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 1,000 cycles: %d goroutines (from %d), hub topics %v", n, base, topics)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}, unlimited)
}

// TestSignOutClosesTheSessionsWebsockets: signing out closes at once the
// websockets opened under that session (4403 "session ended"), not those of
// the resident's other sessions; signing out everywhere closes those too.
func TestSignOutClosesTheSessionsWebsockets(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		phone := seed.PhoneGuardian
		first := e.TokenFor(t, phone)
		e.Clock.Advance(time.Minute) // a second session, as from another phone
		second := e.TokenFor(t, phone)
		ws1, ws2 := e.DialWS(t, first), e.DialWS(t, second)
		ws1.Subscribe("n", addedSubscription, nil)
		ws2.Subscribe("n", addedSubscription, nil)
		// Both sockets' streams, not only the first to register (a CI
		// failure: the second subscribed after the broadcast).
		e.WaitSubscribers(t, realtime.ResidentTopic(e.ResidentID(t, phone)), 2)
		e.Do(t, first, `mutation { signOut }`, nil).Must(t)
		e.Relay.Flush(t.Context())
		if code, reason := ws1.ExpectClose(10 * time.Second); code != 4403 || reason != "session ended" {
			t.Fatalf("the signed-out socket closed with %d %q", code, reason)
		}
		// The other session's socket still streams.
		leader := e.TokenFor(t, seed.PhoneGridLeader)
		e.Do(t, leader, broadcastMutation, map[string]any{
			"target": apitest.ID(e.GridID(t, seed.GridShengguang01)), "title": "still here", "level": "NORMAL"}).Must(t)
		var got struct{ NotificationAdded struct{ Title string } }
		ws2.Next("n", 10*time.Second, &got)
		if got.NotificationAdded.Title != "still here" {
			t.Fatalf("the other session's socket got %+v", got)
		}
		e.Do(t, second, `mutation { signOutEverywhere }`, nil).Must(t)
		e.Relay.Flush(t.Context())
		if code, reason := ws2.ExpectClose(10 * time.Second); code != 4403 || reason != "session ended" {
			t.Fatalf("after signing out everywhere the socket closed with %d %q", code, reason)
		}
	})
}

// TestRightsChangesReconnectWebsockets: taking a role from a grid worker
// closes their open websockets with 4403 "rights changed"; the app
// reconnects with the same token and now has the rights it is left with.
func TestRightsChangesReconnectWebsockets(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		worker := e.TokenFor(t, seed.PhoneGridWorker)
		admin := e.TokenFor(t, seed.PhoneCommunityAdmin)
		ws := e.DialWS(t, worker)
		ws.Subscribe("n", addedSubscription, nil)
		e.WaitSubscribed(t, realtime.ResidentTopic(e.ResidentID(t, seed.PhoneGridWorker)))
		role := e.RoleID(t, seed.PhoneGridWorker, "GRID_WORKER")
		e.Do(t, admin, `mutation($id: ID!) { revokeRole(id: $id) }`, map[string]any{"id": apitest.ID(role)}).Must(t)
		e.Relay.Flush(t.Context())
		if code, reason := ws.ExpectClose(10 * time.Second); code != 4403 || reason != "rights changed" {
			t.Fatalf("after the role was taken the socket closed with %d %q", code, reason)
		}
		again := e.DialWS(t, worker) // the token still signs in
		again.Send(apitest.WSMessage{ID: "me", Type: "subscribe", Payload: json.RawMessage(`{"query":"{ me { roles { role } } }"}`)})
		if m := again.Read(10 * time.Second); m.Type != "next" || strings.Contains(string(m.Payload), "GRID_WORKER") {
			t.Fatalf("after reconnecting: %s %s", m.Type, m.Payload)
		}
	})
}
