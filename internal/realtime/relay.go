package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/event"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// relayBatch is how many events one relay round handles.
const relayBatch = 200

// pollInterval is how often the relay looks for events nobody kicked it
// for: written by an instance that died before relaying them, or left
// unpublished by a broker failure.
const pollInterval = 500 * time.Millisecond

// Relay publishes committed outbox events: it gives each the next sequence
// number, publishes it, and marks it published. One relay at a time works
// across all instances (a PostgreSQL advisory lock), so sequence numbers
// and publication follow one order. Sequencing is committed before
// publishing and the publication is marked after it, so a relay that dies
// between the two re-publishes on restart: duplicates, never loss.
type Relay struct {
	store  *store.Store
	broker Broker
	logger *slog.Logger
	kick   chan struct{}
	mu     sync.Mutex
	// Published, when set, is called after each published batch (the push
	// planner hooks in here).
	Published func(ctx context.Context, msgs []*Message)
	// Throughput, if set, counts the events the relay publishes.
	Throughput Counter
}

// NewRelay returns a relay from s's outbox to broker.
func NewRelay(s *store.Store, broker Broker, logger *slog.Logger) *Relay {
	if logger == nil {
		logger = slog.Default()
	}
	return &Relay{store: s, broker: broker, logger: logger, kick: make(chan struct{}, 1)}
}

// Kick asks the relay to run now (after a commit that wrote events).
func (r *Relay) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run relays until ctx ends: whenever kicked, and every pollInterval.
func (r *Relay) Run(ctx context.Context) {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
		case <-t.C:
		}
		if err := r.Flush(ctx); err != nil && ctx.Err() == nil {
			r.logger.Warn("relaying events failed; will retry", "err", err)
		}
	}
}

// Flush relays every pending event now, unless another instance is
// relaying (which then relays them).
func (r *Relay) Flush(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx = viewer.SystemContext(ctx)
	unlock, ok, err := r.lock(ctx)
	if err != nil || !ok {
		if !ok && err == nil {
			// Someone else relays; look again soon in case our events
			// committed after their last round.
			time.AfterFunc(25*time.Millisecond, r.Kick)
		}
		return err
	}
	defer unlock()
	for {
		evs, err := r.next(ctx)
		if err != nil || len(evs) == 0 {
			return err
		}
		if err := r.publish(ctx, evs); err != nil {
			return err
		}
	}
}

// sqliteRelayLocks holds one lock per SQLite store: an SQLite database
// belongs to one process, so relays of the same store take turns here.
var sqliteRelayLocks sync.Map // *store.Store -> *sync.Mutex

// lock takes the cluster-wide relay lock: on PostgreSQL an advisory lock on
// a connection held for the round; on SQLite a lock of this process.
func (r *Relay) lock(ctx context.Context) (unlock func(), ok bool, err error) {
	if r.store.Dialect != dialect.Postgres {
		mu, _ := sqliteRelayLocks.LoadOrStore(r.store, &sync.Mutex{})
		if !mu.(*sync.Mutex).TryLock() {
			return nil, false, nil
		}
		return mu.(*sync.Mutex).Unlock, true, nil
	}
	conn, err := r.store.DB.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	const key = "hashtext('linli-relay:' || current_schema())"
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock("+key+")").Scan(&ok); err != nil || !ok {
		conn.Close()
		return nil, false, err
	}
	return func() {
		conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+key+")")
		conn.Close()
	}, true, nil
}

// next returns the events to publish: first any sequenced but unpublished
// (left by a relay that died or a broker that failed), else the next
// unsequenced ones, sequenced now in one transaction.
func (r *Relay) next(ctx context.Context) ([]*ent.Event, error) {
	c := r.store.Client
	evs, err := c.Event.Query().
		Where(event.SeqNotNil(), event.PublishedAtIsNil()).
		Order(ent.Asc(event.FieldSeq)).Limit(relayBatch).All(ctx)
	if err != nil || len(evs) > 0 {
		return evs, err
	}
	err = store.WithTx(ctx, c, func(tx *ent.Tx) error {
		// An unsequenced event is unpublished too; saying so lets the
		// partial index of unpublished events serve the lookup.
		evs, err = tx.Event.Query().Where(event.SeqIsNil(), event.PublishedAtIsNil()).
			Order(ent.Asc(event.FieldID)).Limit(relayBatch).All(ctx)
		if err != nil || len(evs) == 0 {
			return err
		}
		last, err := tx.Event.Query().Where(event.SeqNotNil()).
			Order(ent.Desc(event.FieldSeq)).Limit(1).Select(event.FieldSeq).Ints(ctx)
		if err != nil {
			return fmt.Errorf("relay: read the last sequence number: %w", err)
		}
		var seq int64
		if len(last) > 0 {
			seq = int64(last[0])
		}
		ids := make([]int, len(evs))
		for i, ev := range evs {
			ids[i] = ev.ID
			s := seq + int64(i) + 1
			ev.Seq = &s
		}
		// Two statements for the whole batch, not two per event: the
		// events' numbers, and the same numbers on their notifications.
		if err := tx.Event.Update().Where(event.IDIn(ids...)).Modify(func(u *sql.UpdateBuilder) {
			u.Set(event.FieldSeq, seqByID(event.FieldID, ids, seq+1))
		}).Exec(ctx); err != nil {
			return err
		}
		return tx.Notification.Update().Where(notification.EventIDIn(ids...)).Modify(func(u *sql.UpdateBuilder) {
			u.Set(notification.FieldSeq, seqByID(notification.FieldEventID, ids, seq+1))
		}).Exec(ctx)
	})
	return evs, err
}

// seqByID is the SQL expression that numbers the rows whose column holds
// ids[i] with first+i: a CASE over the batch's ids, written as literals
// (they are integers of our own) so that both databases type it as one.
func seqByID(column string, ids []int, first int64) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("CASE ").Ident(column)
		for i, id := range ids {
			b.WriteString(" WHEN ").WriteString(strconv.Itoa(id)).
				WriteString(" THEN ").WriteString(strconv.FormatInt(first+int64(i), 10))
		}
		b.WriteString(" END")
	})
}

// publish sends evs in order and marks them published.
func (r *Relay) publish(ctx context.Context, evs []*ent.Event) error {
	msgs, err := r.messages(ctx, evs)
	if err != nil {
		return err
	}
	payloads := make([][]byte, len(msgs))
	for i, m := range msgs {
		if payloads[i], err = json.Marshal(m); err != nil {
			return err
		}
	}
	if b, ok := r.broker.(BatchPublisher); ok {
		if err := b.PublishAll(ctx, payloads); err != nil {
			return fmt.Errorf("relay: publish events %d to %d: %w", msgs[0].Seq, msgs[len(msgs)-1].Seq, err)
		}
	} else {
		for i, payload := range payloads {
			if err := r.broker.Publish(ctx, payload); err != nil {
				return fmt.Errorf("relay: publish event %d: %w", msgs[i].Seq, err)
			}
		}
	}
	// Before marking: a relay that dies in between publishes (and plans
	// pushes) again, and both are idempotent.
	if r.Published != nil {
		r.Published(ctx, msgs)
	}
	ids := make([]int, len(evs))
	for i, ev := range evs {
		ids[i] = ev.ID
	}
	_, err = r.store.Client.Event.Update().Where(event.IDIn(ids...)).
		SetPublishedAt(time.Now()).Save(ctx)
	if err == nil && r.Throughput != nil {
		r.Throughput.Add(float64(len(evs)))
	}
	return err
}

// OutboxLag returns the age, on now's clock, of the oldest event in s's
// outbox not yet published (0 when every event is published): how far
// real-time delivery is behind.
func OutboxLag(ctx context.Context, s *store.Store, now time.Time) (time.Duration, error) {
	oldest, err := s.Client.Event.Query().Where(event.PublishedAtIsNil()).
		Order(ent.Asc(event.FieldID)).First(viewer.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return max(now.Sub(oldest.CreatedAt), 0), nil
}

// messages builds the messages of evs with their notifications.
func (r *Relay) messages(ctx context.Context, evs []*ent.Event) ([]*Message, error) {
	return eventMessages(ctx, r.store.Client, evs)
}

// eventMessages builds the messages of evs with their notifications, as
// the relay publishes them.
func eventMessages(ctx context.Context, c *ent.Client, evs []*ent.Event) ([]*Message, error) {
	ids := make([]int, len(evs))
	for i, ev := range evs {
		ids[i] = ev.ID
	}
	ns, err := c.Notification.Query().Where(notification.EventIDIn(ids...)).
		Order(ent.Asc(notification.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	byEvent := map[int][]*ent.Notification{}
	for _, n := range ns {
		byEvent[n.EventID] = append(byEvent[n.EventID], n)
	}
	msgs := make([]*Message, len(evs))
	for i, ev := range evs {
		m := &Message{Seq: *ev.Seq, Kind: ev.Kind, Topics: ev.Topics}
		if ev.SubjectID != nil {
			m.SubjectID = *ev.SubjectID
		}
		contents := map[string]int{}
		for _, n := range byEvent[ev.ID] {
			c := ContentOf(n)
			key, err := json.Marshal(c)
			if err != nil {
				return nil, err
			}
			idx, ok := contents[string(key)]
			if !ok {
				idx = len(m.Contents)
				contents[string(key)] = idx
				m.Contents = append(m.Contents, c)
			}
			m.Notifications = append(m.Notifications, NotificationRef{ID: n.ID, ResidentID: n.ResidentID, Content: idx})
		}
		msgs[i] = m
	}
	return msgs, nil
}

// ContentOf returns what notification n says.
func ContentOf(n *ent.Notification) Content {
	c := Content{Kind: string(n.Kind), MessageKey: n.MessageKey, Params: n.Params,
		Title: n.Title, Body: n.Body, CreatedAt: n.CreatedAt.UTC()}
	if n.SubjectID != nil {
		c.SubjectID = *n.SubjectID
	}
	return c
}

// Since returns, in order, the messages of at most limit sequenced events
// after seq, published or not: what a hub missed while its broker was
// unreachable (Redis reads it back through its Backlog).
func (r *Relay) Since(ctx context.Context, seq int64, limit int) ([]*Message, error) {
	ctx = viewer.SystemContext(ctx)
	evs, err := r.store.Client.Event.Query().
		Where(event.SeqGT(seq)).
		Order(ent.Asc(event.FieldSeq)).Limit(limit).All(ctx)
	if err != nil || len(evs) == 0 {
		return nil, err
	}
	return r.messages(ctx, evs)
}

// LastSeq returns the sequence number of the last sequenced event (0 when
// there is none).
func (r *Relay) LastSeq(ctx context.Context) (int64, error) {
	last, err := r.store.Client.Event.Query().Where(event.SeqNotNil()).
		Order(ent.Desc(event.FieldSeq)).Limit(1).Select(event.FieldSeq).Ints(viewer.SystemContext(ctx))
	if err != nil || len(last) == 0 {
		return 0, err
	}
	return int64(last[0]), nil
}
