package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/jimei-linli/linli/internal/apperr"
)

// stoppingRetryAfter is what a request refused during shutdown is told: the
// load balancer has another instance (or this one's successor) by then.
const stoppingRetryAfter = time.Second

// refuseWhenStopping answers every request that arrives once stopping has
// closed with 503, Retry-After and a GraphQL error UNAVAILABLE, and closes
// its connection, so that nothing new starts on an instance that is going
// away; next serves the others. A nil stopping never refuses.
func refuseWhenStopping(stopping <-chan struct{}, next http.Handler) http.Handler {
	if stopping == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stopping:
		default:
			next.ServeHTTP(w, r)
			return
		}
		seconds := retryAfterSeconds(stoppingRetryAfter)
		w.Header().Set("Connection", "close")
		w.Header().Set("Retry-After", strconv.Itoa(seconds))
		writeJSON(w, r, http.StatusServiceUnavailable, errorResponse{Errors: gqlerror.List{{
			Message:    "the server is restarting; try again",
			Extensions: map[string]any{"code": string(apperr.Unavailable), "retryAfter": seconds},
		}}})
	})
}

// retryAfterSeconds is d in whole seconds, rounded up (at least 1).
func retryAfterSeconds(d time.Duration) int {
	return max(int((d+time.Second-1)/time.Second), 1)
}
