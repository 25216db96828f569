package notify

import (
	"context"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// replayPage is how many notifications one catch-up query reads.
const replayPage = 100

// Stream returns the viewer's notifications after the one with ID since (0:
// only new ones), then every new one as it is delivered, in delivery order,
// until ctx ends. The channel is closed when the stream ends.
func (in *Inbox) Stream(ctx context.Context, since int) (<-chan *ent.Notification, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	var cursor *int64 // nil: from now on, as the helper reads it after subscribing
	if since != 0 {
		seq, err := in.sinceCursor(ctx, since)
		if err != nil {
			return nil, err
		}
		cursor = &seq
	}
	// The one stream helper: subscribe, replay the viewer's notifications
	// after the cursor from the database, then stream live ones.
	resident := v.ResidentID
	return realtime.Stream(ctx, in.hub, in.client, realtime.Feed[*ent.Notification]{
		Name:   "notificationAdded",
		Topics: []string{realtime.ResidentTopic(resident)},
		Since:  cursor,
		Replay: func(ctx context.Context, after int64) ([]*ent.Notification, int64, bool, error) {
			page, err := in.client.Notification.Query().
				Where(notification.SeqGT(after)).
				Order(ent.Asc(notification.FieldSeq)).Limit(replayPage).All(ctx)
			if err != nil || len(page) == 0 {
				return nil, after, false, err
			}
			return page, *page[len(page)-1].Seq, len(page) == replayPage, nil
		},
		Load: func(_ context.Context, cs []realtime.Change) ([]*ent.Notification, error) {
			var out []*ent.Notification
			for _, c := range cs {
				if n := fromMessage(c.Message, resident); n != nil {
					out = append(out, n)
				}
			}
			return out, nil
		},
	})
}

// sinceCursor turns since, the ID of one of the viewer's notifications,
// into its sequence number.
func (in *Inbox) sinceCursor(ctx context.Context, since int) (int64, error) {
	n, err := in.client.Notification.Query().Where(notification.SeqNotNil(), notification.ID(since)).Only(ctx)
	if ent.IsNotFound(err) {
		return 0, apperr.New(apperr.BadUserInput, "since is not a cursor of one of your notifications")
	}
	if err != nil {
		return 0, err
	}
	return *n.Seq, nil
}

// fromMessage is resident's notification of live message m, or nil when
// it has none.
func fromMessage(m *realtime.Message, resident int) *ent.Notification {
	if m == nil {
		return nil
	}
	for _, ref := range m.Notifications {
		if ref.ResidentID != resident {
			continue
		}
		c := m.Contents[ref.Content]
		seq := m.Seq
		n := &ent.Notification{
			ID: ref.ID, ResidentID: ref.ResidentID, Kind: notification.Kind(c.Kind),
			MessageKey: c.MessageKey, Params: c.Params,
			Title: c.Title, Body: c.Body, CreatedAt: c.CreatedAt, Seq: &seq,
		}
		if c.SubjectID != 0 {
			sid := c.SubjectID
			n.SubjectID = &sid
		}
		return n
	}
	return nil
}
