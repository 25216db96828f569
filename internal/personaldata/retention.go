package personaldata

import (
	"context"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent/accessrecord"
	"github.com/jimei-linli/linli/ent/idempotencykey"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/pushdelivery"
	"github.com/jimei-linli/linli/ent/session"
	"github.com/jimei-linli/linli/ent/signincode"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/schedule"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Retention is how long records that hold personal data are kept once
// they are no longer needed (config's LINLI_RETENTION).
type Retention struct {
	// SignInCodes counts from when a code was sent.
	SignInCodes time.Duration
	// Sessions counts from when a session expired.
	Sessions time.Duration
	// PushDeliveries counts from when a push was delivered.
	PushDeliveries time.Duration
	// Notifications counts from when a notification was read; their
	// push records go with them.
	Notifications time.Duration
	// AccessRecords counts from when a member of staff read the record
	// (config's LINLI_ACCESS_LOG_RETENTION).
	AccessRecords time.Duration
	// IdempotencyKeys counts from when a key was used (config's
	// LINLI_IDEMPOTENCY_WINDOW); a shorter window than
	// idempotency.MinWindow is taken as that minimum.
	IdempotencyKeys time.Duration
}

// RetentionFrom reads the windows by config.RetentionNames, and the access
// log's window.
func RetentionFrom(m map[string]time.Duration, accessRecords time.Duration) Retention {
	return Retention{SignInCodes: m["sign-in-codes"], Sessions: m["sessions"],
		PushDeliveries: m["push-deliveries"], Notifications: m["notifications"],
		AccessRecords: accessRecords}
}

// Purged counts the rows one purge deleted.
type Purged struct {
	SignInCodes, Sessions, PushDeliveries, Notifications, AccessRecords, IdempotencyKeys int
}

// Purge deletes, as the system, the sign-in codes, expired sessions,
// delivered push records, read notifications (with every push record of
// theirs, delivered or not), access records and used idempotency keys
// older than r's windows at the injected clock's now. Each is one
// conditional DELETE decided in
// the database, so instances that purge at once delete each row once.
// A zero window keeps those records.
func (s *Service) Purge(ctx context.Context, r Retention) (Purged, error) {
	sys := viewer.SystemContext(ctx)
	now := s.now()
	var p Purged
	var err error
	if r.SignInCodes > 0 {
		if p.SignInCodes, err = s.client.SignInCode.Delete().
			Where(signincode.CreatedAtLT(now.Add(-r.SignInCodes))).Exec(sys); err != nil {
			return p, err
		}
	}
	if r.Sessions > 0 {
		if p.Sessions, err = s.client.Session.Delete().
			Where(session.ExpiresAtLT(now.Add(-r.Sessions))).Exec(sys); err != nil {
			return p, err
		}
	}
	if r.PushDeliveries > 0 {
		if p.PushDeliveries, err = s.client.PushDelivery.Delete().
			Where(pushdelivery.StateEQ(pushdelivery.StateSENT), pushdelivery.SentAtLT(now.Add(-r.PushDeliveries))).Exec(sys); err != nil {
			return p, err
		}
	}
	if r.Notifications > 0 {
		// The push records of the notifications purged go first: a purge
		// interrupted in between leaves the notifications for the next.
		purged := notification.ReadAtLT(now.Add(-r.Notifications))
		pushes, err := s.client.PushDelivery.Delete().
			Where(func(sel *entsql.Selector) {
				sub := entsql.Select(notification.FieldID).From(entsql.Table(notification.Table))
				purged(sub)
				sel.Where(entsql.In(sel.C(pushdelivery.FieldNotificationID), sub))
			}).Exec(sys)
		if err != nil {
			return p, err
		}
		p.PushDeliveries += pushes
		if p.Notifications, err = s.client.Notification.Delete().Where(purged).Exec(sys); err != nil {
			return p, err
		}
	}
	if r.AccessRecords > 0 {
		if p.AccessRecords, err = s.client.AccessRecord.Delete().
			Where(accessrecord.AtLT(now.Add(-r.AccessRecords))).Exec(sys); err != nil {
			return p, err
		}
	}
	if r.IdempotencyKeys > 0 {
		if p.IdempotencyKeys, err = s.client.IdempotencyKey.Delete().
			Where(idempotencykey.CreatedAtLT(now.Add(-max(r.IdempotencyKeys, idempotency.MinWindow)))).Exec(sys); err != nil {
			return p, err
		}
	}
	return p, nil
}

// RetentionJob purges by r every hour.
func (s *Service) RetentionJob(r Retention) schedule.Job {
	return schedule.Job{Name: "purge personal records past retention", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := s.Purge(ctx, r)
		return err
	}}
}
