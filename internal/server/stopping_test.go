package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/jimei-linli/linli/internal/apperr"
)

// TestRequestsAreRefusedOnceStopping: after Stopping closes, /graphql
// answers 503 UNAVAILABLE with Retry-After and closes the connection; the
// health endpoints still answer.
func TestRequestsAreRefusedOnceStopping(t *testing.T) {
	opts, _ := testOptions(t)
	stopping := make(chan struct{})
	opts.Stopping = stopping
	h := New(opts)
	if r := serve(t, h, post(`{"query":"{ __typename }"}`)); r.status != 200 || r.code() != "" {
		t.Fatalf("before stopping: %d %s", r.status, r.raw)
	}
	close(stopping)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, post(`{"query":"{ __typename }"}`))
	r := serve(t, h, post(`{"query":"{ __typename }"}`))
	if r.status != 503 || r.code() != "UNAVAILABLE" || r.Errors[0].Extensions["retryAfter"] != float64(1) {
		t.Errorf("while stopping: %d %s", r.status, r.raw)
	}
	if rec.Header().Get("Retry-After") != "1" || rec.Header().Get("Connection") != "close" {
		t.Errorf("headers %v", rec.Header())
	}
	if r := serve(t, h, httptest.NewRequest("GET", "/healthz", nil)); r.status != 200 {
		t.Errorf("healthz while stopping: %d", r.status)
	}
}

// TestRetryAfterIsPresented: an error that says when to retry carries
// extensions.retryAfter in whole seconds, rounded up.
func TestRetryAfterIsPresented(t *testing.T) {
	p := &presenter{logger: slog.New(slog.DiscardHandler)}
	got := p.present(context.Background(), &apperr.Error{Code: apperr.RateLimited, Message: "slow down", RetryAfter: 1500 * time.Millisecond})
	if got.Extensions["code"] != "RATE_LIMITED" || got.Extensions["retryAfter"] != 2 {
		t.Errorf("extensions %v", got.Extensions)
	}
}

// TestDatabaseOutageIsUnavailable: a query that fails because PostgreSQL is
// down is UNAVAILABLE with retryAfter, not INTERNAL.
func TestDatabaseOutageIsUnavailable(t *testing.T) {
	p := &presenter{logger: slog.New(slog.DiscardHandler)}
	got := p.present(context.Background(), fmt.Errorf("loading grid: %w", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}))
	if got.Extensions["code"] != "UNAVAILABLE" || got.Extensions["retryAfter"] != 2 || strings.Contains(got.Message, "administrator") {
		t.Errorf("presented %q %v", got.Message, got.Extensions)
	}
}
