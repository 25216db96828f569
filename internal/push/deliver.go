package push

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/device"
	"github.com/jimei-linli/linli/ent/pushdelivery"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/notify"
)

// The backoff between attempts.
const (
	// BaseBackoff is the wait after the first failed attempt.
	BaseBackoff = 2 * time.Second
	// MaxBackoff caps the wait between attempts.
	MaxBackoff = 5 * time.Minute
)

// maxLastError is the longest last_error the schema accepts, in bytes.
const maxLastError = 500

// Backoff is how long a delivery waits after its attempts-th failed
// attempt: 2 s, 4 s, 8 s, … doubling up to MaxBackoff.
func Backoff(attempts int) time.Duration {
	d := BaseBackoff
	for i := 1; i < attempts; i++ {
		if d *= 2; d >= MaxBackoff {
			return MaxBackoff
		}
	}
	return d
}

// deliver sends one claimed delivery and records the outcome.
func (w *Worker) deliver(ctx context.Context, j job) error {
	d, n, dev := j.delivery, j.notification, j.device
	switch {
	case n == nil:
		return w.fail(ctx, d, "the notification no longer exists")
	case dev == nil:
		return w.fail(ctx, d, "the device is no longer registered")
	case dev.ResidentID != n.ResidentID:
		return w.fail(ctx, d, "the device now belongs to another resident")
	}
	// The push reads in the recipient's language.
	lang := i18n.Default
	if r := n.Edges.Recipient; r != nil {
		lang, _ = i18n.Parse(r.Locale)
	}
	err := w.gateway.Send(ctx, Push{
		IdempotencyKey: d.IdempotencyKey,
		Platform:       string(dev.Platform),
		Token:          dev.Token,
		NotificationID: n.ID,
		Kind:           string(n.Kind),
		Title:          notify.TitleIn(lang, n),
		Body:           notify.BodyIn(lang, n),
	})
	now := w.clock()
	w.countAttempt(ctx, d, err)
	switch {
	case err == nil:
		return w.record(ctx, d, func(u *ent.PushDeliveryUpdate) {
			u.SetState(pushdelivery.StateSENT).SetSentAt(now).SetLastError("")
		})
	case ctx.Err() != nil:
		// Shutting down: hand the delivery back, this attempt uncounted.
		return w.record(context.WithoutCancel(ctx), d, func(u *ent.PushDeliveryUpdate) {
			u.SetNextAttemptAt(now).AddAttempts(-1)
		})
	case errors.Is(err, ErrTokenGone):
		if _, err := w.store.Client.Device.Delete().
			Where(device.ID(dev.ID), device.Token(dev.Token)).Exec(ctx); err != nil {
			return err // the lease runs out, and the next attempt tries again
		}
		w.logger.Info("push token gone; device deleted", "device", dev.ID, "resident", dev.ResidentID)
		return w.fail(ctx, d, err.Error())
	case errors.Is(err, ErrRejected):
		w.logger.Warn("push rejected", "delivery", d.ID, "err", err)
		return w.fail(ctx, d, err.Error())
	case d.Attempts >= w.MaxAttempts:
		w.logger.Warn("push failed; giving up", "delivery", d.ID, "attempts", d.Attempts, "err", err)
		return w.fail(ctx, d, fmt.Sprintf("gave up after %d attempts: %v", d.Attempts, err))
	default:
		return w.record(ctx, d, func(u *ent.PushDeliveryUpdate) {
			u.SetNextAttemptAt(now.Add(Backoff(d.Attempts))).SetLastError(clip(err.Error()))
		})
	}
}

// countAttempt counts an attempt on d that ended with err.
func (w *Worker) countAttempt(ctx context.Context, d *ent.PushDelivery, err error) {
	if w.Attempts == nil {
		return
	}
	result := AttemptRetry
	switch {
	case err == nil:
		result = AttemptSent
	case ctx.Err() != nil:
		result = AttemptCancelled
	case errors.Is(err, ErrTokenGone), errors.Is(err, ErrRejected), d.Attempts >= w.MaxAttempts:
		result = AttemptFailed
	}
	w.Attempts.PushAttempt(result)
}

// fail marks d FAILED because of why.
func (w *Worker) fail(ctx context.Context, d *ent.PushDelivery, why string) error {
	return w.record(ctx, d, func(u *ent.PushDeliveryUpdate) {
		u.SetState(pushdelivery.StateFAILED).SetLastError(clip(why))
	})
}

// record applies set to d if this worker's claim still holds: d is still
// PENDING with the attempts counted at the claim. Otherwise (the lease ran
// out and another worker claimed it again) it changes nothing.
func (w *Worker) record(ctx context.Context, d *ent.PushDelivery, set func(*ent.PushDeliveryUpdate)) error {
	u := w.store.Client.PushDelivery.Update().Where(
		pushdelivery.ID(d.ID),
		pushdelivery.StateEQ(pushdelivery.StatePENDING),
		pushdelivery.Attempts(d.Attempts),
	)
	set(u)
	n, err := u.Save(ctx)
	if err == nil && n == 0 {
		w.logger.Warn("push delivery claimed again before its outcome was recorded (is the lease too short?)", "delivery", d.ID)
	}
	return err
}

// clip shortens s to what last_error holds, on a character boundary.
func clip(s string) string {
	if len(s) <= maxLastError {
		return s
	}
	cut := maxLastError
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
