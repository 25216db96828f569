package realtime

import (
	"context"
	"fmt"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/viewer"
)

// ViewerTopic is the topic on which a resident's open websockets hear that
// what they may see has changed (a role given or taken, a move to another
// household, a guardianship begun or ended): the sockets then close, and
// the app reconnects with the same token and gets the new rights.
func ViewerTopic(residentID int) string { return fmt.Sprintf("viewer:%d", residentID) }

// ViewerChangedKind is the kind of the event sent on ViewerTopic.
const ViewerChangedKind = "viewer.changed"

// ViewerChanged emits, in tx, that the rights of residents changed. A nil
// outbox (a service built without the real-time backbone) does nothing.
func ViewerChanged(ctx context.Context, o *Outbox, tx *ent.Tx, residents ...int) error {
	if o == nil || len(residents) == 0 {
		return nil
	}
	topics := make([]string, len(residents))
	for i, id := range residents {
		topics[i] = ViewerTopic(id)
	}
	_, err := o.Emit(viewer.SystemContext(ctx), tx, Event{Kind: ViewerChangedKind, Topics: topics})
	return err
}
