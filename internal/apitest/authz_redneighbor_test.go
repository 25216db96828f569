package apitest_test

import (
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/helpoffer"
	"github.com/jimei-linli/linli/ent/helprequest"
	"github.com/jimei-linli/linli/ent/ledgerentry"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/timeaccount"
	"github.com/jimei-linli/linli/ent/volunteertask"
	"github.com/jimei-linli/linli/ent/volunteertaskassignment"
	"github.com/jimei-linli/linli/ent/volunteerteam"
	"github.com/jimei-linli/linli/ent/volunteerteammember"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/timebank"
)

// Red Neighbor's rows: time accounts and their entries are their owner's
// (and their guardians'); pools are their community admins' and the street
// admins'; a help request is seen by its requester and their guardian, the
// volunteers of its grid (of its community once widened), the grid's
// leader and workers, and the admins; teams are public, memberships the
// member's and the admins'.
func init() {
	readMatrix = append(readMatrix,
		matrixRow{"account:volunteer", "node", "", "08"},
		matrixRow{"account:elder", "node", "", "06 07"},
		matrixRow{"pool:sg", "node", "", "01 02"},
		matrixRow{"entry:volunteer", "node", "", "08"},
		matrixRow{"entry:volunteer", "Query.statement", "account:volunteer", "08"},
		matrixRow{"entry:volunteer", "TimeAccount.entries", "account:volunteer", "08"},
		matrixRow{"transfer:help", "node", "", "01 02 08"},
		matrixRow{"transfer:help", "LedgerEntry.transfer", "entry:volunteer", "08"},

		matrixRow{"help:open", "node", "", "01 02 03 04 06 07 08"},
		matrixRow{"help:open", "nodes", "", "01 02 03 04 06 07 08"},
		matrixRow{"help:open", "Query.helpRequests", "", "01 02 03 04 06 07 08"},
		matrixRow{"help:matched", "node", "", "01 02 03 04 08"},
		matrixRow{"help:matched", "Query.helpRequests", "", "01 02 03 04 08"},
		matrixRow{"offer:matched", "node", "", "01 02 03 04 08"},
		matrixRow{"offer:matched", "HelpRequest.offers", "help:matched", "01 02 03 04 08"},
		// In shengguang-02: its grid only (no demo volunteer there), then
		// widened to the community (the volunteer of shengguang-01 hears).
		matrixRow{"help:sg02", "node", "", "01 02"},
		matrixRow{"help:sg02-widened", "node", "", "01 02 08"},
		matrixRow{"help:sg02-widened", "Query.helpRequests", "", "01 02 08"},

		matrixRow{"team:sg", "node", "", "all"},
		matrixRow{"team:sg", "Query.volunteerTeams", "", "all"},
		matrixRow{"membership:volunteer", "node", "", "01 02 08"},
		matrixRow{"membership:volunteer", "VolunteerTeam.members", "team:sg", "01 02 08"},
	)
	probes["Query.statement"] = probe{query: `query($a: ID!) { statement(accountId: $a, first: 100) { edges { node { id } } } }`}
	probes["TimeAccount.entries"] = probe{edge: true,
		query: `query($a: ID!) { node(id: $a) { ... on TimeAccount { entries(first: 100) { edges { node { id } } } } } }`}
	probes["LedgerEntry.transfer"] = edge("LedgerEntry", "transfer")
	probes["Query.helpRequests"] = rootConnection("helpRequests")
	probes["HelpRequest.offers"] = edge("HelpRequest", "offers")
	probes["Query.volunteerTeams"] = rootConnection("volunteerTeams")
	probes["VolunteerTeam.members"] = probe{edge: true,
		query: `query($a: ID!) { node(id: $a) { ... on VolunteerTeam { members(first: 100) { edges { node { id } } } } } }`}
	worldParts = append(worldParts, redNeighborWorld)
}

// redNeighborWorld names the seed's Red Neighbor objects and adds a help
// request in shengguang-02, once only in its grid and once widened.
func redNeighborWorld(t *testing.T, w *world) {
	ctx, c, id := w.e.SystemCtx(), w.e.Client, w.ids
	volunteer := w.e.ResidentID(t, seed.PhoneVolunteer)
	id["account:volunteer"] = firstID(t)(c.TimeAccount.Query().Where(timeaccount.ResidentID(volunteer)).IDs(ctx))
	elder, err := timebank.ResidentAccount(ctx, c, id["resident:elder"], w.e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	id["account:elder"] = elder
	id["pool:sg"] = firstID(t)(c.TimeAccount.Query().Where(timeaccount.CommunityID(id["community:sg"])).IDs(ctx))
	id["entry:volunteer"] = firstID(t)(c.LedgerEntry.Query().
		Where(ledgerentry.AccountID(id["account:volunteer"]), ledgerentry.HasTransferWith(ledgertransfer.KindEQ(ledgertransfer.KindHELP))).IDs(ctx))
	id["transfer:help"] = firstID(t)(c.LedgerEntry.Query().Where(ledgerentry.ID(id["entry:volunteer"])).QueryTransfer().IDs(ctx))
	id["help:open"] = firstID(t)(c.HelpRequest.Query().
		Where(helprequest.StatusEQ(helprequest.StatusOPEN), helprequest.RequesterID(id["resident:elder"])).IDs(ctx))
	id["help:matched"] = firstID(t)(c.HelpRequest.Query().Where(helprequest.StatusEQ(helprequest.StatusMATCHED)).IDs(ctx))
	id["offer:matched"] = firstID(t)(c.HelpOffer.Query().Where(helpoffer.HelpRequestID(id["help:matched"])).IDs(ctx))
	id["team:sg"] = firstID(t)(c.VolunteerTeam.Query().Where(volunteerteam.CommunityID(id["community:sg"])).
		Order(volunteerteam.ByID()).IDs(ctx))
	id["membership:volunteer"] = firstID(t)(c.VolunteerTeamMember.Query().
		Where(volunteerteammember.ResidentID(volunteer), volunteerteammember.TeamID(id["team:sg"])).IDs(ctx))
	now := w.e.Clock.Now()
	for name, reach := range map[string]helprequest.Reach{"help:sg02": helprequest.ReachGRID, "help:sg02-widened": helprequest.ReachCOMMUNITY} {
		r := c.HelpRequest.Create().SetRequesterID(id["resident:sg02"]).SetRequesterName("邻居").
			SetCreatedByID(id["resident:sg02"]).SetGridID(id["grid:sg02"]).SetCommunityID(id["community:sg"]).
			SetKind(helprequest.KindCARRYING).SetTitle("搬米").SetLocation("楼下").
			SetWindowStart(now.Add(time.Hour)).SetWindowEnd(now.Add(2 * time.Hour)).SetMinutes(20).
			SetReach(reach).SaveX(ctx)
		id[name] = r.ID
	}
}

// Volunteer tasks: the volunteers dispatched to, the coordinators in scope
// (the community admin; the grid leader for tasks in the grid) and street
// admins; a volunteer sees only their own assignment.
func init() {
	readMatrix = append(readMatrix,
		matrixRow{"task:open", "node", "", "01 02 03 08"},
		matrixRow{"task:open", "Query.volunteerTasks", "", "01 02 03 08"},
		matrixRow{"assignment:open", "node", "", "01 02 03 08"},
		matrixRow{"assignment:open", "VolunteerTask.assignments", "task:open", "01 02 03 08"},
		matrixRow{"assignment:done-other", "node", "", "01 02 03"},
		matrixRow{"assignment:done-other", "VolunteerTask.assignments", "task:done", "01 02 03"},
	)
	probes["Query.volunteerTasks"] = rootConnection("volunteerTasks")
	probes["VolunteerTask.assignments"] = edge("VolunteerTask", "assignments")
	worldParts = append(worldParts, func(t *testing.T, w *world) {
		ctx, c, id := w.e.SystemCtx(), w.e.Client, w.ids
		volunteer := w.e.ResidentID(t, seed.PhoneVolunteer)
		id["task:open"] = firstID(t)(c.VolunteerTask.Query().Where(volunteertask.StatusEQ(volunteertask.StatusOPEN)).IDs(ctx))
		id["task:done"] = firstID(t)(c.VolunteerTask.Query().Where(volunteertask.StatusEQ(volunteertask.StatusDONE)).IDs(ctx))
		id["assignment:open"] = firstID(t)(c.VolunteerTaskAssignment.Query().
			Where(volunteertaskassignment.TaskID(id["task:open"])).IDs(ctx))
		id["assignment:done-other"] = firstID(t)(c.VolunteerTaskAssignment.Query().
			Where(volunteertaskassignment.TaskID(id["task:done"]), volunteertaskassignment.VolunteerIDNEQ(volunteer)).IDs(ctx))
	})
}
