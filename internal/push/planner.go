package push

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/device"
	"github.com/jimei-linli/linli/ent/pushdelivery"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// planChunk is how many residents one device query reads, and how many
// deliveries one INSERT writes.
const planChunk = 500

// presenceTimeout bounds the presence lookup of one plan: the relay waits
// for the planner.
const presenceTimeout = 2 * time.Second

// Planner plans the pushes of published notifications: one PushDelivery
// per notification and device of each recipient who is offline.
type Planner struct {
	client   *ent.Client
	presence *Presence
	now      func() time.Time
	logger   *slog.Logger

	// Planned, when set, is called after a plan that wrote deliveries (the
	// worker's Kick, so that they go out at once).
	Planned func()
	// Hold is how long the pushes of residents whose presence is unknown
	// (Redis down, or lately restarted: see Presence.Online) wait before
	// the worker asks again whether they are online (DefaultHold).
	Hold time.Duration
}

// DefaultHold is how long a push to a resident whose presence is unknown
// waits for the worker to ask again: longer than a presence refresh, so
// that once Redis is back every instance has set its residents' keys.
const DefaultHold = DefaultPresenceRefresh + 5*time.Second

// DefaultMaxHold is how long after it was planned a held push is sent
// even though presence is still unknown (better a push too many than a
// notification nobody sees).
const DefaultMaxHold = 5 * time.Minute

// NewPlanner returns a planner writing deliveries through client, asking
// presence who is online (nil: nobody is) and reading the time from now
// (nil: time.Now).
func NewPlanner(client *ent.Client, presence *Presence, now func() time.Time, logger *slog.Logger) *Planner {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Planner{client: client, presence: presence, now: now, logger: logger, Hold: DefaultHold}
}

// IdempotencyKey is the key of pushing a notification to a device.
func IdempotencyKey(notificationID, deviceID int) string {
	return fmt.Sprintf("n%d-d%d", notificationID, deviceID)
}

// planRetries are the pauses before Published tries a failed plan again.
var planRetries = []time.Duration{100 * time.Millisecond, 400 * time.Millisecond}

// Published plans msgs' pushes, trying again briefly when that fails, and
// logs a failure: set it as the relay's Published hook. The relay has
// already marked msgs published, so pushes it could not plan are not
// planned later (the notifications stay in the inbox).
func (p *Planner) Published(ctx context.Context, msgs []*realtime.Message) {
	if len(msgs) == 0 {
		return
	}
	n, err := p.Plan(ctx, msgs)
	for _, pause := range planRetries {
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
			n, err = p.Plan(ctx, msgs)
		}
	}
	if err != nil {
		p.logger.Error("planning pushes failed; they will not be sent", "err", err, "first_seq", msgs[0].Seq, "events", len(msgs))
	}
	if n > 0 && p.Planned != nil {
		p.Planned()
	}
}

// Plan writes a PENDING delivery, due now, for each notification in msgs
// and each device of its recipient, unless the recipient is online. When
// presence is unknown for some (Presence.Online failed), the deliveries of
// those reported offline are held: due after Hold, when the worker asks
// again. It
// returns how many deliveries it planned. Planning the same messages
// again writes nothing new: a delivery's idempotency key is unique.
func (p *Planner) Plan(ctx context.Context, msgs []*realtime.Message) (int, error) {
	ctx = viewer.SystemContext(ctx)
	notifications := map[int][]int{} // resident → notification IDs
	for _, m := range msgs {
		for _, n := range m.Notifications {
			notifications[n.ResidentID] = append(notifications[n.ResidentID], n.ID)
		}
	}
	if len(notifications) == 0 {
		return 0, nil
	}
	devices, err := p.devices(ctx, notifications)
	if err != nil || len(devices) == 0 {
		return 0, err
	}
	online := map[int]bool{}
	unknown := false // whether a resident reported offline may be online elsewhere
	if p.presence != nil {
		residents := make([]int, 0, len(devices))
		for r := range devices {
			residents = append(residents, r)
		}
		pctx, cancel := context.WithTimeout(ctx, presenceTimeout)
		online, err = p.presence.Online(pctx, residents)
		cancel()
		if err != nil {
			unknown = true
			if !errors.Is(err, ErrPresenceIncomplete) {
				p.logger.Warn("push presence unknown on other instances; holding their pushes", "err", err, "hold", p.Hold.String())
			}
		}
	}
	now := p.now().UTC()
	// A held push is due later than it was planned (created_at): that is
	// how the worker tells it to ask presence again before sending it.
	due := now
	if unknown {
		due = now.Add(max(p.Hold, time.Microsecond))
	}
	var builders []*ent.PushDeliveryCreate
	planned := 0
	flush := func() error {
		if len(builders) == 0 {
			return nil
		}
		err := p.client.PushDelivery.CreateBulk(builders...).
			OnConflictColumns(pushdelivery.FieldIdempotencyKey).DoNothing().Exec(ctx)
		planned += len(builders)
		builders = nil
		return err
	}
	seen := map[string]bool{}
	for _, r := range sortedKeys(devices) {
		if online[r] {
			continue
		}
		for _, n := range notifications[r] {
			for _, d := range devices[r] {
				key := IdempotencyKey(n, d)
				if seen[key] {
					continue
				}
				seen[key] = true
				builders = append(builders, p.client.PushDelivery.Create().
					SetNotificationID(n).SetDeviceID(d).SetIdempotencyKey(key).
					SetState(pushdelivery.StatePENDING).SetNextAttemptAt(due).SetCreatedAt(now))
				if len(builders) == planChunk {
					if err := flush(); err != nil {
						return planned, err
					}
				}
			}
		}
	}
	if err := flush(); err != nil {
		return planned, err
	}
	return planned, nil
}

// devices returns the device IDs of those residents among notifications'
// keys who have any.
func (p *Planner) devices(ctx context.Context, notifications map[int][]int) (map[int][]int, error) {
	residents := sortedKeys(notifications)
	devices := map[int][]int{}
	for start := 0; start < len(residents); start += planChunk {
		var rows []struct {
			ID         int `json:"id"`
			ResidentID int `json:"resident_id"`
		}
		err := p.client.Device.Query().
			Where(device.ResidentIDIn(residents[start:min(start+planChunk, len(residents))]...)).
			Order(ent.Asc(device.FieldID)).
			Select(device.FieldID, device.FieldResidentID).Scan(ctx, &rows)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			devices[row.ResidentID] = append(devices[row.ResidentID], row.ID)
		}
	}
	return devices, nil
}

// sortedKeys returns m's keys in increasing order.
func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
