package redneighbor

import (
	"entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/volunteertask"
)

// acceptedBelowNeeded matches tasks with a place left: accepted < needed.
func acceptedBelowNeeded() predicate.VolunteerTask {
	return func(s *sql.Selector) {
		s.Where(sql.ColumnsLT(s.C(volunteertask.FieldAccepted), s.C(volunteertask.FieldNeeded)))
	}
}

// acceptedReachedNeeded matches tasks with every place taken.
func acceptedReachedNeeded() predicate.VolunteerTask {
	return func(s *sql.Selector) {
		s.Where(sql.ColumnsGTE(s.C(volunteertask.FieldAccepted), s.C(volunteertask.FieldNeeded)))
	}
}
