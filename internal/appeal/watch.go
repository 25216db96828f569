package appeal

import (
	"context"
	"slices"

	"entgo.io/contrib/entgql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// RequestUpdate is one change a request feed streams: the request as the
// subscriber may see it after the change, and the cursor to resume after.
type RequestUpdate struct {
	// Cursor is what the client passes as since to resume after this.
	Cursor entgql.Cursor[int]
	// Request is the request after the change.
	Request *ent.Request
}

// Follow streams request id as the viewer of ctx sees it, at once (or,
// resuming after since, once if it changed since) and after every change,
// until ctx ends or the request becomes hidden. A request the viewer
// cannot see is NOT_FOUND.
func (s *Service) Follow(ctx context.Context, hub *realtime.Hub, id int, since *entgql.Cursor[int]) (<-chan *RequestUpdate, error) {
	if _, err := viewer.Required(ctx); err != nil {
		return nil, err
	}
	ch, err := realtime.Stream(ctx, hub, s.client, realtime.Snapshots("requestUpdated",
		[]string{realtime.NodeTopic(id)}, realtime.Since(since),
		func(ctx context.Context) (*ent.Request, error) { return s.Get(ctx, id) },
		func(c entgql.Cursor[int], r *ent.Request) *RequestUpdate {
			return &RequestUpdate{Cursor: c, Request: r}
		}))
	if ent.IsNotFound(err) {
		return nil, errNotFound
	}
	return ch, err
}

// FollowGrid streams every change to the requests of a grid (filed,
// moved, escalated, ...), one update per change in order, for the grid's
// leader and workers, the holders of a first role in it, and the admins;
// after since it first replays every change since. Each request is loaded
// with the subscriber's context, so privacy rules decide per change (a
// safety informant hears only of the hazards).
func (s *Service) FollowGrid(ctx context.Context, hub *realtime.Hub, gridID int, since *entgql.Cursor[int]) (<-chan *RequestUpdate, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	g, err := s.client.Grid.Get(sys, gridID)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "grid not found")
	}
	roles := append(slices.Clone(handlerRoles), authz.RequestHelperRoles...)
	if !slices.Contains(v.GridsWhere(roles...), gridID) && !authz.Administers(v, g.CommunityID) {
		return nil, apperr.New(apperr.Forbidden, "only the grid's staff and admins follow its requests")
	}
	return realtime.Stream(ctx, hub, s.client, realtime.Feed[*RequestUpdate]{
		Name: "gridRequests", Topics: []string{GridRequestsTopic(gridID)}, Since: realtime.Since(since),
		Load: func(ctx context.Context, cs []realtime.Change) ([]*RequestUpdate, error) {
			ids := make([]int, 0, len(cs))
			for _, c := range cs {
				ids = append(ids, c.SubjectID)
			}
			// One query for the batch; what the subscriber may not see
			// is not there.
			rs, err := s.client.Request.Query().Where(request.IDIn(ids...)).All(ctx)
			if err != nil {
				return nil, err
			}
			byID := make(map[int]*ent.Request, len(rs))
			for _, r := range rs {
				byID[r.ID] = r
			}
			var out []*RequestUpdate
			for _, c := range cs {
				if r := byID[c.SubjectID]; r != nil {
					out = append(out, &RequestUpdate{Cursor: realtime.Cursor(c.Seq), Request: r})
				}
			}
			return out, nil
		},
	})
}
