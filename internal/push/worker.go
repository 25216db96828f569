package push

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/device"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/pushdelivery"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// The worker's defaults.
const (
	// DefaultBatch is how many deliveries one round claims.
	DefaultBatch = 32
	// DefaultConcurrency is how many pushes a worker sends at once.
	DefaultConcurrency = 8
	// DefaultLease is how long a claim keeps other workers off a delivery.
	// It must outlast a round: DefaultBatch/DefaultConcurrency attempts of
	// at most DefaultWebhookTimeout each.
	DefaultLease = 2 * time.Minute
	// DefaultMaxAttempts is how many attempts a delivery gets before it is
	// FAILED.
	DefaultMaxAttempts = 8
	// DefaultPoll is how often an idle worker looks for due deliveries.
	DefaultPoll = time.Second
)

// Worker sends due PENDING deliveries through a gateway and records the
// outcomes. Several workers (on several instances) may run at once: each
// claims the deliveries it sends. Set the exported fields before Run.
type Worker struct {
	store   *store.Store
	gateway Gateway
	now     func() time.Time
	logger  *slog.Logger
	kick    chan struct{}

	// Batch is how many deliveries one round claims (DefaultBatch).
	Batch int
	// Concurrency is how many pushes are sent at once (DefaultConcurrency).
	Concurrency int
	// Lease is how long a claim lasts (DefaultLease); a delivery whose
	// worker died is retried when it runs out.
	Lease time.Duration
	// MaxAttempts is how many attempts a delivery gets (DefaultMaxAttempts).
	MaxAttempts int
	// Poll is how often Run looks for due deliveries (DefaultPoll).
	Poll time.Duration
	// Presence, if set, is asked again about the residents of held
	// deliveries (planned while presence was unknown: Planner.Hold) before
	// they are sent: one online now was connected when the notification
	// came, or has read it since from the inbox, so its push is dropped.
	Presence *Presence
	// Hold is how long a held delivery waits again while presence is still
	// unknown (DefaultHold), until MaxHold after it was planned
	// (DefaultMaxHold), when it is sent anyway.
	Hold, MaxHold time.Duration
	// Attempts, if set, counts every attempt to send through the gateway
	// by its result (AttemptSent, AttemptRetry, AttemptFailed,
	// AttemptCancelled).
	Attempts AttemptCounter
}

// AttemptCounter counts push attempts by result (internal/metrics is one).
type AttemptCounter interface{ PushAttempt(result string) }

// The results of a push attempt.
const (
	// AttemptSent: the gateway took the push.
	AttemptSent = "sent"
	// AttemptRetry: it failed and will be tried again.
	AttemptRetry = "retry"
	// AttemptFailed: it failed and the delivery is given up.
	AttemptFailed = "failed"
	// AttemptCancelled: the worker shut down during the attempt.
	AttemptCancelled = "cancelled"
)

// QueueDepth returns how many deliveries in s wait to be sent (PENDING,
// due or not).
func QueueDepth(ctx context.Context, s *store.Store) (int, error) {
	return s.Client.PushDelivery.Query().Where(pushdelivery.StateEQ(pushdelivery.StatePENDING)).Count(viewer.SystemContext(ctx))
}

// NewWorker returns a worker sending s's deliveries through gateway and
// reading the time from now (nil: time.Now).
func NewWorker(s *store.Store, gateway Gateway, now func() time.Time, logger *slog.Logger) *Worker {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Worker{
		store: s, gateway: gateway, now: now, logger: logger, kick: make(chan struct{}, 1),
		Batch: DefaultBatch, Concurrency: DefaultConcurrency, Lease: DefaultLease,
		MaxAttempts: DefaultMaxAttempts, Poll: DefaultPoll,
		Hold: DefaultHold, MaxHold: DefaultMaxHold,
	}
}

// Kick asks the worker to look for due deliveries now.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run sends due deliveries until ctx ends: whenever kicked, and every
// Poll. Pushes in flight when ctx ends are released for the next run.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			n, err := w.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				w.logger.Warn("sending pushes failed; will retry", "err", err)
			}
			if err != nil || n < w.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		case <-t.C:
		}
	}
}

// RunOnce claims up to Batch due deliveries, sends them and records the
// outcomes. It returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	ctx = viewer.SystemContext(ctx)
	ds, err := w.claim(ctx, w.clock())
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	jobs, err := w.load(ctx, ds)
	if err != nil {
		return len(ds), err // the lease runs out and they are tried again
	}
	if jobs, err = w.recheck(ctx, jobs); err != nil {
		return len(ds), err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, max(w.Concurrency, 1))
	)
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := w.deliver(ctx, j); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return len(ds), errors.Join(errs...)
}

// clock is the worker's time, in UTC to the microsecond (what both
// databases store).
func (w *Worker) clock() time.Time { return w.now().UTC().Truncate(time.Microsecond) }

// claim takes up to Batch deliveries due at now: in one short transaction
// it moves their next attempt a lease ahead and counts the attempt, so no
// other worker takes them meanwhile. On PostgreSQL rows another worker is
// claiming are skipped, not waited for; on SQLite (one process) the
// transaction itself is exclusive. The returned deliveries carry the
// counted attempts, which fence the outcome: see record.
func (w *Worker) claim(ctx context.Context, now time.Time) ([]*ent.PushDelivery, error) {
	var ds []*ent.PushDelivery
	err := store.WithTx(ctx, w.store.Client, func(tx *ent.Tx) error {
		q := tx.PushDelivery.Query().
			Where(pushdelivery.StateEQ(pushdelivery.StatePENDING), pushdelivery.NextAttemptAtLTE(now)).
			Order(ent.Asc(pushdelivery.FieldNextAttemptAt), ent.Asc(pushdelivery.FieldID)).
			Limit(max(w.Batch, 1))
		if w.store.Dialect == dialect.Postgres {
			q = q.ForUpdate(sql.WithLockAction(sql.SkipLocked))
		}
		var err error
		if ds, err = q.All(ctx); err != nil || len(ds) == 0 {
			return err
		}
		ids := make([]int, len(ds))
		for i, d := range ds {
			ids[i] = d.ID
		}
		return tx.PushDelivery.Update().Where(pushdelivery.IDIn(ids...)).
			SetNextAttemptAt(now.Add(w.Lease)).AddAttempts(1).Exec(ctx)
	})
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		d.Attempts++
	}
	return ds, nil
}

// job is one claimed delivery with what it pushes and where (nil when
// gone).
type job struct {
	delivery     *ent.PushDelivery
	notification *ent.Notification
	device       *ent.Device
}

// load reads the notifications and devices of ds.
func (w *Worker) load(ctx context.Context, ds []*ent.PushDelivery) ([]job, error) {
	nids, dids := make([]int, len(ds)), make([]int, len(ds))
	for i, d := range ds {
		nids[i], dids[i] = d.NotificationID, d.DeviceID
	}
	c := w.store.Client
	ns, err := c.Notification.Query().Where(notification.IDIn(nids...)).WithRecipient().All(ctx)
	if err != nil {
		return nil, err
	}
	devs, err := c.Device.Query().Where(device.IDIn(dids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byN := make(map[int]*ent.Notification, len(ns))
	for _, n := range ns {
		byN[n.ID] = n
	}
	byD := make(map[int]*ent.Device, len(devs))
	for _, d := range devs {
		byD[d.ID] = d
	}
	jobs := make([]job, len(ds))
	for i, d := range ds {
		jobs[i] = job{delivery: d, notification: byN[d.NotificationID], device: byD[d.DeviceID]}
	}
	return jobs, nil
}

// held reports whether claimed delivery d was held by the planner and is
// due for its first attempt: it was planned due later than it was made.
func held(d *ent.PushDelivery) bool {
	return d.Attempts == 1 && d.NextAttemptAt.After(d.CreatedAt)
}

// recheck asks Presence again about the residents of the held deliveries
// among jobs and returns the jobs to send: a delivery to a resident online
// now is deleted (the notification reached them live, or from the inbox
// when they reconnected); one whose resident's presence is still unknown
// waits another Hold, unless it was planned MaxHold ago; the others go.
func (w *Worker) recheck(ctx context.Context, jobs []job) ([]job, error) {
	if w.Presence == nil {
		return jobs, nil
	}
	var residents []int
	for _, j := range jobs {
		if held(j.delivery) && j.device != nil {
			residents = append(residents, j.device.ResidentID)
		}
	}
	if len(residents) == 0 {
		return jobs, nil
	}
	pctx, cancel := context.WithTimeout(ctx, presenceTimeout)
	online, perr := w.Presence.Online(pctx, residents)
	cancel()
	now := w.clock()
	send := jobs[:0:0]
	for _, j := range jobs {
		d := j.delivery
		if !held(d) || j.device == nil {
			send = append(send, j)
			continue
		}
		fence := w.store.Client.PushDelivery.Update().Where(
			pushdelivery.ID(d.ID), pushdelivery.StateEQ(pushdelivery.StatePENDING), pushdelivery.Attempts(d.Attempts))
		switch {
		case online[j.device.ResidentID]:
			_, err := w.store.Client.PushDelivery.Delete().Where(
				pushdelivery.ID(d.ID), pushdelivery.StateEQ(pushdelivery.StatePENDING), pushdelivery.Attempts(d.Attempts)).Exec(ctx)
			if err != nil {
				return nil, err
			}
		case perr != nil && now.Sub(d.CreatedAt) < w.MaxHold:
			// Still unknown: hold again, the attempt uncounted.
			if err := fence.SetAttempts(0).SetNextAttemptAt(now.Add(max(w.Hold, time.Microsecond))).Exec(ctx); err != nil {
				return nil, err
			}
		default:
			send = append(send, j)
		}
	}
	return send, nil
}
