package appeal

import (
	"context"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/schedule"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// tickBatch is how many due escalations one Tick takes on at most.
const tickBatch = 200

// Job is the 54321 clock as a scheduled job, run by every instance.
func (s *Service) Job(every time.Duration) schedule.Job {
	return schedule.Job{Name: "requests: 54321 escalations", Every: every, Run: func(ctx context.Context) error {
		n, err := s.Tick(ctx)
		if n > 0 && s.Escalations != nil {
			s.Escalations.Add(float64(n))
		}
		return err
	}}
}

// Tick escalates every request whose running stage has reached its next
// rung by now, and returns how many escalations this call made. Each rung
// is claimed by a conditional UPDATE (same stage, same rung, still due),
// so concurrent Ticks in several instances escalate each rung once: the
// database lets one UPDATE through and the others match no row.
func (s *Service) Tick(ctx context.Context) (int, error) {
	sys := viewer.SystemContext(ctx)
	now := s.now()
	due, err := s.client.Request.Query().
		Where(request.NextEscalationAtLTE(now), request.ClockStageNotNil()).
		Order(request.ByNextEscalationAt(), request.ByID()).Limit(tickBatch).All(sys)
	if err != nil {
		return 0, err
	}
	return store.ClaimEach(ctx, s.client, due, func(tx *ent.Tx, r *ent.Request) (bool, error) {
		done, err := s.escalate(ctx, tx, r, now)
		if err != nil {
			return false, fmt.Errorf("escalate request %d: %w", r.ID, err)
		}
		return done, nil
	})
}

// escalate moves r's running stage one rung up in tx, if no one else has,
// and tells that rung. It reports whether it did.
func (s *Service) escalate(ctx context.Context, tx *ent.Tx, r *ent.Request, now time.Time) (bool, error) {
	sys := viewer.SystemContext(ctx)
	level := r.EscalationLevel + 1
	u := tx.Request.Update().Where(request.ID(r.ID), request.ClockStageEQ(*r.ClockStage),
		request.EscalationLevel(r.EscalationLevel), request.ClockDueAt(*r.ClockDueAt), request.NextEscalationAtLTE(now)).
		SetEscalationLevel(level)
	if next, ok := s.deadlines.nextEscalation(*r.ClockStage, *r.ClockDueAt, level); ok {
		u.SetNextEscalationAt(next)
	} else {
		u.ClearNextEscalationAt()
	}
	n, err := u.Save(sys)
	if err != nil || n == 0 {
		return false, err // another instance took it, or the request moved on
	}
	r, err = tx.Request.Get(sys, r.ID)
	if err != nil {
		return false, err
	}
	sc, err := s.scopeOf(ctx, tx.Client(), r)
	if err != nil {
		return false, err
	}
	targets, err := s.ladder(ctx, tx.Client(), sc, level)
	if err != nil {
		return false, err
	}
	_, err = s.record(sys, tx, r, nil, &step{
		kind:   requestevent.KindESCALATED,
		body:   fmt.Sprintf("%s 超時（期限 %s）", stageNames[*r.ClockStage], r.ClockDueAt.In(localtime.Zone).Format("01-02 15:04")),
		notify: targets, title: "督辦：訴求" + stageNames[*r.ClockStage] + "超時",
	}, now)
	return err == nil, err
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
	request.ClockStageCONTACT:                "聯繫",
	request.ClockStageRESOLVE:                "辦結",
	request.ClockStageDEPARTMENT_ACKNOWLEDGE: "部門報到",
	request.ClockStageFOLLOW_UP:              "回訪",
	request.ClockStageRATING:                 "評價",
}

// StageName returns a stage's name as staff read it, e.g. 受理.
func StageName(st request.ClockStage) string { return stageNames[st] }
