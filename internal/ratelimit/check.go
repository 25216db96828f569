package ratelimit

import (
	"context"

	"github.com/jimei-linli/linli/internal/apperr"
)

// Check counts one operation under key against limit and, beyond it,
// refuses it with RATE_LIMITED, saying in words when to try again; what
// names the operations in that message ("sign-in attempts from this
// address").
func Check(ctx context.Context, l Limiter, key string, limit Limit, what string) error {
	d, err := l.Allow(ctx, key, limit)
	if err != nil {
		return err
	}
	if !d.Allowed {
		e := apperr.New(apperr.RateLimited, "too many %s; try again in %s", what, apperr.Duration(d.RetryAfter))
		e.RetryAfter = d.RetryAfter
		return e
	}
	return nil
}
