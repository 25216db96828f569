package care

import (
	"context"
	"slices"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/careevent"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// followWindow is how many of the latest log entries each reload reads:
// entries that commit out of ID order within it are still delivered.
const followWindow = 50

// Follow streams the new entries of a person's care log (checked in,
// checked out, a note, an incident, booking changes) to the person or their
// active guardian, as they are written. Each reload reads as the
// subscriber, so the privacy rules decide every entry.
func (s *Service) Follow(ctx context.Context, hub *realtime.Hub, residentID int) (<-chan *ent.CareEvent, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if !v.ActsFor(residentID) {
		return nil, apperr.New(apperr.Forbidden, "you follow the care of yourself or of a dependent you are the active guardian of")
	}
	var (
		floor   = -1
		seen    = map[int]bool{}
		started bool
	)
	batches, err := realtime.Follow(ctx, hub, []string{CareTopic(residentID)}, func(ctx context.Context) ([]*ent.CareEvent, bool, error) {
		latest, err := s.client.CareEvent.Query().Where(careevent.ResidentID(residentID)).
			Order(ent.Desc(careevent.FieldID)).Limit(followWindow).All(ctx)
		if err != nil {
			return nil, false, err
		}
		if !started {
			// What happened before the subscription is history, not news.
			started = true
			floor = 0
			if len(latest) > 0 {
				floor = latest[0].ID
			}
			return nil, false, nil
		}
		var fresh []*ent.CareEvent
		for _, e := range latest {
			if e.ID > floor && !seen[e.ID] {
				seen[e.ID] = true
				fresh = append(fresh, e)
			}
		}
		if len(latest) == followWindow {
			// Forget what fell out of the window.
			oldest := latest[len(latest)-1].ID
			for id := range seen {
				if id < oldest {
					delete(seen, id)
				}
			}
			floor = max(floor, oldest-1)
		}
		slices.Reverse(fresh)
		return fresh, len(fresh) > 0, nil
	})
	if err != nil {
		return nil, err
	}
	out := make(chan *ent.CareEvent, 1)
	go func() {
		defer close(out)
		for batch := range batches {
			for _, e := range batch {
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
