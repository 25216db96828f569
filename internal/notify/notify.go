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
// when ids is empty) and returns how many changed.
func (in *Inbox) MarkRead(ctx context.Context, ids []int) (int, error) {
	if _, err := viewer.Required(ctx); err != nil {
		return 0, err
	}
	u := in.client.Notification.Update().Where(notification.ReadAtIsNil())
	if len(ids) > 0 {
		u.Where(notification.IDIn(ids...))
	}
	return u.SetReadAt(in.now()).Save(ctx)
}
