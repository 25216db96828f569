package appeal

import (
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/request"
)

// Deadlines are the 54321 clock's stage deadlines. DOMAIN.md's default
// reading: acknowledge in 5 minutes, contact or be on site in 4 hours,
// resolve in 3 days (all from filing), follow up on the resolution in 2
// days, collect the rating in 1 day; a called department reports in 1 day.
type Deadlines struct {
	Acknowledge, Contact, Resolve, FollowUp, Rating, DepartmentAcknowledge time.Duration
}

// DefaultDeadlines is the default reading of 54321.
var DefaultDeadlines = Deadlines{
	Acknowledge:           5 * time.Minute,
	Contact:               4 * time.Hour,
	Resolve:               72 * time.Hour,
	FollowUp:              48 * time.Hour,
	Rating:                24 * time.Hour,
	DepartmentAcknowledge: 24 * time.Hour,
}

// DeadlinesFrom builds deadlines from configuration (config.RequestDeadlines);
// missing ones take their default.
func DeadlinesFrom(m map[string]time.Duration) Deadlines {
	return Deadlines{
		Acknowledge: m["acknowledge"], Contact: m["contact"], Resolve: m["resolve"],
		FollowUp: m["follow-up"], Rating: m["rating"], DepartmentAcknowledge: m["department-acknowledge"],
	}.withDefaults()
}

func (d Deadlines) withDefaults() Deadlines {
	def := DefaultDeadlines
	for _, p := range []struct{ v, def *time.Duration }{
		{&d.Acknowledge, &def.Acknowledge}, {&d.Contact, &def.Contact}, {&d.Resolve, &def.Resolve},
		{&d.FollowUp, &def.FollowUp}, {&d.Rating, &def.Rating}, {&d.DepartmentAcknowledge, &def.DepartmentAcknowledge},
	} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	return d
}

// Of returns the length of a stage: how long it has, and how long each
// further rung of the escalation ladder waits.
func (d Deadlines) Of(st request.ClockStage) time.Duration {
	switch st {
	case request.ClockStageACKNOWLEDGE:
		return d.Acknowledge
	case request.ClockStageCONTACT:
		return d.Contact
	case request.ClockStageRESOLVE:
		return d.Resolve
	case request.ClockStageDEPARTMENT_ACKNOWLEDGE:
		return d.DepartmentAcknowledge
	case request.ClockStageFOLLOW_UP:
		return d.FollowUp
	default:
		return d.Rating
	}
}

// RunningStage returns the stage whose deadline runs for r in its current
// state, and that deadline; ok is false once r is closed.
func RunningStage(r *ent.Request) (st request.ClockStage, due time.Time, ok bool) {
	at := func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	}
	switch r.Status {
	case request.StatusSUBMITTED:
		return request.ClockStageACKNOWLEDGE, r.AcknowledgeDueAt, true
	case request.StatusIN_PROGRESS:
		if r.ContactedAt == nil {
			return request.ClockStageCONTACT, r.ContactDueAt, true
		}
		return request.ClockStageRESOLVE, r.ResolveDueAt, true
	case request.StatusWITH_DEPARTMENT:
		if r.DepartmentAcknowledgedAt == nil {
			return request.ClockStageDEPARTMENT_ACKNOWLEDGE, at(r.DepartmentAcknowledgeDueAt), true
		}
		return request.ClockStageRESOLVE, r.ResolveDueAt, true
	case request.StatusRESOLVED:
		return request.ClockStageFOLLOW_UP, at(r.FollowUpDueAt), true
	case request.StatusCONFIRMED:
		return request.ClockStageRATING, at(r.RatingDueAt), true
	}
	return "", time.Time{}, false
}

// maxLevel is the top of the escalation ladder: 1 the grid leader, 2 the
// community admins, 3 the street admins.
const maxLevel = 3

// nextEscalation returns when a stage that started at due and has reached
// level escalates next: rung n+1 fires at due + n × the stage's length.
// ok is false at the top of the ladder.
func (d Deadlines) nextEscalation(st request.ClockStage, due time.Time, level int) (time.Time, bool) {
	if level >= maxLevel {
		return time.Time{}, false
	}
	return due.Add(time.Duration(level) * d.Of(st)), true
}

// Ladder returns the rung a stage that fell due at due has reached by now,
// and when it escalates next (nil at the top of the ladder): what the
// clock would have done had it run all along. The demo seed writes its
// history with it.
func (d Deadlines) Ladder(st request.ClockStage, due, now time.Time) (level int, next *time.Time) {
	for level < maxLevel {
		at, _ := d.nextEscalation(st, due, level)
		if at.After(now) {
			return level, &at
		}
		level++
	}
	return level, nil
}
