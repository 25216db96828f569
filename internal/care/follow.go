package care

import (
	"context"
	"strings"

	"entgo.io/contrib/entgql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/careevent"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// EventUpdate is one entry of a care log feed and the cursor to resume
// the feed after it.
type EventUpdate struct {
	// Cursor is what the client passes as since to resume after this.
	Cursor entgql.Cursor[int]
	// Event is the log entry.
	Event *ent.CareEvent
}

// Follow streams the new entries of a person's care log (checked in,
// checked out, a note, an incident, booking changes) to the person or their
// active guardian, as they are written; after since it first replays every
// entry written since, in order. Each entry is read as the subscriber, so
// the privacy rules decide every one.
func (s *Service) Follow(ctx context.Context, hub *realtime.Hub, residentID int, since *entgql.Cursor[int]) (<-chan *EventUpdate, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if !v.ActsFor(residentID) {
		return nil, apperr.New(apperr.Forbidden, "you follow the care of yourself or of a dependent you are the active guardian of")
	}
	return realtime.Stream(ctx, hub, s.client, realtime.Feed[*EventUpdate]{
		Name: "careEvents", Topics: []string{CareTopic(residentID)}, Since: realtime.Since(since),
		Load: func(ctx context.Context, cs []realtime.Change) ([]*EventUpdate, error) {
			var ids []int
			for _, c := range cs {
				if strings.HasPrefix(c.Kind, careKindPrefix) {
					ids = append(ids, c.SubjectID)
				}
			}
			if len(ids) == 0 {
				return nil, nil // another event about the person
			}
			es, err := s.client.CareEvent.Query().
				Where(careevent.IDIn(ids...), careevent.ResidentID(residentID)).All(ctx)
			if err != nil {
				return nil, err
			}
			byID := make(map[int]*ent.CareEvent, len(es))
			for _, e := range es {
				byID[e.ID] = e
			}
			var out []*EventUpdate
			for _, c := range cs {
				if e := byID[c.SubjectID]; e != nil && strings.HasPrefix(c.Kind, careKindPrefix) {
					out = append(out, &EventUpdate{Cursor: realtime.Cursor(c.Seq), Event: e})
				}
			}
			return out, nil
		},
	})
}

// careKindPrefix starts the kind of every care log entry's event.
const careKindPrefix = "care."
