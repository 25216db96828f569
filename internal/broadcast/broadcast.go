// Package broadcast sends grid broadcasts, the app's version of each grid's
// safety group chat (平安微信群): staff send a notice or an emergency alert to
// every resident of a grid, a community or the street, and every one of
// them gets a notification at once. Who may send where is decided by the
// privacy rules in internal/authz.
package broadcast

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jimei-linli/linli/ent"
	gbroadcast "github.com/jimei-linli/linli/ent/broadcast"
	"github.com/jimei-linli/linli/ent/community"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Service sends broadcasts.
type Service struct {
	client *ent.Client
	outbox *realtime.Outbox
	now    func() time.Time
}

// New returns a broadcast service writing through client and outbox.
func New(client *ent.Client, outbox *realtime.Outbox, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{client: client, outbox: outbox, now: now}
}

// Message is a broadcast to send.
type Message struct {
	// TargetID is the grid, community or street it goes to.
	TargetID int
	Level    gbroadcast.Level
	Title    string
	Body     string
}

// Send sends msg to every verified resident of its target: the broadcast,
// its event and every recipient's notification are written in one
// transaction.
func (s *Service) Send(ctx context.Context, msg Message) (*ent.Broadcast, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	msg.Title, msg.Body = strings.TrimSpace(msg.Title), strings.TrimSpace(msg.Body)
	switch {
	case msg.Title == "" || len([]rune(msg.Title)) > 200:
		return nil, apperr.New(apperr.BadUserInput, "a title has 1 to 200 characters")
	case msg.Body == "" || len([]rune(msg.Body)) > 4000:
		return nil, apperr.New(apperr.BadUserInput, "a message has 1 to 4000 characters")
	case gbroadcast.LevelValidator(msg.Level) != nil:
		return nil, apperr.New(apperr.BadUserInput, "unknown level %q", msg.Level)
	}
	sys := viewer.SystemContext(ctx)
	target, err := s.client.Noder(sys, msg.TargetID)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "target not found: give a grid, community or street ID")
	}
	var inTarget func(*ent.BroadcastCreate) *ent.BroadcastCreate
	recipients := []predicate.Resident{resident.DeletedAtIsNil()}
	var topic string
	switch t := target.(type) {
	case *ent.Grid:
		inTarget = func(c *ent.BroadcastCreate) *ent.BroadcastCreate { return c.SetGridID(t.ID) }
		recipients = append(recipients, resident.GridID(t.ID))
		topic = realtime.GridTopic(t.ID)
	case *ent.Community:
		inTarget = func(c *ent.BroadcastCreate) *ent.BroadcastCreate { return c.SetCommunityID(t.ID) }
		recipients = append(recipients, resident.HasGridWith(grid.CommunityID(t.ID)))
		topic = realtime.CommunityTopic(t.ID)
	case *ent.Street:
		inTarget = func(c *ent.BroadcastCreate) *ent.BroadcastCreate { return c.SetStreetID(t.ID) }
		recipients = append(recipients, resident.HasGridWith(grid.HasCommunityWith(community.StreetID(t.ID))))
		topic = realtime.StreetTopic(t.ID)
	default:
		return nil, apperr.New(apperr.BadUserInput, "a broadcast goes to a grid, a community or a street")
	}
	var b *ent.Broadcast
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		// Everyone in the target hears it, whether or not the sender may
		// read their records: the recipients are the system's to find.
		ids, err := tx.Client().Resident.Query().Where(recipients...).IDs(sys)
		if err != nil {
			return err
		}
		b, err = inTarget(tx.Broadcast.Create().SetSenderID(v.ResidentID).SetLevel(msg.Level).
			SetTitle(msg.Title).SetBody(msg.Body).SetCreatedAt(s.now()).SetRecipientCount(len(ids))).
			Save(ctx)
		if err != nil {
			if errors.Is(err, privacy.Deny) {
				return apperr.New(apperr.Forbidden, "you can broadcast only to the grids and communities you serve")
			}
			return err
		}
		_, err = s.outbox.Emit(ctx, tx, realtime.Event{
			Kind: "broadcast.sent", Topics: []string{topic}, SubjectID: b.ID, Notify: ids,
			Notification: realtime.Note(notification.KindBROADCAST, i18n.BroadcastSent, "title", msg.Title, "body", msg.Body),
		})
		if err != nil {
			return err
		}
		return idempotency.Record(ctx, tx, b.ID)
	})
	return b, err
}
