package appeal

import (
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/request"
)

func TestLadder(t *testing.T) {
	d := DefaultDeadlines
	due := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		now   time.Duration // after due
		level int
		next  time.Duration // after due; -1 for none
	}{
		{-time.Second, 0, 0},
		{0, 1, 5 * time.Minute},
		{5*time.Minute - time.Second, 1, 5 * time.Minute},
		{5 * time.Minute, 2, 10 * time.Minute},
		{10 * time.Minute, 3, -1},
		{24 * time.Hour, 3, -1},
	} {
		level, next := d.Ladder(request.ClockStageACKNOWLEDGE, due, due.Add(tc.now))
		if level != tc.level || (next == nil) != (tc.next < 0) || (next != nil && !next.Equal(due.Add(tc.next))) {
			t.Errorf("at due%+v: level %d next %v, want %d due%+v", tc.now, level, next, tc.level, tc.next)
		}
	}
	if d := DeadlinesFrom(map[string]time.Duration{"resolve": time.Hour}); d.Resolve != time.Hour || d.Acknowledge != 5*time.Minute {
		t.Errorf("DeadlinesFrom: %+v", d)
	}
}

func TestRunningStage(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	later := at.Add(time.Hour)
	r := &ent.Request{AcknowledgeDueAt: at, ContactDueAt: at.Add(1), ResolveDueAt: at.Add(2)}
	for _, tc := range []struct {
		change func()
		stage  request.ClockStage
		due    time.Time
	}{
		{func() { r.Status = request.StatusSUBMITTED }, request.ClockStageACKNOWLEDGE, at},
		{func() { r.Status = request.StatusIN_PROGRESS }, request.ClockStageCONTACT, at.Add(1)},
		{func() { r.ContactedAt = &at }, request.ClockStageRESOLVE, at.Add(2)},
		{func() { r.Status, r.DepartmentAcknowledgeDueAt = request.StatusWITH_DEPARTMENT, &later }, request.ClockStageDEPARTMENT_ACKNOWLEDGE, later},
		{func() { r.DepartmentAcknowledgedAt = &at }, request.ClockStageRESOLVE, at.Add(2)},
		{func() { r.Status, r.FollowUpDueAt = request.StatusRESOLVED, &later }, request.ClockStageFOLLOW_UP, later},
		{func() { r.Status, r.RatingDueAt = request.StatusCONFIRMED, &later }, request.ClockStageRATING, later},
	} {
		tc.change()
		st, due, ok := RunningStage(r)
		if !ok || st != tc.stage || !due.Equal(tc.due) {
			t.Errorf("%s: %s %v %v, want %s %v", r.Status, st, due, ok, tc.stage, tc.due)
		}
	}
	r.Status = request.StatusCLOSED
	if _, _, ok := RunningStage(r); ok {
		t.Error("a closed request runs a stage")
	}
}
