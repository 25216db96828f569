package redneighbor

import (
	"context"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/helpoffer"
	"github.com/jimei-linli/linli/ent/helprequest"
	"github.com/jimei-linli/linli/ent/ledgerentry"
	"github.com/jimei-linli/linli/ent/timeaccount"
	"github.com/jimei-linli/linli/ent/volunteertaskassignment"
	"github.com/jimei-linli/linli/ent/volunteerteammember"
	"github.com/jimei-linli/linli/internal/personaldata"
)

// PersonalData are the sections Red Neighbor adds to a resident's data
// export (exportMyData): their time account with every entry, the help
// requests they asked or answered, their offers, teams and task
// assignments.
func PersonalData() []personaldata.Section {
	return []personaldata.Section{
		{Name: "timeBank", Covers: []string{"time_accounts.resident_id"}, Export: func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.TimeAccount.Query().Where(timeaccount.ResidentID(id)).
				WithEntries(func(q *ent.LedgerEntryQuery) { q.WithTransfer().Order(ledgerentry.ByID()) }).All(ctx)
		}},
		{Name: "helpRequests", Covers: []string{"help_requests.requester_id", "help_requests.volunteer_id"}, Export: func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.HelpRequest.Query().Where(helprequest.Or(helprequest.RequesterID(id),
				helprequest.CreatedByID(id), helprequest.VolunteerID(id))).Order(helprequest.ByID()).All(ctx)
		}},
		{Name: "helpOffers", Covers: []string{"help_offers.volunteer_id"}, Export: func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.HelpOffer.Query().Where(helpoffer.VolunteerID(id)).Order(helpoffer.ByID()).All(ctx)
		}},
		{Name: "volunteerTeams", Covers: []string{"volunteer_team_members.resident_id"}, Export: func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.VolunteerTeamMember.Query().Where(volunteerteammember.ResidentID(id)).WithTeam().All(ctx)
		}},
		{Name: "volunteerTasks", Covers: []string{"volunteer_task_assignments.volunteer_id"}, Export: func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.VolunteerTaskAssignment.Query().Where(volunteertaskassignment.VolunteerID(id)).WithTask().All(ctx)
		}},
	}
}
