package apitest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

// Issue 13's reconnect-with-since on each feed, across a token-expiry
// close: a phone's socket closes with 4403 "token expired" (every 15
// minutes), changes happen while it is away, and it subscribes again on a
// fresh token with since, the cursor of the last update it had. It must
// then hear exactly what it missed: for a feed of changes, every change
// after the cursor once, in order (what the first socket heard plus what
// the second hears is every change, none twice); for a feed of a state,
// the state as it is now, once.

// socketLife is how long the first socket's token has left when it is
// dialed: the socket closes with 4403 "token expired" that long after,
// whatever has been said on it by then (a slow machine may hear nothing
// on it; the replay then covers everything).
const socketLife = 2 * time.Second

// resumeUpdate is one update a feed sent, as its root field's data.
type resumeUpdate struct {
	Cursor string          `json:"cursor"`
	Data   json.RawMessage `json:"-"`
}

// expiringSocket dials phone's websocket on a token that has socketLife
// left: it moves the Env's clock so, then issues nothing new (tokens the
// test issues after it are valid for the full TTL from the new time).
func expiringSocket(t *testing.T, e *apitest.Env, phone string) *apitest.WS {
	t.Helper()
	token := e.TokenFor(t, phone)
	e.Clock.Advance(apitest.AccessTokenTTL - socketLife)
	return e.DialWS(t, token)
}

// untilExpired reads ws until the server closes it, which must be with
// 4403 "token expired", and returns the updates of subscription id (its
// root field's data) it heard first.
func untilExpired(t *testing.T, ws *apitest.WS, id, field string) []resumeUpdate {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wsWait)
	defer cancel()
	var got []resumeUpdate
	for {
		var m apitest.WSMessage
		err := wsjson.Read(ctx, ws.Conn, &m)
		var ce websocket.CloseError
		switch {
		case errors.As(err, &ce):
			if ce.Code != 4403 || ce.Reason != "token expired" {
				t.Fatalf("the socket closed with %d %q, want 4403 token expired", ce.Code, ce.Reason)
			}
			return got
		case err != nil:
			t.Fatalf("the socket did not close at its token's expiry: %v", err)
		case m.Type == "ping":
			ws.Send(apitest.WSMessage{Type: "pong"})
		case m.Type == "next" && m.ID == id:
			got = append(got, decodeUpdate(t, m.Payload, field))
		case m.Type == "pong":
		default:
			t.Fatalf("unexpected %s %s %s", m.Type, m.ID, m.Payload)
		}
	}
}

// nextUpdate reads the next update of subscription id on ws.
func nextUpdate(t *testing.T, ws *apitest.WS, id, field string) resumeUpdate {
	t.Helper()
	m := ws.Read(wsWait)
	if m.Type != "next" || m.ID != id {
		t.Fatalf("want next for %s, got %s %s %s", id, m.Type, m.ID, m.Payload)
	}
	return decodeUpdate(t, m.Payload, field)
}

// decodeUpdate takes field's data out of a next payload.
func decodeUpdate(t *testing.T, payload json.RawMessage, field string) resumeUpdate {
	t.Helper()
	var p struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors []apitest.Error            `json:"errors"`
	}
	if err := json.Unmarshal(payload, &p); err != nil || len(p.Errors) > 0 || p.Data[field] == nil {
		t.Fatalf("next payload %s: %v", payload, err)
	}
	var u resumeUpdate
	if err := json.Unmarshal(p.Data[field], &u); err != nil {
		t.Fatal(err)
	}
	u.Data = p.Data[field]
	return u
}

// lastCursor is the cursor of the last of us, or else.
func lastCursor(us []resumeUpdate, orElse string) string {
	if len(us) == 0 {
		return orElse
	}
	return us[len(us)-1].Cursor
}

// streamCursorOf is the streamCursor query as token.
func streamCursorOf(t *testing.T, e *apitest.Env, token string) string {
	t.Helper()
	return e.Do(t, token, `{ streamCursor }`, nil).Must(t).Value("streamCursor").(string)
}

// changeFeed is a feed of changes under test: the subscriber, the
// subscription (with $since), and what identifies one update.
type changeFeed struct {
	phone, query, field string
	vars                map[string]any
	key                 func(t *testing.T, data json.RawMessage) string
}

// resumeChanges runs the reconnect on a feed of changes: before makes
// changes while the first socket is open, during while nobody is
// connected; want returns every update's key in order, once both ran.
func resumeChanges(t *testing.T, e *apitest.Env, f changeFeed, before, during func(), want func() []string) {
	t.Helper()
	since := streamCursorOf(t, e, e.TokenFor(t, f.phone))
	ws1 := expiringSocket(t, e, f.phone)
	ws1.Subscribe("f", f.query, withSince(f.vars, since))
	before()
	heard := untilExpired(t, ws1, "f", f.field)
	during()
	flushed(t, e)
	expected := want()
	ws2 := e.DialWS(t, e.TokenFor(t, f.phone))
	ws2.Subscribe("f", f.query, withSince(f.vars, lastCursor(heard, since)))
	all := slices.Clone(heard)
	for len(all) < len(expected) {
		all = append(all, nextUpdate(t, ws2, "f", f.field))
	}
	ws2.Quiet(300 * time.Millisecond) // nothing more, in particular nothing twice
	var keys []string
	for _, u := range all {
		keys = append(keys, f.key(t, u.Data))
	}
	if !slices.Equal(keys, expected) {
		t.Errorf("heard %q (%d before the close), want %q", keys, len(heard), expected)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Cursor == all[i-1].Cursor {
			t.Errorf("two updates with cursor %s", all[i].Cursor)
		}
	}
}

// stateFeed is a feed of a state under test.
type stateFeed struct {
	phone, query, field string
	vars                map[string]any
	key                 func(t *testing.T, data json.RawMessage) string
}

// resumeState runs the reconnect on a feed of a state: the first socket
// starts with the state; during changes it while nobody is connected; the
// second socket must be sent the state as it is then, want, once; and a
// third, resuming after that, nothing.
func resumeState(t *testing.T, e *apitest.Env, f stateFeed, during func(), want string) {
	t.Helper()
	ws1 := expiringSocket(t, e, f.phone)
	ws1.Subscribe("f", f.query, f.vars)
	heard := untilExpired(t, ws1, "f", f.field)
	if len(heard) == 0 {
		t.Fatal("the first socket heard no first state before its token expired") // after socketLife: CI is very slow
	}
	during()
	flushed(t, e)
	ws2 := e.DialWS(t, e.TokenFor(t, f.phone))
	ws2.Subscribe("f", f.query, withSince(f.vars, lastCursor(heard, "")))
	got := nextUpdate(t, ws2, "f", f.field)
	if k := f.key(t, got.Data); k != want {
		t.Errorf("resumed with %q, want %q", k, want)
	}
	ws2.Quiet(300 * time.Millisecond)
	ws3 := e.DialWS(t, e.TokenFor(t, f.phone))
	ws3.Subscribe("f", f.query, withSince(f.vars, got.Cursor))
	ws3.Quiet(300 * time.Millisecond) // nothing changed after that cursor
}

// flushed publishes what the changes made while the phone was away
// wrote: it comes back later than the relay, which numbers them at once
// (a state feed may otherwise send a state twice: once after the first
// change, with all of them in it, and once after the second).
func flushed(t *testing.T, e *apitest.Env) {
	t.Helper()
	if err := e.Relay.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// withSince returns vars with since.
func withSince(vars map[string]any, since string) map[string]any {
	out := map[string]any{"since": since}
	for k, v := range vars {
		out[k] = v
	}
	return out
}

// field decodes data's value at path (dot-separated) as a string.
func field(t *testing.T, data json.RawMessage, path string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: no %s in %s", path, p, data)
		}
		v = m[p]
	}
	return fmt.Sprint(v)
}

func TestResumeGridRequestsAcrossTokenExpiry(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		sg01 := apitest.ID(e.GridID(t, seed.GridShengguang01))
		var filed, second requestView
		q := func() *requests { return newRequests(t, e) } // tokens valid at the clock's time
		other := categoryID(t, e, seed.CategoryOther)
		resumeChanges(t, e, changeFeed{
			phone: seed.PhoneGridLeader, field: "gridRequests", vars: map[string]any{"grid": sg01},
			query: `subscription($grid: ID!, $since: Cursor) { gridRequests(gridId: $grid, since: $since) { cursor request { id status } } }`,
			// An update carries the request as it is when it is sent: a
			// replayed one (all three when a slow machine heard nothing on
			// the first socket) shows the state after the claim.
			key: func(t *testing.T, d json.RawMessage) string { return field(t, d, "request.id") },
		}, func() {
			filed = q().file(t, seed.PhoneElder, map[string]any{"categoryId": other, "description": "想了解食堂時間"})
		}, func() {
			r := q()
			r.must(t, seed.PhoneGridWorker, "claimRequest", filed.ID, "", nil)
			second = r.file(t, seed.PhoneGuardian, map[string]any{"categoryId": other, "description": "樓道燈壞了"})
		}, func() []string {
			return []string{filed.ID, filed.ID, second.ID}
		})
	})
}

func TestResumeRequestUpdatedAcrossTokenExpiry(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		r := newRequests(t, e).file(t, seed.PhoneElder, map[string]any{"categoryId": categoryID(t, e, seed.CategoryOther), "description": "想了解食堂時間"})
		resumeState(t, e, stateFeed{
			phone: seed.PhoneElder, field: "requestUpdated", vars: map[string]any{"id": r.ID},
			query: `subscription($id: ID!, $since: Cursor) { requestUpdated(id: $id, since: $since) { cursor request { id status } } }`,
			key:   func(t *testing.T, d json.RawMessage) string { return field(t, d, "request.status") },
		}, func() {
			q := newRequests(t, e)
			q.must(t, seed.PhoneGridWorker, "claimRequest", r.ID, "", nil)
			q.must(t, seed.PhoneGridWorker, "resolveRequest", r.ID, ", resolution: $resolution", map[string]any{"resolution": "已答覆食堂時間"})
		}, "RESOLVED")
	})
}

func TestResumeCareEventsAcrossTokenExpiry(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		// At 8:50: the first socket's clock move (almost 15 min) ends 2 s
		// before the check-in window's start - 10 min + 15 min = 9:05.
		elder, slot, _, booking := bookedHalfDay(t, e)
		if err := e.Relay.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		resumeChanges(t, e, changeFeed{
			phone: seed.PhoneGuardian, field: "careEvents", vars: map[string]any{"d": elder},
			query: `subscription($d: ID!, $since: Cursor) { careEvents(dependentId: $d, since: $since) { cursor event { kind } } }`,
			key:   func(t *testing.T, d json.RawMessage) string { return field(t, d, "event.kind") },
		}, func() {
			e.Do(t, e.TokenFor(t, seed.PhoneCaregiver), `mutation($s: ID!, $r: ID!) { checkInCare(slotId: $s, residentId: $r) { status } }`,
				map[string]any{"s": str(slot), "r": elder}).Must(t)
		}, func() {
			caregiver := e.TokenFor(t, seed.PhoneCaregiver)
			e.Do(t, caregiver, `mutation($b: ID!) { addCareNote(bookingId: $b, body: "午睡一小時，精神好。") { id } }`, map[string]any{"b": booking}).Must(t)
			e.Do(t, caregiver, `mutation($b: ID!) { addCareNote(bookingId: $b, body: "午飯吃完了。") { id } }`, map[string]any{"b": booking}).Must(t)
		}, func() []string { return []string{"CHECKED_IN", "NOTE", "NOTE"} })
	})
}

func TestResumeGridHelpRequestsAcrossTokenExpiry(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		sg01 := apitest.ID(e.GridID(t, seed.GridShengguang01))
		q := `subscription($g: ID!, $since: Cursor) { gridHelpRequests(gridId: $g, since: $since) { cursor requests { totalCount } } }`
		count := func() int {
			var out struct {
				GridHelpRequests struct{ Requests struct{ TotalCount int } }
			}
			ws := e.DialWS(t, e.TokenFor(t, seed.PhoneVolunteer))
			ws.Subscribe("c", q, map[string]any{"g": sg01})
			ws.Next("c", wsWait, &out)
			return out.GridHelpRequests.Requests.TotalCount
		}
		open := count()
		resumeState(t, e, stateFeed{
			phone: seed.PhoneVolunteer, field: "gridHelpRequests", vars: map[string]any{"g": sg01}, query: q,
			key: func(t *testing.T, d json.RawMessage) string { return field(t, d, "requests.totalCount") },
		}, func() {
			elder := e.TokenFor(t, seed.PhoneElder)
			e.Do(t, elder, askForHelp, helpInput(e, nil)).Must(t)
			e.Do(t, elder, askForHelp, helpInput(e, map[string]any{"title": "幫忙取藥"})).Must(t)
		}, fmt.Sprint(open+2))
	})
}

func TestResumeHelpRequestUpdatedAcrossTokenExpiry(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		id := e.Do(t, e.TokenFor(t, seed.PhoneElder), askForHelp, helpInput(e, nil)).Must(t).Value("askForHelp", "id").(string)
		resumeState(t, e, stateFeed{
			phone: seed.PhoneElder, field: "helpRequestUpdated", vars: map[string]any{"id": id},
			query: `subscription($id: ID!, $since: Cursor) { helpRequestUpdated(id: $id, since: $since) { cursor helpRequest { id status } } }`,
			key:   func(t *testing.T, d json.RawMessage) string { return field(t, d, "helpRequest.status") },
		}, func() {
			offer := e.Do(t, e.TokenFor(t, seed.PhoneVolunteer), offerHelp, map[string]any{"id": id}).Must(t).Value("offerHelp", "id")
			e.Do(t, e.TokenFor(t, seed.PhoneElder), `mutation($o: ID!) { acceptHelpOffer(offerId: $o) { id } }`, map[string]any{"o": offer}).Must(t)
		}, "MATCHED")
	})
}
