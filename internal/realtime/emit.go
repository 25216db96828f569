package realtime

import (
	"context"
	"errors"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/i18n"
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

// NotificationContent is what a notification says: its kind, and the
// catalogue message it is rendered from, in each reader's language, with
// the message's parameters.
type NotificationContent struct {
	Kind    notification.Kind
	Message *i18n.Message
	Params  []i18n.Param
}

// Note returns the content of kind rendered from m with parameters given as
// alternating names and values (i18n.Params).
func Note(kind notification.Kind, m *i18n.Message, kv ...any) NotificationContent {
	return NotificationContent{Kind: kind, Message: m, Params: i18n.Params(kv...)}
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
	if len(e.Notify) > 0 && e.Notification.Message == nil {
		return nil, errors.New("realtime: a notification needs a catalogue message")
	}
	for start := 0; start < len(e.Notify); start += notifyBatch {
		end := min(start+notifyBatch, len(e.Notify))
		builders := make([]*ent.NotificationCreate, 0, end-start)
		for _, rid := range e.Notify[start:end] {
			b := tx.Notification.Create().SetResidentID(rid).SetEventID(ev.ID).
				SetKind(e.Notification.Kind).SetMessageKey(string(e.Notification.Message.Key)).
				SetParams(e.Notification.Params).SetCreatedAt(now)
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
