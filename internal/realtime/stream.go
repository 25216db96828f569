package realtime

import (
	"context"
	"errors"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqljson"
	"github.com/99designs/gqlgen/graphql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/event"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/internal/viewer"
)

// ReplayPage is how many outbox events one replay query of a stream reads.
const ReplayPage = 100

// Change is one sequenced event a stream hears of: live from the hub, or
// replayed from the outbox after a cursor.
type Change struct {
	// Seq is the event's sequence number: the cursor to resume after it.
	Seq int64
	// Kind says what happened, e.g. request.escalated.
	Kind string
	// SubjectID is the node the event is about (0 for none).
	SubjectID int
	// Message is the live message (nil when the change was replayed).
	Message *Message
}

// Feed describes one stream for Stream: what it listens to, where it
// resumes, and how a change becomes what the subscriber is sent.
type Feed[V any] struct {
	// Name names the stream in logs (e.g. "gridRequests").
	Name string
	// Topics are the topics the stream listens on and replays.
	Topics []string
	// Since is the cursor to resume after: every change after it is
	// replayed from the database first (0 too: the cursor of a street
	// before its first change). Nil starts from now (only what comes
	// next, after Start's value).
	Since *int64
	// Start, if set, runs once as the subscriber before anything is sent:
	// an error refuses the subscription (e.g. NOT_FOUND), and when Since
	// is 0 its value, if ok, is sent first (the state as it is now, with
	// cursor, the cursor to resume after).
	Start func(ctx context.Context, cursor int64) (v V, ok bool, err error)
	// Load turns changes, in sequence order and all after the cursor, into
	// what the subscriber is sent (none, one, or one per change), reading
	// through ent as the subscriber so that privacy rules decide each
	// time. An error ends the stream: the subscriber may no longer see it.
	Load func(ctx context.Context, changes []Change) ([]V, error)
	// Replay, if set, replaces the default replay (the outbox events on
	// Topics, in pages of ReplayPage, through Load): it returns what
	// follows the cursor after, the cursor after what it returned, and
	// whether more follows.
	Replay func(ctx context.Context, after int64) (vs []V, next int64, more bool, err error)
}

// Stream is the one way Linli streams changes to a subscriber. It
// subscribes to the feed's topics first, then replays from the database
// every change after the cursor (Feed.Since, or the latest sequence number
// now), then streams live ones, skipping what it already sent by sequence
// number: no gap, no reordering. When the hub may have lost messages for
// this subscription (a full buffer; a gap or a broker reconnect the hub
// could not fill from the outbox itself) it replays from its cursor again;
// replays take one of the hub's few catch-up slots while they query, so
// that thousands of streams do not query at once. The channel is closed
// when ctx ends or Load fails.
func Stream[V any](ctx context.Context, hub *Hub, c *ent.Client, f Feed[V]) (<-chan V, error) {
	if f.Load == nil {
		return nil, errors.New("realtime: a feed needs Load")
	}
	out := make(chan V, 1)
	st := &stream[V]{ctx: ctx, hub: hub, client: c, feed: f, out: out, ready: func() {}}
	// Subscribe before reading the cursor and the first state, so that
	// no change in between is missed; the listener holds no goroutine
	// while nothing happens.
	l := hub.Listen(ctx, f.Topics, Handlers{
		Start:   st.begin,
		Message: st.message,
		Lost:    st.catchUp,
		End:     func() { close(out); st.ready() },
	})
	if f.Since != nil {
		st.cursor = *f.Since
	} else if from, ok := l.sub.From(); ok {
		st.cursor = from // now, exactly: the hub sends every later message
	} else {
		// The hub has not started: the outbox's last change is now.
		latest, err := LatestSeq(ctx, c)
		if err != nil {
			l.Drop()
			return nil, err
		}
		st.cursor = latest
	}
	var (
		first V
		ok    bool
	)
	if f.Start != nil {
		var err error
		if first, ok, err = f.Start(ctx, st.cursor); err != nil {
			l.Drop()
			return nil, err
		}
	}
	st.ready = Ready(ctx)
	if ok && f.Since == nil {
		out <- first // the buffer has room: the listener has not started
		st.ready()
	}
	l.Start()
	return out, nil
}

// LatestSeq returns the highest sequence number the relay has given (0
// before the first event): the cursor of "now".
func LatestSeq(ctx context.Context, c *ent.Client) (int64, error) {
	last, err := c.Event.Query().Where(event.SeqNotNil()).
		Order(ent.Desc(event.FieldSeq)).Limit(1).Select(event.FieldSeq).Ints(viewer.SystemContext(ctx))
	if err != nil || len(last) == 0 {
		return 0, err
	}
	return int64(last[0]), nil
}

// OnTopics is the predicate of the outbox events published on any of
// topics.
func OnTopics(topics ...string) predicate.Event {
	return func(s *sql.Selector) {
		ps := make([]*sql.Predicate, len(topics))
		for i, t := range topics {
			ps[i] = sqljson.ValueContains(event.FieldTopics, t)
		}
		s.Where(sql.Or(ps...))
	}
}

// stream is one running Stream.
type stream[V any] struct {
	ctx    context.Context
	hub    *Hub
	client *ent.Client
	feed   Feed[V]
	out    chan<- V
	ready  func() // after each send: see Ready
	// cursor is the sequence number of the last change handled; only the
	// listener's goroutine touches it after Start.
	cursor int64
}

// begin replays what followed the cursor when the stream resumes.
func (s *stream[V]) begin() bool {
	if s.feed.Since == nil {
		return true
	}
	return s.catchUp()
}

// send delivers vs unless the stream ended.
func (s *stream[V]) send(vs []V) bool {
	for _, v := range vs {
		select {
		case s.out <- v:
			s.ready()
		case <-s.ctx.Done():
			return false
		}
	}
	return true
}

// message handles one live message: a change after the cursor is loaded
// and sent, anything else was sent already.
func (s *stream[V]) message(m *Message) bool {
	if m.Seq <= s.cursor {
		return true
	}
	vs, err := s.feed.Load(s.ctx, []Change{{Seq: m.Seq, Kind: m.Kind, SubjectID: m.SubjectID, Message: m}})
	if err != nil {
		s.end(err)
		return false
	}
	s.cursor = m.Seq
	return s.send(vs)
}

// catchUp replays from the database everything after the cursor, a page
// at a time, each page's queries in one of the hub's catch-up slots.
func (s *stream[V]) catchUp() bool {
	for {
		vs, next, more, err := s.replayPage()
		if err != nil {
			s.end(err)
			return false
		}
		if !s.send(vs) {
			return false
		}
		s.cursor = max(s.cursor, next)
		if !more {
			return true
		}
	}
}

// replayPage reads one page after the cursor, holding a catch-up slot.
func (s *stream[V]) replayPage() ([]V, int64, bool, error) {
	release, err := s.hub.catchUpSlot(s.ctx)
	if err != nil {
		return nil, 0, false, err
	}
	defer release()
	if s.feed.Replay != nil {
		return s.feed.Replay(s.ctx, s.cursor)
	}
	evs, err := s.client.Event.Query().
		Where(event.SeqGT(s.cursor), OnTopics(s.feed.Topics...)).
		Order(ent.Asc(event.FieldSeq)).Limit(ReplayPage).All(viewer.SystemContext(s.ctx))
	if err != nil || len(evs) == 0 {
		return nil, s.cursor, false, err
	}
	changes := make([]Change, len(evs))
	for i, ev := range evs {
		changes[i] = Change{Seq: *ev.Seq, Kind: ev.Kind}
		if ev.SubjectID != nil {
			changes[i].SubjectID = *ev.SubjectID
		}
	}
	vs, err := s.feed.Load(s.ctx, changes)
	return vs, changes[len(changes)-1].Seq, len(evs) == ReplayPage, err
}

// end logs why a stream ends early (not when its subscriber left).
func (s *stream[V]) end(err error) {
	if s.ctx.Err() != nil {
		return
	}
	s.hub.logger.Info("stream ended", "stream", s.feed.Name, "cursor", s.cursor, "err", err)
}

// backfillPage is how many events one history read takes.
const backfillPage = 200

// outboxHistory is the History of an ent client's outbox.
type outboxHistory struct{ client *ent.Client }

// NewHistory returns the History that reads c's outbox (the sequenced
// events and their notifications, as the relay publishes them).
func NewHistory(c *ent.Client) History { return outboxHistory{client: c} }

// Last implements History.
func (o outboxHistory) Last(ctx context.Context) (int64, error) { return LatestSeq(ctx, o.client) }

// After implements History, a page at a time.
func (o outboxHistory) After(ctx context.Context, after, before int64, deliver func(*Message)) error {
	ctx = viewer.SystemContext(ctx)
	for {
		q := o.client.Event.Query().Where(event.SeqGT(after))
		if before != 0 {
			q.Where(event.SeqLT(before))
		}
		evs, err := q.Order(ent.Asc(event.FieldSeq)).Limit(backfillPage).All(ctx)
		if err != nil || len(evs) == 0 {
			return err
		}
		msgs, err := eventMessages(ctx, o.client, evs)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			deliver(m)
		}
		after = msgs[len(msgs)-1].Seq
		if len(evs) < backfillPage {
			return nil
		}
	}
}

// Cursor is the API cursor of sequence number seq: a feed's updates carry
// it, and a client passes it back as since to resume after them.
func Cursor(seq int64) entgql.Cursor[int] { return entgql.Cursor[int]{ID: int(seq)} }

// Since is the sequence number of an API cursor, for Feed.Since: nil for
// none (from now). A cursor of 0 is a position like any other (the street
// had no change yet when it was read), not "none".
func Since(c *entgql.Cursor[int]) *int64 {
	if c == nil {
		return nil
	}
	seq := int64(c.ID)
	return &seq
}

// Now is the cursor of the latest change, for a signed-in viewer: a feed
// subscribed with it as since misses nothing that happens after.
func Now(ctx context.Context, c *ent.Client) (*entgql.Cursor[int], error) {
	if _, err := viewer.Required(ctx); err != nil {
		return nil, err
	}
	seq, err := LatestSeq(ctx, c)
	if err != nil {
		return nil, err
	}
	cursor := Cursor(seq)
	return &cursor, nil
}

// Snapshots is the feed of something's state (a node, a page, a view): get
// reads it as the subscriber; it is sent at the start (or, resuming, once
// if anything changed since the cursor) and once after each batch of
// changes, as it is after the last of them, wrapped with that cursor. When
// get fails the subscription is refused at the start, and later the stream
// ends (the subscriber may no longer see it, or it is gone).
func Snapshots[T, V any](name string, topics []string, since *int64, get func(ctx context.Context) (T, error), wrap func(cursor entgql.Cursor[int], v T) V) Feed[V] {
	return Feed[V]{
		Name: name, Topics: topics, Since: since,
		Start: func(ctx context.Context, cursor int64) (V, bool, error) {
			v, err := get(ctx)
			if err != nil {
				var zero V
				return zero, false, err
			}
			return wrap(Cursor(cursor), v), true, nil
		},
		Load: func(ctx context.Context, cs []Change) ([]V, error) {
			if len(cs) == 0 {
				return nil, nil
			}
			v, err := get(ctx)
			if err != nil {
				return nil, err
			}
			return []V{wrap(Cursor(cs[len(cs)-1].Seq), v)}, nil
		},
	}
}

// Selection returns ctx narrowed, for a loader that reads what the
// GraphQL operation selects (entgql's pagination and field collection), to
// the field name of the field ctx resolves: a feed's payload wraps what it
// loads (an update's requests), so the loader must see that field's
// selection, not the subscription's. Without a field context, ctx.
func Selection(ctx context.Context, name string) context.Context {
	fc := graphql.GetFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return ctx
	}
	for _, f := range graphql.CollectFields(oc, fc.Field.Selections, nil) {
		if f.Alias == name {
			return graphql.WithFieldContext(ctx, &graphql.FieldContext{Parent: fc, Object: fc.Object, Field: f})
		}
	}
	return ctx
}
