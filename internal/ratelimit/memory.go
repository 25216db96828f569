package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Memory is a Limiter for one process.
type Memory struct {
	now func() time.Time

	mu      sync.Mutex
	windows map[string]*window
	sweep   time.Time
}

type window struct {
	count int
	ends  time.Time
}

// NewMemory returns an in-process limiter; now is its clock (nil for time.Now).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, windows: map[string]*window{}}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, limit Limit) (Decision, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweepExpired(now)
	w, ok := m.windows[key]
	if !ok || !now.Before(w.ends) {
		w = &window{ends: now.Add(limit.Window)}
		m.windows[key] = w
	}
	w.count++
	return Decision{Allowed: w.count <= limit.Max, Count: w.count, RetryAfter: w.ends.Sub(now)}, nil
}

// sweepExpired drops finished windows at most once a minute, so the map
// does not grow with every key ever seen.
func (m *Memory) sweepExpired(now time.Time) {
	if now.Before(m.sweep) {
		return
	}
	m.sweep = now.Add(time.Minute)
	for k, w := range m.windows {
		if !now.Before(w.ends) {
			delete(m.windows, k)
		}
	}
}
