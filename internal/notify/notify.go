// Package notify is the resident's notification inbox: listing it, counting
// and marking what is unread, and the live stream behind the
// notificationAdded subscription, which first replays what the resident
// missed from the database and then follows the hub, catching up from the
// database whenever the hub may have lost messages. Other capabilities send
// notifications by emitting events through realtime.Outbox.
package notify

import (
	"context"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Inbox reads and streams residents' notifications.
type Inbox struct {
	client *ent.Client
	hub    *realtime.Hub
	now    func() time.Time
}

// New returns an inbox over client, streaming from hub.
func New(client *ent.Client, hub *realtime.Hub, now func() time.Time) *Inbox {
	if now == nil {
		now = time.Now
	}
	return &Inbox{client: client, hub: hub, now: now}
}

// Query returns the viewer's delivered notifications (those the relay has
// sequenced), newest first, optionally only the unread ones. Privacy rules
// restrict it to the viewer's own.
func (in *Inbox) Query(ctx context.Context, unreadOnly bool) (*ent.NotificationQuery, error) {
	if _, err := viewer.Required(ctx); err != nil {
		return nil, err
	}
	q := in.client.Notification.Query().Where(notification.SeqNotNil())
	if unreadOnly {
		q.Where(notification.ReadAtIsNil())
	}
	return q, nil
}

// UnreadCount counts the viewer's unread notifications.
func (in *Inbox) UnreadCount(ctx context.Context) (int, error) {
	q, err := in.Query(ctx, true)
	if err != nil {
		return 0, err
	}
	return q.Count(ctx)
}

// MarkRead marks the given notifications of the viewer read (all of them
// when ids is empty) and returns those it changed, newest first, and how
// many of the viewer's notifications are unread after it. Only delivered
// notifications (those the viewer can list) are marked.
func (in *Inbox) MarkRead(ctx context.Context, ids []int) ([]*ent.Notification, int, error) {
	q, err := in.Query(ctx, true)
	if err != nil {
		return nil, 0, err
	}
	if len(ids) > 0 {
		q.Where(notification.IDIn(ids...))
	}
	unread, err := q.IDs(ctx)
	if err != nil {
		return nil, 0, err
	}
	var changed []*ent.Notification
	if len(unread) > 0 {
		// A notification a concurrent call marked between the two
		// statements is reported by both calls: harmless for a cache, as
		// both report the readAt it has.
		if _, err := in.client.Notification.Update().
			Where(notification.IDIn(unread...), notification.ReadAtIsNil()).
			SetReadAt(in.now()).Save(ctx); err != nil {
			return nil, 0, err
		}
		changed, err = in.client.Notification.Query().
			Where(notification.IDIn(unread...)).
			Order(ent.Desc(notification.FieldCreatedAt), ent.Desc(notification.FieldID)).
			All(ctx)
		if err != nil {
			return nil, 0, err
		}
	}
	count, err := in.UnreadCount(ctx)
	if err != nil {
		return nil, 0, err
	}
	return changed, count, nil
}
