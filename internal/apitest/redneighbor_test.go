package apitest_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/redneighbor"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/timebank"
)

const askForHelp = `mutation($input: AskForHelpInput!) {
  askForHelp(input: $input) { id status reach requesterName widenAt }
}`

const helpRequestFields = `id status reach minutes creditedMinutes requesterName
  volunteer { id name } offers { id status volunteer { id } }`

const offerHelp = `mutation($id: ID!) { offerHelp(requestId: $id, note: "我下午有空") { id status } }`

const myBalance = `{ myTimeAccount { id balance } }`

// volunteerFor signs in a new resident and makes them a volunteer of grid;
// it returns their token and resident ID.
func volunteerFor(t *testing.T, e *apitest.Env, phone string, grid int) (string, int) {
	t.Helper()
	tok, _ := e.SignIn(t, phone)
	rid := e.ResidentID(t, phone)
	e.Client.RoleAssignment.Create().SetResidentID(rid).SetRole(roleassignment.RoleVOLUNTEER).
		SetGridID(grid).SaveX(e.SystemCtx())
	return tok, rid
}

// helpInput is a help request for the elder, from an hour from now.
func helpInput(e *apitest.Env, extra map[string]any) map[string]any {
	now := e.Clock.Now()
	in := map[string]any{
		"kind": "SHOPPING", "title": "帮忙买菜", "location": "盛光路 12 号", "minutes": 60,
		"windowStart": now.Add(time.Hour).Format(time.RFC3339), "windowEnd": now.Add(3 * time.Hour).Format(time.RFC3339),
	}
	for k, v := range extra {
		in[k] = v
	}
	return map[string]any{"input": in}
}

func balance(t *testing.T, e *apitest.Env, tok string) int {
	t.Helper()
	return int(e.Do(t, tok, myBalance, nil).Must(t).Value("myTimeAccount", "balance").(float64))
}

// TestHelpRequestLifecycle: the elder asks; her grid's volunteer hears at
// once, a volunteer of another grid only after it widens; two offer, she
// accepts one; the grid worker confirms for her and the volunteer is paid
// from the community's pool.
func TestHelpRequestLifecycle(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		elder, vol, worker := tokens[seed.PhoneElder], tokens[seed.PhoneVolunteer], tokens[seed.PhoneGridWorker]
		sg01, sg02 := e.GridID(t, seed.GridShengguang01), e.GridID(t, "shengguang-02")
		other, _ := volunteerFor(t, e, "13700000201", sg02)

		ws := e.DialWS(t, vol)
		ws.Subscribe("g", `subscription($g: ID!) { gridHelpRequests(gridId: $g) { requests { totalCount edges { node { id title } } } } }`, map[string]any{"g": apitest.ID(sg01)})
		var list struct {
			GridHelpRequests struct {
				Requests struct {
					TotalCount int
					Edges      []struct{ Node struct{ ID, Title string } }
				}
			}
		}
		ws.Next("g", 10*time.Second, &list)
		before := len(list.GridHelpRequests.Requests.Edges)
		if list.GridHelpRequests.Requests.TotalCount != before {
			t.Errorf("the grid's open requests: %d of %d", before, list.GridHelpRequests.Requests.TotalCount)
		}

		r := e.Do(t, elder, askForHelp, helpInput(e, nil)).Must(t)
		id := r.Value("askForHelp", "id").(string)
		if r.Value("askForHelp", "status") != "OPEN" || r.Value("askForHelp", "reach") != "GRID" {
			t.Fatalf("asked: %s", r)
		}
		ws.Next("g", 10*time.Second, &list)
		if len(list.GridHelpRequests.Requests.Edges) != before+1 || list.GridHelpRequests.Requests.TotalCount != before+1 {
			t.Errorf("the grid's volunteer hears %d open requests (of %d), want %d",
				len(list.GridHelpRequests.Requests.Edges), list.GridHelpRequests.Requests.TotalCount, before+1)
		}
		elderWS := e.DialWS(t, elder)
		elderWS.Subscribe("h", `subscription($id: ID!) { helpRequestUpdated(id: $id) { helpRequest { id status } } }`, map[string]any{"id": id})
		var upd struct {
			HelpRequestUpdated struct{ HelpRequest struct{ ID, Status string } }
		}
		elderWS.Next("h", 10*time.Second, &upd)

		// Subscribing is authorized: a stranger cannot follow the request,
		// a resident without a role cannot follow the grid.
		stranger := e.DialWS(t, tokens[seed.PhoneOtherResident])
		stranger.Subscribe("x", `subscription($id: ID!) { helpRequestUpdated(id: $id) { helpRequest { id } } }`, map[string]any{"id": id})
		if m := stranger.Read(10 * time.Second); !strings.Contains(string(m.Payload), `"code":"NOT_FOUND"`) {
			t.Errorf("a stranger follows the request: %s %s", m.Type, m.Payload)
		}
		neighbor := e.DialWS(t, tokens[seed.PhoneGuardian])
		neighbor.Subscribe("y", `subscription($g: ID!) { gridHelpRequests(gridId: $g) { requests { edges { node { id } } } } }`, map[string]any{"g": apitest.ID(sg01)})
		if m := neighbor.Read(10 * time.Second); !strings.Contains(string(m.Payload), `"code":"FORBIDDEN"`) {
			t.Errorf("a resident follows the grid's help requests: %s %s", m.Type, m.Payload)
		}

		// Not yet widened: the other grid's volunteer cannot see it or offer.
		node := `query($id: ID!) { node(id: $id) { id } }`
		e.Do(t, other, node, map[string]any{"id": id}).MustFail(t, "NOT_FOUND")
		e.Do(t, other, offerHelp, map[string]any{"id": id}).MustFail(t, "NOT_FOUND")
		e.Do(t, tokens[seed.PhoneOtherResident], node, map[string]any{"id": id}).MustFail(t, "NOT_FOUND")

		job := redneighbor.New(e.Client, e.Outbox, timebank.New(e.Client, e.Outbox, e.Clock.Now, 0), e.Clock.Now, 0)
		e.Clock.Advance(10 * time.Minute)
		if _, err := job.Widen(e.SystemCtx()); err != nil { // the seed's open request may be due
			t.Fatal(err)
		}
		if e.Do(t, other, node, map[string]any{"id": id}).Code() != "NOT_FOUND" {
			t.Fatal("widened before its time")
		}
		e.Clock.Advance(6 * time.Minute)
		if n, err := job.Widen(e.SystemCtx()); err != nil || n != 1 {
			t.Fatalf("widened %d: %v", n, err)
		}
		if n, _ := job.Widen(e.SystemCtx()); n != 0 {
			t.Errorf("widened again: %d", n)
		}
		// Access tokens live 15 minutes: sign in again.
		tokens = e.DemoTokens(t)
		elder, vol, worker = tokens[seed.PhoneElder], tokens[seed.PhoneVolunteer], tokens[seed.PhoneGridWorker]
		other = e.TokenFor(t, "13700000201")
		e.Do(t, other, node, map[string]any{"id": id}).Must(t)

		mine := e.Do(t, vol, offerHelp, map[string]any{"id": id}).Must(t).Value("offerHelp", "id").(string)
		theirs := e.Do(t, other, offerHelp, map[string]any{"id": id}).Must(t).Value("offerHelp", "id").(string)
		e.Do(t, vol, `mutation($o: ID!) { acceptHelpOffer(offerId: $o) { id } }`, map[string]any{"o": theirs}).MustFail(t, "FORBIDDEN")
		r = e.Do(t, elder, `mutation($o: ID!) { acceptHelpOffer(offerId: $o) { `+helpRequestFields+` } }`, map[string]any{"o": mine}).Must(t)
		if r.Value("acceptHelpOffer", "status") != "MATCHED" {
			t.Fatalf("accepted: %s", r)
		}
		e.Do(t, elder, `mutation($o: ID!) { acceptHelpOffer(offerId: $o) { id } }`, map[string]any{"o": theirs}).MustFail(t, "CONFLICT")
		for _, o := range r.Value("acceptHelpOffer", "offers").([]any) {
			o := o.(map[string]any)
			want := map[string]string{mine: "ACCEPTED", theirs: "NOT_CHOSEN"}[o["id"].(string)]
			if o["status"] != want {
				t.Errorf("offer %v: %v, want %s", o["id"], o["status"], want)
			}
		}
		for elderWS.Next("h", 10*time.Second, &upd); upd.HelpRequestUpdated.HelpRequest.Status != "MATCHED"; elderWS.Next("h", 10*time.Second, &upd) {
		}

		// The volunteer cannot confirm their own work; a stranger cannot see it.
		confirm := `mutation($id: ID!, $m: Int) { confirmHelpCompleted(requestId: $id, minutes: $m) { ` + helpRequestFields + ` } }`
		e.Do(t, vol, confirm, map[string]any{"id": id}).MustFail(t, "FORBIDDEN")
		e.Do(t, tokens[seed.PhoneOtherResident], confirm, map[string]any{"id": id}).MustFail(t, "NOT_FOUND")

		volBefore, elderBefore := balance(t, e, vol), balance(t, e, elder)
		r = e.Do(t, worker, confirm, map[string]any{"id": id, "m": 90}).Must(t)
		if r.Value("confirmHelpCompleted", "status") != "COMPLETED" || r.Value("confirmHelpCompleted", "creditedMinutes") != float64(90) {
			t.Fatalf("completed: %s", r)
		}
		e.Do(t, worker, confirm, map[string]any{"id": id}).MustFail(t, "CONFLICT")
		if got := balance(t, e, vol); got != volBefore+90 {
			t.Errorf("the volunteer's balance: %d, want %d", got, volBefore+90)
		}
		if got := balance(t, e, elder); got != elderBefore {
			t.Errorf("the elder paid (%d → %d) though the pool pays by default", elderBefore, got)
		}
		st := e.Do(t, vol, `query($a: ID!) { statement(accountId: $a, first: 1) { edges { node { minutes transfer { kind } } } } }`,
			map[string]any{"a": e.Do(t, vol, myBalance, nil).Must(t).Value("myTimeAccount", "id")}).Must(t)
		if st.Value("statement", "edges", 0, "node", "minutes") != float64(90) ||
			st.Value("statement", "edges", 0, "node", "transfer", "kind") != "HELP" {
			t.Errorf("statement: %s", st)
		}
	})
}

// TestHelpRaceAndRequesterPays: with autoAccept, two volunteers offering at
// once: exactly one wins. With the community's policy set to REQUESTER,
// completion is paid from the requester's account.
func TestHelpRaceAndRequesterPays(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		guardian, vol, admin := tokens[seed.PhoneGuardian], tokens[seed.PhoneVolunteer], tokens[seed.PhoneCommunityAdmin]
		sg01 := e.GridID(t, seed.GridShengguang01)
		second, _ := volunteerFor(t, e, "13700000202", sg01)
		community := e.CommunityID(t, seed.CommunityShengguang)
		elderID := e.ResidentID(t, seed.PhoneElder)

		setPayer := `mutation($c: ID!, $p: TimeAccountHelpPaidBy!) { setHelpPayer(communityId: $c, paidBy: $p) { helpPaidBy } }`
		e.Do(t, vol, setPayer, map[string]any{"c": apitest.ID(community), "p": "REQUESTER"}).MustFail(t, "FORBIDDEN")
		e.Do(t, admin, setPayer, map[string]any{"c": apitest.ID(community), "p": "REQUESTER"}).Must(t)

		// The volunteer gives the elder two hours, so that she can pay.
		transfer := `mutation($to: ID!, $m: Int!, $k: String!) { transferTime(input: {toResidentId: $to, minutes: $m, key: $k}) { id minutes } }`
		volBefore := balance(t, e, vol)
		if volBefore < 120 {
			t.Fatalf("the demo volunteer has only %d minutes; the seed gives them more", volBefore)
		}
		e.Do(t, vol, transfer, map[string]any{"to": apitest.ID(elderID), "m": 120, "k": "gift"}).Must(t)
		elderBefore := balance(t, e, tokens[seed.PhoneElder])

		// The guardian asks for his mother; the first offer is taken.
		id := e.Do(t, guardian, askForHelp, helpInput(e, map[string]any{
			"forResidentId": apitest.ID(elderID), "autoAccept": true, "kind": "CLINIC_ESCORT", "minutes": 45,
		})).Must(t).Value("askForHelp", "id").(string)
		var wg sync.WaitGroup
		codes := make([]string, 2)
		for i, tok := range []string{vol, second} {
			wg.Go(func() { codes[i] = e.Do(t, tok, offerHelp, map[string]any{"id": id}).Code() })
		}
		wg.Wait()
		if !(codes[0] == "" && codes[1] == "CONFLICT" || codes[0] == "CONFLICT" && codes[1] == "") {
			t.Fatalf("two offers at once: codes %q; want exactly one winner", codes)
		}
		winner := vol
		if codes[1] == "" {
			winner = second
		}
		winnerBefore := balance(t, e, winner)
		r := e.Do(t, guardian, `mutation($id: ID!) { confirmHelpCompleted(requestId: $id) { status creditedMinutes } }`,
			map[string]any{"id": id}).Must(t)
		if r.Value("confirmHelpCompleted", "creditedMinutes") != float64(45) {
			t.Fatalf("completed: %s", r)
		}
		if got := balance(t, e, tokens[seed.PhoneElder]); got != elderBefore-45 {
			t.Errorf("the elder's balance %d, want %d (she pays)", got, elderBefore-45)
		}
		if got := balance(t, e, winner); got != winnerBefore+45 {
			t.Errorf("the winner's balance %d, want %d", got, winnerBefore+45)
		}
	})
}

// TestTimeBankThroughGraphQL: bad transfers are refused with clear codes and
// post nothing; a retry posts once; statements page newest first.
func TestTimeBankThroughGraphQL(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		vol := tokens[seed.PhoneVolunteer]
		me := e.ResidentID(t, seed.PhoneVolunteer)
		to := e.ResidentID(t, seed.PhoneGuardian)
		transfer := `mutation($to: ID!, $m: Int!, $k: String!) { transferTime(input: {toResidentId: $to, minutes: $m, key: $k}) { id } }`
		have := balance(t, e, vol)
		count := func() int { return e.Client.LedgerTransfer.Query().CountX(e.SystemCtx()) }
		n := count()
		for _, c := range []struct {
			to, minutes int
			key, code   string
		}{
			{to, -5, "a", "BAD_USER_INPUT"},
			{to, 0, "a", "BAD_USER_INPUT"},
			{me, 5, "a", "BAD_USER_INPUT"},
			{to, have + 1, "a", "CONFLICT"},
		} {
			e.Do(t, vol, transfer, map[string]any{"to": apitest.ID(c.to), "m": c.minutes, "k": c.key}).MustFail(t, c.code)
		}
		first := e.Do(t, vol, transfer, map[string]any{"to": apitest.ID(to), "m": 5, "k": "b"}).Must(t).Value("transferTime", "id")
		again := e.Do(t, vol, transfer, map[string]any{"to": apitest.ID(to), "m": 5, "k": "b"}).Must(t).Value("transferTime", "id")
		if first != again {
			t.Errorf("a retry posted again: %v, %v", first, again)
		}
		e.Do(t, vol, transfer, map[string]any{"to": apitest.ID(to), "m": 6, "k": "b"}).MustFail(t, "CONFLICT")
		if got := count(); got != n+1 {
			t.Errorf("%d postings, want %d", got, n+1)
		}
		e.Do(t, vol, `mutation($c: ID!) { donateTime(input: {communityId: $c, minutes: 1, key: "d"}) { kind } }`,
			map[string]any{"c": apitest.ID(e.CommunityID(t, seed.CommunityShengguang))}).Must(t)

		// The pool issued the credit its volunteers hold: its admin reads it, a volunteer does not.
		pool := `query($c: ID!) { timeBankPool(communityId: $c) { kind balance helpPaidBy } }`
		sg := map[string]any{"c": apitest.ID(e.CommunityID(t, seed.CommunityShengguang))}
		if b, _ := e.Do(t, tokens[seed.PhoneCommunityAdmin], pool, sg).Must(t).Value("timeBankPool", "balance").(float64); b >= 0 {
			t.Errorf("the pool's balance is %v; it pays volunteers, so it is below zero", b)
		}
		e.Do(t, vol, pool, sg).MustFail(t, "NOT_FOUND")

		acc := e.Do(t, vol, myBalance, nil).Must(t).Value("myTimeAccount", "id")
		page := `query($a: ID!, $after: Cursor) { statement(accountId: $a, first: 1, after: $after) {
		  edges { node { minutes balanceAfter transfer { kind } } } pageInfo { endCursor hasNextPage } } }`
		p1 := e.Do(t, vol, page, map[string]any{"a": acc}).Must(t)
		p2 := e.Do(t, vol, page, map[string]any{"a": acc, "after": p1.Value("statement", "pageInfo", "endCursor")}).Must(t)
		if p1.Value("statement", "edges", 0, "node", "transfer", "kind") != "DONATION" ||
			p2.Value("statement", "edges", 0, "node", "minutes") != float64(-5) {
			t.Errorf("statement pages: %s\n%s", p1, p2)
		}
		e.Do(t, tokens[seed.PhoneGuardian], page, map[string]any{"a": acc}).MustFail(t, "NOT_FOUND")

		// The community's admin corrects a help payment: a new posting moves
		// the minutes back, once.
		help := e.Client.LedgerTransfer.Query().Where(ledgertransfer.KindEQ(ledgertransfer.KindHELP)).
			Order(ledgertransfer.ByID()).FirstX(e.SystemCtx())
		correct := `mutation($t: ID!) { correctTimePosting(transferId: $t, memo: "重复记账") { kind minutes } }`
		admin := tokens[seed.PhoneCommunityAdmin]
		e.Do(t, vol, correct, map[string]any{"t": apitest.ID(help.ID)}).MustFail(t, "FORBIDDEN")
		before := balance(t, e, vol)
		r := e.Do(t, admin, correct, map[string]any{"t": apitest.ID(help.ID)}).Must(t)
		if r.Value("correctTimePosting", "kind") != "CORRECTION" || balance(t, e, vol) != before-help.Minutes {
			t.Errorf("correction: %s; balance %d → %d", r, before, balance(t, e, vol))
		}
		e.Do(t, admin, correct, map[string]any{"t": apitest.ID(help.ID)}).MustFail(t, "CONFLICT")

		// The volunteer's data export holds their ledger and their help.
		raw, _ := e.Do(t, vol, `mutation { exportMyData { json } }`, nil).Must(t).Value("exportMyData", "json").(string)
		var doc map[string]any
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			t.Fatal(err)
		}
		for _, section := range []string{"timeBank", "helpRequests", "helpOffers", "volunteerTeams", "volunteerTasks"} {
			if items, _ := doc[section].([]any); len(items) == 0 {
				t.Errorf("export section %s is empty: %v", section, doc[section])
			}
		}
	})
}
