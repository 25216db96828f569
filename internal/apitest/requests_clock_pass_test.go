package apitest_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/appeal"
	"github.com/jimei-linli/linli/internal/seed"
)

// TestRequestClockFiresEveryDueRungInOnePass: a request that has passed
// three rungs while no clock looked (an instance was down, say) is escalated
// to the top in one pass, each rung on the timeline and told once, in order.
func TestRequestClockFiresEveryDueRungInOnePass(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		svc := appeal.New(e.Client, e.Outbox, e.Clock.Now, appeal.DefaultDeadlines)
		if _, err := svc.Tick(context.Background()); err != nil { // the seed's due rungs
			t.Fatal(err)
		}
		q := newRequests(t, e)
		r := q.file(t, seed.PhoneGuardian, map[string]any{"categoryId": categoryID(t, e, seed.CategoryOther), "description": "路灯不亮"})
		var id int
		fmt.Sscan(r.ID, &id)
		e.Clock.Advance(time.Hour) // acknowledge was due at 5 min; rungs at 5, 10 and 15 min
		before := len(escalations(t, e, id))
		n, err := svc.Tick(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(escalations(t, e, id), " "); before != 0 || got != "ACKNOWLEDGE/1 ACKNOWLEDGE/2 ACKNOWLEDGE/3" {
			t.Fatalf("after one pass: %s (before: %d)", got, before)
		}
		if n < 3 {
			t.Errorf("the pass reports %d rungs", n)
		}
		for _, phone := range []string{seed.PhoneGridLeader, seed.PhoneCommunityAdmin, seed.PhoneStreetAdmin} {
			if got := escalationNotices(t, e, phone, id); got != 1 {
				t.Errorf("%s told %d times", phone, got)
			}
		}
		if n, err := svc.Tick(context.Background()); err != nil || n != 0 {
			t.Errorf("a second pass escalated %d (%v)", n, err)
		}
	})
}

// TestRequestClockRearmsOnANewDeadline: filing sets a deadline, and the
// clock's job is woken as the filing commits, and then knows when it falls
// due; it does not wait for its interval.
func TestRequestClockRearmsOnANewDeadline(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		d := appeal.DefaultDeadlines
		d.Acknowledge = 3 * time.Second
		svc := appeal.New(e.Client, e.Outbox, e.Clock.Now, d)
		job := svc.Job(30 * time.Second)
		if _, err := svc.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		select {
		case <-job.Wake:
			t.Fatal("woken before anything changed")
		default:
		}
		req := httptest.NewRequest("POST", "/graphql", nil)
		req.Header.Set("Authorization", "Bearer "+e.TokenFor(t, seed.PhoneGuardian))
		ctx, err := e.Auth.Authenticate(req)
		if err != nil {
			t.Fatal(err)
		}
		var cat int
		fmt.Sscan(categoryID(t, e, seed.CategoryOther), &cat)
		r, err := svc.File(ctx, appeal.Filing{CategoryID: cat, Description: "楼道堆物"})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-job.Wake:
		default:
			t.Fatal("filing did not wake the clock")
		}
		wait, ok, err := job.Next(context.Background())
		if err != nil || !ok || wait > 3*time.Second {
			t.Fatalf("next due in %v (%v, %v), want at most 3s", wait, ok, err)
		}
		e.Clock.Advance(3 * time.Second)
		if _, err := svc.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(escalations(t, e, r.ID), " "); got != "ACKNOWLEDGE/1" {
			t.Fatalf("at the deadline: %s", got)
		}
	})
}
