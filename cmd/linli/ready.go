package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/redis/go-redis/v9"

	"github.com/jimei-linli/linli/internal/store"
)

// errDraining is /readyz's cause while the instance drains after SIGTERM.
var errDraining = errors.New("draining: shutting down")

// readiness is the instance's readiness probe: the database answers, Redis
// too when it is configured, and the instance is not draining.
type readiness struct {
	store    *store.Store
	redis    *redis.Client // nil: not configured
	draining atomic.Bool
}

// check implements server.Options.Ready.
func (r *readiness) check(ctx context.Context) error {
	if r.draining.Load() {
		return errDraining
	}
	if err := r.store.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if r.redis != nil {
		if err := r.redis.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("redis: %w", err)
		}
	}
	return nil
}
