package appeal

import (
	"context"
	"slices"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/community"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestcategory"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Statistics are the numbers of a scope's requests filed in a period.
type Statistics struct {
	// Received counts the requests filed in the period; Resolved those of
	// them resolved, confirmed or closed.
	Received, Resolved int
	// Stages are the on-time numbers per stage, in clock order.
	Stages []StageStatistics
	// AverageRating is over the Rated requests of the period (nil for none).
	AverageRating *float64
	Rated         int
	// OverdueNow counts the scope's requests, filed at any time, whose
	// running stage is past its deadline now.
	OverdueNow int
	// ByCategory splits Received and Resolved by category.
	ByCategory []CategoryStatistics
}

// StageStatistics are one stage's on-time numbers: Due counts requests
// whose stage was met or is past its deadline, OnTime those met by it.
type StageStatistics struct {
	Stage       request.ClockStage
	Due, OnTime int
}

// Rate is OnTime/Due, nil when nothing was due.
func (s StageStatistics) Rate() *float64 {
	if s.Due == 0 {
		return nil
	}
	r := float64(s.OnTime) / float64(s.Due)
	return &r
}

// CategoryStatistics are one category's numbers.
type CategoryStatistics struct {
	Category           *ent.RequestCategory
	Received, Resolved int
}

// stageMeters say, for each stage, when a request's stage was due and
// when it was met.
var stageMeters = []struct {
	stage    request.ClockStage
	due, met func(r *ent.Request) *time.Time
}{
	{request.ClockStageACKNOWLEDGE, func(r *ent.Request) *time.Time { return &r.AcknowledgeDueAt }, func(r *ent.Request) *time.Time { return r.ClaimedAt }},
	{request.ClockStageCONTACT, func(r *ent.Request) *time.Time { return &r.ContactDueAt }, func(r *ent.Request) *time.Time { return r.ContactedAt }},
	{request.ClockStageRESOLVE, func(r *ent.Request) *time.Time { return &r.ResolveDueAt }, func(r *ent.Request) *time.Time { return r.ResolvedAt }},
	{request.ClockStageDEPARTMENT_ACKNOWLEDGE, func(r *ent.Request) *time.Time { return r.DepartmentAcknowledgeDueAt }, func(r *ent.Request) *time.Time { return r.DepartmentAcknowledgedAt }},
	{request.ClockStageFOLLOW_UP, func(r *ent.Request) *time.Time { return r.FollowUpDueAt }, func(r *ent.Request) *time.Time { return r.ConfirmedAt }},
	{request.ClockStageRATING, func(r *ent.Request) *time.Time { return r.RatingDueAt }, func(r *ent.Request) *time.Time { return r.RatedAt }},
}

// Statistics computes the numbers of the requests of a grid, community or
// street (scopeID) filed in [from, to): for the grid's leader and workers,
// the community's admins, the street's admins.
func (s *Service) Statistics(ctx context.Context, scopeID int, from, to time.Time) (*Statistics, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	from, to = from.UTC(), to.UTC() // SQLite compares times as text
	if !from.Before(to) {
		return nil, apperr.New(apperr.BadUserInput, "a period starts before it ends")
	}
	sys := viewer.SystemContext(ctx)
	node, err := s.client.Noder(sys, scopeID)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "scope not found: give a grid, community or street ID")
	}
	var inScope predicate.Request
	allowed := false
	switch n := node.(type) {
	case *ent.Grid:
		inScope = request.GridID(n.ID)
		allowed = slices.Contains(v.GridsWhere(handlerRoles...), n.ID) || authz.Administers(v, n.CommunityID)
	case *ent.Community:
		inScope = request.HasGridWith(grid.CommunityID(n.ID))
		allowed = authz.Administers(v, n.ID)
	case *ent.Street:
		inScope = request.HasGridWith(grid.HasCommunityWith(community.StreetID(n.ID)))
		allowed = v.IsStreetAdmin()
	default:
		return nil, apperr.New(apperr.BadUserInput, "statistics are per grid, community or street")
	}
	if !allowed {
		return nil, apperr.New(apperr.Forbidden, "statistics are for the staff of the grid, community or street")
	}
	now := s.now()
	rs, err := s.client.Request.Query().
		Where(inScope, request.CreatedAtGTE(from), request.CreatedAtLT(to)).All(sys)
	if err != nil {
		return nil, err
	}
	st := &Statistics{}
	st.OverdueNow, err = s.client.Request.Query().
		Where(inScope, request.ClockStageNotNil(), request.ClockDueAtLT(now)).Count(sys)
	if err != nil {
		return nil, err
	}
	byCat := map[int]*CategoryStatistics{}
	ratings := 0
	for _, m := range stageMeters {
		st.Stages = append(st.Stages, StageStatistics{Stage: m.stage})
	}
	for _, r := range rs {
		st.Received++
		c := byCat[r.CategoryID]
		if c == nil {
			c = &CategoryStatistics{}
			byCat[r.CategoryID] = c
		}
		c.Received++
		switch r.Status {
		case request.StatusRESOLVED, request.StatusCONFIRMED, request.StatusCLOSED:
			st.Resolved++
			c.Resolved++
		}
		if r.Rating != nil {
			st.Rated++
			ratings += *r.Rating
		}
		for i, m := range stageMeters {
			due, met := m.due(r), m.met(r)
			if due == nil || (met == nil && !now.After(*due)) {
				continue
			}
			st.Stages[i].Due++
			if met != nil && !met.After(*due) {
				st.Stages[i].OnTime++
			}
		}
	}
	if st.Rated > 0 {
		avg := float64(ratings) / float64(st.Rated)
		st.AverageRating = &avg
	}
	if len(byCat) > 0 {
		ids := make([]int, 0, len(byCat))
		for id := range byCat {
			ids = append(ids, id)
		}
		cats, err := s.client.RequestCategory.Query().Where(requestcategory.IDIn(ids...)).All(sys)
		if err != nil {
			return nil, err
		}
		slices.SortFunc(cats, func(a, b *ent.RequestCategory) int {
			if a.Position != b.Position {
				return a.Position - b.Position
			}
			return a.ID - b.ID
		})
		for _, cat := range cats {
			c := byCat[cat.ID]
			c.Category = cat
			st.ByCategory = append(st.ByCategory, *c)
		}
	}
	return st, nil
}
