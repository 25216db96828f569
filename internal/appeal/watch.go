package appeal

import (
	"context"
	"slices"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Follow streams request id as the viewer of ctx sees it, at once and
// after every change, until ctx ends or the request becomes hidden. A
// request the viewer cannot see is NOT_FOUND.
func (s *Service) Follow(ctx context.Context, hub *realtime.Hub, id int) (<-chan *ent.Request, error) {
	if _, err := viewer.Required(ctx); err != nil {
		return nil, err
	}
	ch, err := realtime.FollowNode(ctx, hub, id, s.Get)
	if ent.IsNotFound(err) {
		return nil, errNotFound
	}
	return ch, err
}

// catchUpMargin is how far back a grid stream looks after it may have
// lost events: changes committed out of order within it are sent again
// (duplicates are allowed, gaps are not).
const catchUpMargin = time.Minute

// maxBatch bounds how many queued changes a grid stream loads at once.
const maxBatch = 100

// FollowGrid streams every request of a grid as it is filed or changes,
// for the grid's leader and workers, the holders of a first role in it,
// and the admins. Each request is loaded with the subscriber's context, so
// privacy rules decide per event (a safety informant hears only of the
// hazards).
func (s *Service) FollowGrid(ctx context.Context, hub *realtime.Hub, gridID int) (<-chan *ent.Request, error) {
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
	sub := hub.Subscribe([]string{GridRequestsTopic(gridID)}, 0)
	out := make(chan *ent.Request, 1)
	go func() {
		defer close(out)
		defer sub.Close()
		last := s.now()
		send := func(r *ent.Request) bool {
			select {
			case out <- r:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			var batch []*ent.Request
			select {
			case <-ctx.Done():
				return
			case m := <-sub.Messages():
				// Load what has queued up meanwhile in one query; what
				// the subscriber may not see is not there.
				ids := []int{m.SubjectID}
			drain:
				for len(ids) < maxBatch {
					select {
					case m := <-sub.Messages():
						ids = append(ids, m.SubjectID)
					default:
						break drain
					}
				}
				batch, err = s.client.Request.Query().Where(request.IDIn(ids...)).
					Order(request.ByUpdatedAt(), request.ByID()).All(ctx)
				if err != nil {
					return
				}
			case <-sub.Lost():
				batch, err = s.client.Request.Query().
					Where(request.GridID(gridID), request.UpdatedAtGTE(last.Add(-catchUpMargin))).
					Order(request.ByUpdatedAt(), request.ByID()).All(ctx)
				if err != nil {
					return
				}
			}
			for _, r := range batch {
				if r.UpdatedAt.After(last) {
					last = r.UpdatedAt
				}
				if !send(r) {
					return
				}
			}
		}
	}()
	return out, nil
}
