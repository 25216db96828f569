package redneighbor_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/event"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/helprequest"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/redneighbor"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/timebank"
	"github.com/jimei-linli/linli/internal/viewer"
)

var sys = viewer.SystemContext(context.Background())

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// instance is one server's Red Neighbor service over c.
func instance(c *ent.Client, now func() time.Time) *redneighbor.Service {
	return redneighbor.New(c, nil, timebank.New(c, nil, now, 0), now, 15*time.Minute)
}

// residentByPhone returns the resident with a demo phone.
func residentByPhone(t *testing.T, c *ent.Client, phone string) int {
	t.Helper()
	return c.Resident.Query().Where(resident.HasPersonalInfoWith(personalinfo.Phone(phone))).OnlyIDX(sys)
}

// TestTwoInstances: two servers run the widening job at once and each
// request widens once; the requester confirming twice at once (two taps, two
// servers) completes and pays once.
func TestTwoInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := s.Client
		clk := &clock{t: testclock.Start()}
		s.UseClock(clk.Now)
		if _, err := seed.Demo(context.Background(), c, clk.Now()); err != nil {
			t.Fatal(err)
		}
		a, b := instance(c, clk.Now), instance(c, clk.Now)
		elder := residentByPhone(t, c, seed.PhoneElder)
		vol := residentByPhone(t, c, seed.PhoneVolunteer)
		sg01 := c.Grid.Query().Where(grid.Code(seed.GridShengguang01)).OnlyIDX(sys)
		asElder := viewer.NewContext(context.Background(), &viewer.Viewer{ResidentID: elder})
		asVol := viewer.NewContext(context.Background(), &viewer.Viewer{ResidentID: vol,
			Roles: []viewer.Role{{Role: viewer.Volunteer, GridID: sg01}}})

		var ids []int
		for i := range 5 {
			r, err := a.Ask(asElder, redneighbor.Ask{Kind: helprequest.KindOTHER, Title: fmt.Sprint("请帮忙 ", i),
				Location: "楼下", WindowStart: clk.Now(), WindowEnd: clk.Now().Add(time.Hour), Minutes: 30})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		clk.Advance(16 * time.Minute)
		var wg sync.WaitGroup
		for _, svc := range []*redneighbor.Service{a, b, a, b} {
			wg.Go(func() {
				if _, err := svc.Widen(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for _, id := range ids {
			n := c.Event.Query().Where(event.Kind("help.widened"), event.SubjectID(id)).CountX(sys)
			r := c.HelpRequest.GetX(sys, id)
			if n != 1 || r.Reach != helprequest.ReachCOMMUNITY {
				t.Errorf("request %d: widened %d times, reach %s", id, n, r.Reach)
			}
		}

		// The last request: its window ends unanswered; both instances
		// expire it, once.
		last := ids[len(ids)-1]
		offer, err := a.Offer(asVol, ids[0], "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Accept(asElder, offer.ID); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 2)
		for i, svc := range []*redneighbor.Service{a, b} {
			wg.Go(func() { _, errs[i] = svc.Complete(asElder, ids[0], 0) })
		}
		wg.Wait()
		if !(errs[0] == nil && apperr.CodeOf(errs[1]) == apperr.Conflict || errs[1] == nil && apperr.CodeOf(errs[0]) == apperr.Conflict) {
			t.Errorf("two confirmations at once: %v", errs)
		}
		if n := c.LedgerTransfer.Query().Where(ledgertransfer.Key(fmt.Sprint("help:", ids[0]))).CountX(sys); n != 1 {
			t.Errorf("the help was paid %d times", n)
		}

		clk.Advance(time.Hour)
		for _, svc := range []*redneighbor.Service{a, b, a, b} {
			wg.Go(func() {
				if _, err := svc.Expire(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := c.Event.Query().Where(event.Kind("help.expired"), event.SubjectID(last)).CountX(sys); n != 1 {
			t.Errorf("expired %d times", n)
		}
		if r := c.HelpRequest.GetX(sys, last); r.Status != helprequest.StatusEXPIRED {
			t.Errorf("after its window: %s", r.Status)
		}
		if r := c.HelpRequest.GetX(sys, ids[0]); r.Status != helprequest.StatusCOMPLETED {
			t.Errorf("a completed request changed: %s", r.Status)
		}
	})
}
