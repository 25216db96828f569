package seed_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/internal/appeal"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// requestDump renders the seeded requests and their timelines without IDs.
func requestDump(t *testing.T, c *ent.Client) []string {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	var lines []string
	for _, r := range c.Request.Query().Order(ent.Asc(request.FieldID)).WithCategory().WithGrid().
		WithTimeline(func(q *ent.RequestEventQuery) { q.Order(ent.Asc(requestevent.FieldID)) }).AllX(ctx) {
		line := fmt.Sprintf("%s %s %s %s %s %s lvl=%d %v %v", r.Edges.Grid.Code, r.Edges.Category.Code, r.Status,
			r.CreatedAt.UTC().Format("01-02T15:04"), r.Description, r.Urgency, r.EscalationLevel, r.Answers, r.Rating != nil)
		for _, ev := range r.Edges.Timeline {
			line += fmt.Sprintf(" | %s %s", ev.Kind, ev.CreatedAt.UTC().Format("01-02T15:04"))
		}
		lines = append(lines, line)
	}
	return lines
}

// TestDemoRequests checks the seeded requests: every state in 盛光, the
// clock as it would stand, and the same requests on every backend.
func TestDemoRequests(t *testing.T) {
	ctx := viewer.SystemContext(context.Background())
	var dumps [][]string
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			c := storetest.Client(t, b)
			if _, err := seed.Demo(ctx, c, testclock.Start()); err != nil {
				t.Fatal(err)
			}
			sg01 := c.Request.Query().Where(request.HasGridWith(grid.Code(seed.GridShengguang01))).AllX(ctx)
			states := map[request.Status]int{}
			for _, r := range sg01 {
				states[r.Status]++
			}
			for _, st := range []request.Status{request.StatusSUBMITTED, request.StatusIN_PROGRESS, request.StatusWITH_DEPARTMENT,
				request.StatusRESOLVED, request.StatusCONFIRMED, request.StatusCLOSED} {
				if states[st] == 0 {
					t.Errorf("no %s request in %s: %v", st, seed.GridShengguang01, states)
				}
			}
			if n := c.Request.Query().Where(request.HasGridWith(grid.Code("cenxi-01"))).CountX(ctx); n != 0 {
				t.Errorf("%d seeded requests outside 盛光", n)
			}
			for _, r := range c.Request.Query().AllX(ctx) {
				st, due, ok := appeal.RunningStage(r)
				switch {
				case ok != (r.ClockStage != nil):
					t.Errorf("request %d (%s): clock stage %v", r.ID, r.Status, r.ClockStage)
				case ok && (*r.ClockStage != st || !r.ClockDueAt.Equal(due)):
					t.Errorf("request %d (%s): clock %s %v, want %s %v", r.ID, r.Status, *r.ClockStage, r.ClockDueAt, st, due)
				}
				escalated := c.RequestEvent.Query().Where(requestevent.RequestID(r.ID), requestevent.KindEQ(requestevent.KindESCALATED)).CountX(ctx)
				if escalated != r.EscalationLevel {
					t.Errorf("request %d: level %d with %d escalations on its timeline", r.ID, r.EscalationLevel, escalated)
				}
			}
			dumps = append(dumps, requestDump(t, c))
		})
	}
	if len(dumps) == 2 && !slices.Equal(dumps[0], dumps[1]) {
		t.Errorf("SQLite and PostgreSQL differ:\n%s\n---\n%s", strings.Join(dumps[0], "\n"), strings.Join(dumps[1], "\n"))
	}
}
