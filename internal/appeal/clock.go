package appeal

import (
	"context"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/schedule"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// tickBatch is how many due escalations one Tick takes on at most.
const tickBatch = 200

// Job is the 54321 clock as a scheduled job, run by every instance. It
// wakes when the earliest escalation falls due (and at every, at the
// latest, for deadlines another instance set), and at once when this
// instance sets or moves a deadline.
func (s *Service) Job(every time.Duration) schedule.Job {
	return schedule.Job{Name: "requests: 54321 escalations", Every: every, Wake: s.wake,
		Run: func(ctx context.Context) error {
			n, err := s.Tick(ctx)
			if n > 0 && s.Escalations != nil {
				s.Escalations.Add(float64(n))
			}
			return err
		},
		Next: s.nextDue,
	}
}

// nextDue returns how long until the earliest escalation falls due.
func (s *Service) nextDue(ctx context.Context) (time.Duration, bool, error) {
	r, err := s.client.Request.Query().Where(request.ClockStageNotNil(), request.NextEscalationAtNotNil()).
		Order(request.ByNextEscalationAt()).Select(request.FieldNextEscalationAt).First(viewer.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return r.NextEscalationAt.Sub(s.now()), true, nil
}

// rearmOnCommit wakes the clock once tx commits: tx sets or moves a
// deadline, which may fall due before the clock would otherwise look.
func (s *Service) rearmOnCommit(tx *ent.Tx) {
	store.AfterCommit(tx, func() {
		select {
		case s.wake <- struct{}{}:
		default: // a wake is already pending
		}
	})
}

// Tick escalates every request whose running stage has reached a rung by
// now, every rung that is due in the same pass, and returns how many
// rungs this call escalated. Each request's rungs are claimed by a
// conditional UPDATE (same stage, same rung, still due), so concurrent
// Ticks in several instances escalate each rung once: the database lets
// one UPDATE through and the others match no row.
func (s *Service) Tick(ctx context.Context) (int, error) {
	sys := viewer.SystemContext(ctx)
	now := s.now()
	due, err := s.client.Request.Query().
		Where(request.NextEscalationAtLTE(now), request.ClockStageNotNil()).
		Order(request.ByNextEscalationAt(), request.ByID()).Limit(tickBatch).All(sys)
	if err != nil {
		return 0, err
	}
	rungs := 0
	_, err = store.ClaimEach(ctx, s.client, due, func(tx *ent.Tx, r *ent.Request) (bool, error) {
		n, err := s.escalate(ctx, tx, r, now)
		if err != nil {
			return false, fmt.Errorf("escalate request %d: %w", r.ID, err)
		}
		store.AfterCommit(tx, func() { rungs += n })
		return n > 0, nil
	})
	return rungs, err
}

// escalate moves r's running stage up to the rung it has reached by now,
// if no one else has, and tells each rung passed, in order. It returns how
// many rungs it escalated.
func (s *Service) escalate(ctx context.Context, tx *ent.Tx, r *ent.Request, now time.Time) (int, error) {
	sys := viewer.SystemContext(ctx)
	reached, next := s.deadlines.Ladder(*r.ClockStage, *r.ClockDueAt, now)
	if reached < r.EscalationLevel {
		reached = r.EscalationLevel // the stages got longer since: no rung is taken back
	}
	if reached == r.EscalationLevel {
		// The stored time was computed with other stage lengths (the
		// configuration changed): store the current one, so that the
		// request is not due again and again without a rung to fire.
		u := s.stillDue(tx, r, now)
		if next, ok := s.deadlines.nextEscalation(*r.ClockStage, *r.ClockDueAt, r.EscalationLevel); ok {
			u.SetNextEscalationAt(next)
		} else {
			u.ClearNextEscalationAt()
		}
		_, err := u.Save(sys)
		return 0, err
	}
	u := s.stillDue(tx, r, now).SetEscalationLevel(reached).SetNillableNextEscalationAt(next)
	if next == nil {
		u.ClearNextEscalationAt()
	}
	n, err := u.Save(sys)
	if err != nil || n == 0 {
		return 0, err // another instance took it, or the request moved on
	}
	from := r.EscalationLevel
	r, err = tx.Request.Get(sys, r.ID)
	if err != nil {
		return 0, err
	}
	sc, err := s.scopeOf(ctx, tx.Client(), r)
	if err != nil {
		return 0, err
	}
	for level := from + 1; level <= reached; level++ {
		if err := s.tellRung(ctx, tx, r, sc, level, now); err != nil {
			return 0, err
		}
	}
	return reached - from, nil
}

// stillDue updates r if it is still where the clock found it: same stage,
// rung and deadline, and still due at now.
func (s *Service) stillDue(tx *ent.Tx, r *ent.Request, now time.Time) *ent.RequestUpdate {
	return tx.Request.Update().Where(request.ID(r.ID), request.ClockStageEQ(*r.ClockStage),
		request.EscalationLevel(r.EscalationLevel), request.ClockDueAt(*r.ClockDueAt), request.NextEscalationAtLTE(now))
}

// tellRung records r's escalation to level on its timeline and notifies
// that rung of the ladder.
func (s *Service) tellRung(ctx context.Context, tx *ent.Tx, r *ent.Request, sc scope, level int, now time.Time) error {
	sys := viewer.SystemContext(ctx)
	targets, err := s.ladder(ctx, tx.Client(), sc, level)
	if err != nil {
		return err
	}
	// The timeline entry reads in the street's language; the notifications
	// in each reader's.
	params := i18n.Params("stage", string(*r.ClockStage), "due", r.ClockDueAt.In(localtime.Zone).Format("01-02 15:04"))
	_, err = s.record(sys, tx, r, nil, &step{
		kind:   requestevent.KindESCALATED,
		level:  level,
		body:   i18n.RequestEscalated.RenderBody(i18n.Default, params),
		notify: targets, msg: i18n.RequestEscalated, params: params,
	}, now)
	return err
}

// ladder returns who is told at a rung: 1 the grid leader, 2 the
// community's admins, 3 the street's admins.
func (s *Service) ladder(ctx context.Context, c *ent.Client, sc scope, level int) ([]int, error) {
	switch level {
	case 1:
		return holders(ctx, c, []string{viewer.GridLeader}, roleassignment.GridID(sc.gridID))
	case 2:
		return holders(ctx, c, []string{viewer.CommunityAdmin}, roleassignment.CommunityID(sc.communityID))
	default:
		return holders(ctx, c, []string{viewer.StreetAdmin}, roleassignment.StreetID(sc.streetID))
	}
}

// stageNames are the stages as staff read them.
var stageNames = map[request.ClockStage]string{
	request.ClockStageACKNOWLEDGE:            "受理",
	request.ClockStageCONTACT:                "联系",
	request.ClockStageRESOLVE:                "办结",
	request.ClockStageDEPARTMENT_ACKNOWLEDGE: "部门报到",
	request.ClockStageFOLLOW_UP:              "回访",
	request.ClockStageRATING:                 "评价",
}

// StageName returns a stage's name as staff read it, e.g. 受理.
func StageName(st request.ClockStage) string { return stageNames[st] }
