package apitest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/appeal"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// escalationNotices counts phone's escalation notifications about subject.
func escalationNotices(t *testing.T, e *apitest.Env, phone string, subject int) int {
	t.Helper()
	n, err := e.Client.Notification.Query().Where(notification.ResidentID(e.ResidentID(t, phone)),
		notification.SubjectID(subject), notification.MessageKey("request.escalated")).Count(e.SystemCtx())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRequestClockEscalatesEachRungOnce(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		svc := appeal.New(e.Client, e.Outbox, e.Clock.Now, appeal.DefaultDeadlines)
		q := newRequests(t, e)
		tick := func() {
			t.Helper()
			for range 2 { // a second round finds nothing more to do
				if _, err := svc.Tick(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
		}
		advance := func(d time.Duration) { // tokens live 15 minutes of the clock
			e.Clock.Advance(d)
			q.tokens = e.DemoTokens(t)
		}
		r := q.file(t, seed.PhoneGuardian, map[string]any{"categoryId": categoryID(t, e, seed.CategoryOther), "description": "小区里想加座椅"})
		var id int
		fmt.Sscan(r.ID, &id)
		want := func(w ...string) {
			t.Helper()
			if got := escalations(t, e, id); strings.Join(got, " ") != strings.Join(w, " ") {
				t.Fatalf("escalations %v, want %v", got, w)
			}
		}
		tick()
		advance(5 * time.Minute)
		tick() // the first rung fires at the deadline
		want("ACKNOWLEDGE/1")
		advance(4 * time.Minute)
		tick()
		want("ACKNOWLEDGE/1")
		advance(time.Minute)
		tick()
		want("ACKNOWLEDGE/1", "ACKNOWLEDGE/2")
		advance(5 * time.Minute)
		tick()
		advance(time.Hour)
		tick()
		want("ACKNOWLEDGE/1", "ACKNOWLEDGE/2", "ACKNOWLEDGE/3")
		for phone, n := range map[string]int{seed.PhoneGridLeader: 1, seed.PhoneCommunityAdmin: 1, seed.PhoneStreetAdmin: 1, seed.PhoneGridWorker: 0} {
			if got := escalationNotices(t, e, phone, id); got != n {
				t.Errorf("%s got %d escalation notices, want %d", phone, got, n)
			}
		}
		var view struct{ Node requestView }
		e.Do(t, q.tokens[seed.PhoneGuardian], `query($id: ID!) { node(id: $id) { ... on Request { `+requestFields+` } } }`,
			map[string]any{"id": r.ID}).Must(t).Decode(t, &view)
		if !view.Node.Overdue || view.Node.EscalationLevel != 3 {
			t.Errorf("after the ladder: %+v", view.Node)
		}

		// A claim starts the contact stage at the bottom of the ladder.
		r = q.must(t, seed.PhoneGridWorker, "claimRequest", r.ID, "", nil)
		if r.EscalationLevel != 0 || r.ClockStage != "CONTACT" || r.Overdue {
			t.Fatalf("claimed %+v", r)
		}
		advance(4*time.Hour - 75*time.Minute) // filed + 4h
		tick()
		want("ACKNOWLEDGE/1", "ACKNOWLEDGE/2", "ACKNOWLEDGE/3", "CONTACT/1")
		q.must(t, seed.PhoneGridWorker, "addRequestNote", r.ID, ", body: $body, contact: true", map[string]any{"body": "已联系"})
		advance(68 * time.Hour) // filed + 72h
		tick()
		want("ACKNOWLEDGE/1", "ACKNOWLEDGE/2", "ACKNOWLEDGE/3", "CONTACT/1", "RESOLVE/1")
		if got := escalationNotices(t, e, seed.PhoneGridLeader, id); got != 3 {
			t.Errorf("the grid leader got %d escalation notices, want 3", got)
		}
		// The requester sees the escalations on the timeline.
		if got := strings.Count(strings.Join(q.timeline(t, seed.PhoneGuardian, r.ID), " "), "ESCALATED"); got != 5 {
			t.Errorf("the requester sees %d escalations", got)
		}
	})
}

// TestRequestClockTwoInstances runs the clock of two server instances,
// each with its own connection pool, concurrently against one database:
// every rung fires exactly once.
func TestRequestClockTwoInstances(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		s := storetest.Open(t, storetest.SQLite)
		twoInstances(t, s, s)
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.NewSchemaURL(t)
		ctx := context.Background()
		s1, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s1.Close() })
		if err := s1.MigratePostgres(ctx); err != nil {
			t.Fatal(err)
		}
		s2, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s2.Close() })
		twoInstances(t, s1, s2)
	})
}

func twoInstances(t *testing.T, s1, s2 *store.Store) {
	e := apitest.New(t, s1)
	e.SeedDemo(t)
	q := newRequests(t, e)
	start := e.Clock.Now()
	var ids []int
	for i := range 6 {
		r := q.file(t, seed.PhoneGuardian, map[string]any{"categoryId": categoryID(t, e, seed.CategoryOther), "description": fmt.Sprintf("第%d件", i)})
		var id int
		fmt.Sscan(r.ID, &id)
		ids = append(ids, id)
	}
	instances := []*appeal.Service{
		appeal.New(s1.Client, e.Outbox, e.Clock.Now, appeal.DefaultDeadlines),
		appeal.New(s2.Client, realtime.NewOutbox(nil, e.Clock.Now), e.Clock.Now, appeal.DefaultDeadlines),
	}
	var made atomic.Int64
	for range 5 {
		e.Clock.Advance(5 * time.Minute)
		var wg sync.WaitGroup
		for _, svc := range instances {
			for range 3 {
				wg.Go(func() {
					n, err := svc.Tick(context.Background())
					if err != nil {
						t.Error(err)
					}
					made.Add(int64(n))
				})
			}
		}
		wg.Wait()
	}
	evs, err := e.Client.RequestEvent.Query().
		Where(requestevent.KindEQ(requestevent.KindESCALATED), requestevent.CreatedAtGTE(start)).All(e.SystemCtx())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, ev := range evs {
		seen[fmt.Sprintf("%d %s/%d", ev.RequestID, *ev.Stage, *ev.Level)]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("escalation %s happened %d times", k, n)
		}
	}
	if int(made.Load()) != len(evs) {
		t.Errorf("the instances report %d escalations, the timeline has %d", made.Load(), len(evs))
	}
	for _, id := range ids {
		if got := strings.Join(escalations(t, e, id), " "); got != "ACKNOWLEDGE/1 ACKNOWLEDGE/2 ACKNOWLEDGE/3" {
			t.Errorf("request %d: %s", id, got)
		}
		if n := escalationNotices(t, e, seed.PhoneCommunityAdmin, id); n != 1 {
			t.Errorf("request %d: the community admin was told %d times", id, n)
		}
	}
	t.Logf("%d escalations by two instances, %d of them of the seed's requests", len(evs), len(evs)-3*len(ids))
}

// TestRequestClockDepartmentReport: a department that does not report in
// time is escalated like any other stage; its report starts the resolve
// stage afresh.
func TestRequestClockDepartmentReport(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		svc := appeal.New(e.Client, e.Outbox, e.Clock.Now, appeal.DefaultDeadlines)
		q := newRequests(t, e)
		r := q.file(t, seed.PhoneGuardian, map[string]any{"categoryId": categoryID(t, e, seed.CategorySanitation), "description": "违章搭建"})
		var id int
		fmt.Sscan(r.ID, &id)
		q.must(t, seed.PhoneGridWorker, "claimRequest", r.ID, "", nil)
		q.must(t, seed.PhoneGridWorker, "addRequestNote", r.ID, ", body: $body, contact: true", map[string]any{"body": "已到现场"})
		q.must(t, seed.PhoneGridWorker, "callDepartment", r.ID, ", departmentId: $departmentId, reason: $reason",
			map[string]any{"departmentId": apitest.ID(e.DepartmentID(t, seed.DepartmentUrbanManagement)), "reason": "需要执法"})
		e.Clock.Advance(24 * time.Hour)
		q.tokens = e.DemoTokens(t)
		if _, err := svc.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(escalations(t, e, id), " "); got != "DEPARTMENT_ACKNOWLEDGE/1" {
			t.Fatalf("escalations %s", got)
		}
		if n := escalationNotices(t, e, seed.PhoneGridLeader, id); n != 1 {
			t.Errorf("the grid leader was told %d times", n)
		}
		r = q.must(t, seed.PhoneDepartmentStaff, "acknowledgeRequest", r.ID, "", nil)
		if r.ClockStage != "RESOLVE" || r.EscalationLevel != 0 {
			t.Errorf("after the report: %+v", r)
		}
	})
}

// TestRequestConcurrentClaims: the leader and a worker claim the same
// requests at the same moment; each request gets one owner and one CLAIMED
// entry, and the other claim is a CONFLICT.
func TestRequestConcurrentClaims(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		q := newRequests(t, e)
		for i := range 5 {
			r := q.file(t, seed.PhoneGuardian, map[string]any{"categoryId": categoryID(t, e, seed.CategoryOther), "description": fmt.Sprintf("第%d件", i)})
			codes := make([]string, 2)
			var wg sync.WaitGroup
			for j, phone := range []string{seed.PhoneGridLeader, seed.PhoneGridWorker} {
				wg.Go(func() { codes[j] = q.do(t, phone, "claimRequest", r.ID, "", nil).Code() })
			}
			wg.Wait()
			if !(codes[0] == "" && codes[1] == "CONFLICT") && !(codes[0] == "CONFLICT" && codes[1] == "") {
				t.Errorf("request %s: claims answered %q", r.ID, codes)
			}
			if got := strings.Count(strings.Join(q.timeline(t, seed.PhoneGridLeader, r.ID), " "), "CLAIMED"); got != 1 {
				t.Errorf("request %s: %d claims on the timeline", r.ID, got)
			}
		}
	})
}
