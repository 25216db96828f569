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
	cursor, err := in.startCursor(ctx, v, since)
	if err != nil {
		return nil, err
	}
	// Subscribe before replaying, so that nothing published in between is
	// missed; what both deliver is skipped by the cursor. The listener
	// holds no goroutine while the stream is idle.
	out := make(chan *ent.Notification, 16)
	ready := realtime.Ready(ctx)
	st := &stream{in: in, ctx: ctx, resident: v.ResidentID, cursor: cursor, out: out, ready: ready}
	in.hub.Listen(ctx, []string{realtime.ResidentTopic(v.ResidentID)}, realtime.Handlers{
		Start:   st.catchUp,
		Lost:    st.catchUp,
		Message: st.deliver,
		End:     func() { close(out); ready() },
	}).Start()
	return out, nil
}

// startCursor turns since into a sequence number: that of the viewer's
// notification since, or the latest one's when since is 0 (only new ones).
func (in *Inbox) startCursor(ctx context.Context, v *viewer.Viewer, since int) (int64, error) {
	q := in.client.Notification.Query().Where(notification.SeqNotNil())
	if since != 0 {
		n, err := q.Where(notification.ID(since)).Only(ctx)
		if ent.IsNotFound(err) {
			return 0, apperr.New(apperr.BadUserInput, "since is not a cursor of one of your notifications")
		}
		if err != nil {
			return 0, err
		}
		return *n.Seq, nil
	}
	last, err := q.Order(ent.Desc(notification.FieldSeq)).First(ctx)
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return *last.Seq, nil
}

// stream is one running notification stream.
type stream struct {
	in       *Inbox
	ctx      context.Context
	resident int
	cursor   int64
	out      chan<- *ent.Notification
	ready    func() // after each send: see realtime.Ready
}

// send delivers n unless the stream ended.
func (s *stream) send(n *ent.Notification) bool {
	select {
	case s.out <- n:
		s.cursor = *n.Seq
		s.ready()
		return true
	case <-s.ctx.Done():
		return false
	}
}

// catchUp delivers everything after the cursor from the database.
func (s *stream) catchUp() bool {
	for {
		page, err := s.in.client.Notification.Query().
			Where(notification.SeqGT(s.cursor)).
			Order(ent.Asc(notification.FieldSeq)).Limit(replayPage).All(s.ctx)
		if err != nil {
			// Keep streaming: the next message or lost signal catches up again.
			return s.ctx.Err() == nil
		}
		for _, n := range page {
			if !s.send(n) {
				return false
			}
		}
		if len(page) < replayPage {
			return true
		}
	}
}

// deliver sends the viewer's notification of message m, if it has one and
// it is after the cursor.
func (s *stream) deliver(m *realtime.Message) bool {
	if m.Seq <= s.cursor {
		return true
	}
	for _, ref := range m.Notifications {
		if ref.ResidentID != s.resident {
			continue
		}
		c := m.Contents[ref.Content]
		seq := m.Seq
		n := &ent.Notification{
			ID: ref.ID, ResidentID: ref.ResidentID, Kind: notification.Kind(c.Kind),
			Title: c.Title, Body: c.Body, CreatedAt: c.CreatedAt, Seq: &seq,
		}
		if c.SubjectID != 0 {
			sid := c.SubjectID
			n.SubjectID = &sid
		}
		return s.send(n)
	}
	return true
}
