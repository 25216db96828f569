package auth

import (
	"context"
	"slices"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/session"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// SessionEnded is the kind of the event that ends sign-in sessions; it goes
// to each session's realtime.SessionTopic, so that the websockets opened
// under them close at once instead of when their access token expires.
const SessionEnded = "session.ended"

// EndSessions revokes, in tx and at now, the live sessions that match
// preds, and (with an outbox) emits SessionEnded for their families in the
// same transaction. Account deletion calls it too.
func EndSessions(ctx context.Context, tx *ent.Tx, outbox *realtime.Outbox, now time.Time, preds ...predicate.Session) error {
	sys := viewer.SystemContext(ctx)
	live := append(preds, session.RevokedAtIsNil())
	families, err := tx.Session.Query().Where(live...).Select(session.FieldFamilyID).Strings(sys)
	if err != nil {
		return err
	}
	if len(families) == 0 {
		return nil
	}
	if _, err := tx.Session.Update().Where(live...).SetRevokedAt(now).Save(sys); err != nil {
		return err
	}
	if outbox == nil {
		return nil
	}
	slices.Sort(families)
	topics := make([]string, 0, len(families))
	for _, f := range slices.Compact(families) {
		topics = append(topics, realtime.SessionTopic(f))
	}
	_, err = outbox.Emit(sys, tx, realtime.Event{Kind: SessionEnded, Topics: topics})
	return err
}
