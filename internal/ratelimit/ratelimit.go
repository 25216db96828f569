// Package ratelimit counts operations per key in fixed time windows, in
// process or, when several instances share the work, in Redis. Callers ask
// once per operation (not per HTTP request), so aliases and batches count.
package ratelimit

import (
	"context"
	"time"
)

// Limit is at most Max operations per Window.
type Limit struct {
	Max    int
	Window time.Duration
}

// Decision is the answer to one Allow call.
type Decision struct {
	// Allowed reports whether the operation may go ahead.
	Allowed bool
	// Count is the number of operations in the current window, this one included.
	Count int
	// RetryAfter is how long until the window resets.
	RetryAfter time.Duration
}

// Limiter counts operations against limits.
type Limiter interface {
	// Allow counts one operation for key under limit and says whether it is
	// within the limit. Operations refused still count.
	Allow(ctx context.Context, key string, limit Limit) (Decision, error)
}
