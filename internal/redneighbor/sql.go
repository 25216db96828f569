package redneighbor

import (
	"entgo.io/ent/dialect"
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

// lockOnPostgres makes a SELECT lock its rows until the transaction ends,
// on PostgreSQL (SQLite's transactions are serialized and need no lock).
func lockOnPostgres(s *sql.Selector) {
	if s.Dialect() == dialect.Postgres {
		s.ForUpdate()
	}
}
