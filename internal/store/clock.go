package store

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jimei-linli/linli/ent"
)

// stamped is the mutation of an entity that records when it was created and
// last changed (schema.TimeMixin; Request has the same two fields).
type stamped interface {
	ent.Mutation
	CreatedAt() (time.Time, bool)
	SetCreatedAt(time.Time)
	UpdatedAt() (time.Time, bool)
	SetUpdatedAt(time.Time)
}

// Timestamps returns the hook that fills created_at and updated_at from
// now: on create, each of them the mutation does not set; on update,
// updated_at unless the mutation sets it. The schema gives these fields no
// default of its own, so that they follow the same injected clock as the
// business times written beside them instead of the wall clock: a test on
// a fixed instant sees every timestamp at that instant.
func Timestamps(now func() time.Time) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if s, ok := m.(stamped); ok {
				t := now()
				if m.Op().Is(ent.OpCreate) {
					if _, set := s.CreatedAt(); !set {
						s.SetCreatedAt(t)
					}
				}
				if _, set := s.UpdatedAt(); !set {
					s.SetUpdatedAt(t)
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

// clock is a Store's clock: the wall clock until UseClock replaces it.
type clock struct {
	now atomic.Pointer[func() time.Time]
}

// read returns the time on the clock.
func (c *clock) read() time.Time {
	if f := c.now.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// UseClock sets the clock that stamps the created_at and updated_at of
// what is written through s.Client (Timestamps): serve leaves the real
// clock; tests pass their business clock. Envs that share one Store share
// its clock: the last one set wins.
func (s *Store) UseClock(now func() time.Time) { s.clock.now.Store(&now) }

// Now returns the time on s's clock.
func (s *Store) Now() time.Time { return s.clock.read() }
