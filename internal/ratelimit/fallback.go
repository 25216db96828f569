package ratelimit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// Fallback counts in Primary (Redis, shared by the instances) and, while
// Primary fails (Redis down), in Secondary (this instance's memory), so
// that residents can still sign in during a Redis outage. The limits then
// hold per instance: with N instances a key gets at most N times its
// limit until Redis is back, and counts made meanwhile are not carried
// over.
type Fallback struct {
	Primary, Secondary Limiter
	// Logger hears of the switch (at most once a minute).
	Logger *slog.Logger

	lastLogged atomic.Int64 // unix nanoseconds
}

// Allow implements Limiter.
func (f *Fallback) Allow(ctx context.Context, key string, limit Limit) (Decision, error) {
	d, err := f.Primary.Allow(ctx, key, limit)
	if err == nil || ctx.Err() != nil {
		return d, err
	}
	if now := time.Now().UnixNano(); f.Logger != nil && now-f.lastLogged.Load() > int64(time.Minute) {
		f.lastLogged.Store(now)
		f.Logger.Warn("rate limits fall back to this instance's own counts", "err", err)
	}
	return f.Secondary.Allow(ctx, key, limit)
}
