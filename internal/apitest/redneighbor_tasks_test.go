package apitest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/volunteerteam"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/dispatch"
	"github.com/jimei-linli/linli/internal/redneighbor"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/timebank"
)

const createTask = `mutation($input: CreateVolunteerTaskInput!) {
  createVolunteerTask(input: $input) { id status needed accepted assignments { volunteerName status } }
}`

const respond = `mutation($t: ID!, $yes: Boolean!) { respondToVolunteerTask(taskId: $t, accept: $yes) { status } }`

// TestVolunteerTaskLifecycle: a coordinator dispatches a task to a team and
// a named volunteer, who hear of it live; of two accepting at once for one
// place, exactly one gets it; they check in and out and are credited the
// time served.
func TestVolunteerTaskLifecycle(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		vol, admin := tokens[seed.PhoneVolunteer], tokens[seed.PhoneCommunityAdmin]
		community := e.CommunityID(t, seed.CommunityShengguang)
		sg01 := e.GridID(t, seed.GridShengguang01)
		second, secondID := volunteerFor(t, e, "13700000203", sg01)
		team := e.Client.VolunteerTeam.Query().Where(volunteerteam.CommunityID(community)).
			Order(volunteerteam.ByID()).FirstIDX(e.SystemCtx())

		ws := e.DialWS(t, vol)
		ws.Subscribe("a", `subscription { myVolunteerAssignments { assignments { id status } } }`, nil)
		var mine struct {
			MyVolunteerAssignments struct{ Assignments []struct{ ID, Status string } }
		}
		ws.Next("a", 10*time.Second, &mine)
		before := len(mine.MyVolunteerAssignments.Assignments)

		now := e.Clock.Now()
		in := map[string]any{"input": map[string]any{
			"communityId": apitest.ID(community), "gridId": apitest.ID(sg01), "title": "社区义诊搬桌椅",
			"location": "红邻客厅", "windowStart": now.Format(time.RFC3339), "windowEnd": now.Add(4 * time.Hour).Format(time.RFC3339),
			"minutes": 60, "teamId": apitest.ID(team), "volunteerIds": []string{apitest.ID(secondID)},
		}}
		e.Do(t, vol, createTask, in).MustFail(t, "FORBIDDEN")
		e.Do(t, tokens[seed.PhoneOtherResident], createTask, in).MustFail(t, "FORBIDDEN")
		r := e.Do(t, admin, createTask, in).Must(t)
		task := r.Value("createVolunteerTask", "id").(string)
		ws.Next("a", 10*time.Second, &mine)
		if len(mine.MyVolunteerAssignments.Assignments) != before+1 {
			t.Errorf("the volunteer hears of %d assignments, want %d", len(mine.MyVolunteerAssignments.Assignments), before+1)
		}
		e.Do(t, tokens[seed.PhoneOtherResident], respond, map[string]any{"t": task, "yes": true}).MustFail(t, "NOT_FOUND")

		var wg sync.WaitGroup
		codes := make([]string, 2)
		for i, tok := range []string{vol, second} {
			wg.Go(func() { codes[i] = e.Do(t, tok, respond, map[string]any{"t": task, "yes": true}).Code() })
		}
		wg.Wait()
		if !(codes[0] == "" && codes[1] == "CONFLICT" || codes[0] == "CONFLICT" && codes[1] == "") {
			t.Fatalf("two accepts for one place: codes %q", codes)
		}
		winner, loser := vol, second
		if codes[1] == "" {
			winner, loser = second, vol
		}
		e.Do(t, loser, respond, map[string]any{"t": task, "yes": false}).Must(t)
		before2 := balance(t, e, winner)
		checkIn := `mutation($t: ID!) { checkInVolunteerTask(taskId: $t) { status } }`
		checkOut := `mutation($t: ID!) { checkOutVolunteerTask(taskId: $t) { status creditedMinutes } }`
		e.Do(t, winner, checkOut, map[string]any{"t": task}).MustFail(t, "CONFLICT")
		e.Do(t, winner, checkIn, map[string]any{"t": task}).Must(t)
		e.Clock.Advance(50 * time.Minute)
		tokens = e.DemoTokens(t)
		if winner == vol {
			winner = tokens[seed.PhoneVolunteer]
		} else {
			winner = e.TokenFor(t, "13700000203")
		}
		r = e.Do(t, winner, checkOut, map[string]any{"t": task}).Must(t)
		if r.Value("checkOutVolunteerTask", "creditedMinutes") != float64(50) {
			t.Errorf("checked out: %s", r)
		}
		if got := balance(t, e, winner); got != before2+50 {
			t.Errorf("balance %d, want %d", got, before2+50)
		}
		r = e.Do(t, tokens[seed.PhoneCommunityAdmin], `query($id: ID!) { node(id: $id) { ... on VolunteerTask { status accepted } } }`,
			map[string]any{"id": task}).Must(t)
		if r.Value("node", "status") != "DONE" {
			t.Errorf("task: %s", r)
		}
		e.Do(t, tokens[seed.PhoneCommunityAdmin], `mutation($t: ID!) { cancelVolunteerTask(taskId: $t) { status } }`,
			map[string]any{"t": task}).MustFail(t, "CONFLICT")
	})
}

// TestDispatcherSeam: another part of Linli dispatches a delivery to the
// volunteers of a grid through dispatch.Dispatcher, once per key, and
// cancels it.
func TestDispatcherSeam(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		var d dispatch.Dispatcher = redneighbor.New(e.Client, e.Outbox, timebank.New(e.Client, e.Outbox, e.Clock.Now, 0), e.Clock.Now, 0)
		ctx := e.SystemCtx()
		now := e.Clock.Now()
		task := dispatch.Task{
			CommunityID: e.CommunityID(t, seed.CommunityShengguang), GridID: e.GridID(t, seed.GridShengguang01),
			PlaceID: e.PlaceID(t, e.HouseholdID(t, e.ResidentID(t, seed.PhoneElder))),
			Title:   "送午餐给林阿婆", Start: now, End: now.Add(time.Hour), Minutes: 20, Key: "canteen-order:1",
		}
		ids := make([]int, 2)
		for i := range ids {
			err := store.WithTx(ctx, e.Client, func(tx *ent.Tx) (err error) {
				ids[i], err = d.Dispatch(ctx, tx, task)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if ids[0] != ids[1] {
			t.Errorf("the same key made tasks %d and %d", ids[0], ids[1])
		}
		vol := e.TokenFor(t, seed.PhoneVolunteer)
		r := e.Do(t, vol, `query($id: ID!) { node(id: $id) { ... on VolunteerTask { title status assignments { status } } } }`,
			map[string]any{"id": apitest.ID(ids[0])}).Must(t)
		if r.Value("node", "title") != task.Title {
			t.Errorf("the grid's volunteer does not see the delivery: %s", r)
		}
		for range 2 {
			if err := store.WithTx(ctx, e.Client, func(tx *ent.Tx) error { return d.Cancel(ctx, tx, task.Key, "取消订单") }); err != nil {
				t.Fatal(err)
			}
		}
		r = e.Do(t, vol, `query($id: ID!) { node(id: $id) { ... on VolunteerTask { status } } }`,
			map[string]any{"id": apitest.ID(ids[0])}).Must(t)
		if r.Value("node", "status") != "CANCELLED" {
			t.Errorf("after Cancel: %s", r)
		}
	})
}

// TestVolunteerTeams: the community's admin creates a team; residents join
// and leave it themselves.
func TestVolunteerTeams(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		vol, admin := tokens[seed.PhoneVolunteer], tokens[seed.PhoneCommunityAdmin]
		create := `mutation($c: ID!) { createVolunteerTeam(input: {communityId: $c, name: "盛光读报队", description: "给长者读报"}) { id name } }`
		c := map[string]any{"c": apitest.ID(e.CommunityID(t, seed.CommunityShengguang))}
		e.Do(t, vol, create, c).MustFail(t, "FORBIDDEN")
		team := e.Do(t, admin, create, c).Must(t).Value("createVolunteerTeam", "id")
		e.Do(t, admin, create, c).MustFail(t, "CONFLICT")
		join := `mutation($t: ID!) { joinVolunteerTeam(teamId: $t) { id team { name } } }`
		leave := `mutation($t: ID!) { leaveVolunteerTeam(teamId: $t) }`
		guardian := tokens[seed.PhoneGuardian]
		first := e.Do(t, guardian, join, map[string]any{"t": team}).Must(t).Value("joinVolunteerTeam", "id")
		if again := e.Do(t, guardian, join, map[string]any{"t": team}).Must(t).Value("joinVolunteerTeam", "id"); again != first {
			t.Errorf("joining twice made two memberships: %v, %v", first, again)
		}
		members := `query($t: ID!) { node(id: $t) { ... on VolunteerTeam { members(first: 10) { totalCount edges { node { id } } } } } }`
		r := e.Do(t, admin, members, map[string]any{"t": team}).Must(t)
		if m, _ := r.Value("node", "members", "edges").([]any); len(m) != 1 || r.Value("node", "members", "totalCount") != float64(1) {
			t.Errorf("the admin sees %d members, want 1: %s", len(m), r)
		}
		if e.Do(t, guardian, leave, map[string]any{"t": team}).Must(t).Value("leaveVolunteerTeam") != true ||
			e.Do(t, guardian, leave, map[string]any{"t": team}).Must(t).Value("leaveVolunteerTeam") != false {
			t.Error("leaving: want true, then false")
		}
	})
}
