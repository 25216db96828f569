package realtime

import (
	"context"
	"errors"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Event is a change others must hear about, written with the change.
type Event struct {
	// Kind says what happened, e.g. broadcast.sent.
	Kind string
	// Topics say who may hear of it live (GridTopic, NodeTopic, ...);
	// recipients of notifications hear on their ResidentTopic anyway.
	Topics []string
	// SubjectID is the node the event is about (0 for none).
	SubjectID int
	// Notify lists the residents who get a notification in their inbox.
	Notify []int
	// Notification is what their notification says.
	Notification NotificationContent
}

// NotificationContent is what a notification says.
type NotificationContent struct {
	Kind  notification.Kind
	Title string
	Body  string
}

// notifyBatch is how many notifications one INSERT writes.
const notifyBatch = 500

// Outbox writes events in the callers' transactions and kicks the relay
// when they commit.
type Outbox struct {
	relay *Relay
	now   func() time.Time
}

// NewOutbox returns an outbox that kicks relay after each commit (relay
// may be nil: the relay's polling then picks the events up).
func NewOutbox(relay *Relay, now func() time.Time) *Outbox {
	if now == nil {
		now = time.Now
	}
	return &Outbox{relay: relay, now: now}
}

// Emit writes e and its notifications in tx. Nothing is published unless
// tx commits; then the relay is kicked at once.
func (o *Outbox) Emit(ctx context.Context, tx *ent.Tx, e Event) (*ent.Event, error) {
	if e.Kind == "" {
		return nil, errors.New("realtime: an event needs a kind")
	}
	// The outbox is the system's, whoever's change it records.
	sys := viewer.SystemContext(ctx)
	now := o.now()
	create := tx.Event.Create().SetKind(e.Kind).SetTopics(append([]string{}, e.Topics...)).SetCreatedAt(now)
	if e.SubjectID != 0 {
		create.SetSubjectID(e.SubjectID)
	}
	ev, err := create.Save(sys)
	if err != nil {
		return nil, err
	}
	for start := 0; start < len(e.Notify); start += notifyBatch {
		end := min(start+notifyBatch, len(e.Notify))
		builders := make([]*ent.NotificationCreate, 0, end-start)
		for _, rid := range e.Notify[start:end] {
			b := tx.Notification.Create().SetResidentID(rid).SetEventID(ev.ID).
				SetKind(e.Notification.Kind).SetTitle(e.Notification.Title).
				SetBody(e.Notification.Body).SetCreatedAt(now)
			if e.SubjectID != 0 {
				b.SetSubjectID(e.SubjectID)
			}
			builders = append(builders, b)
		}
		if err := tx.Notification.CreateBulk(builders...).Exec(sys); err != nil {
			return nil, err
		}
	}
	if o.relay != nil {
		store.AfterCommit(tx, o.relay.Kick)
	}
	return ev, nil
}
