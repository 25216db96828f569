package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// readyTimeout is how long /readyz waits for Options.Ready.
var readyTimeout = 2 * time.Second

// healthz answers 200 "ok" while the process serves HTTP; it checks nothing
// else, so that a database outage does not get the process restarted.
func healthz(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, "ok")
}

// readyz answers 200 "ready" when ready succeeds within readyTimeout (nil
// means always ready), else 503 "not ready"; the cause is logged, not sent.
func readyz(ready func(context.Context) error, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			defer cancel()
			if err := ready(ctx); err != nil {
				logger.WarnContext(ctx, "not ready", "error", err.Error())
				writeText(w, http.StatusServiceUnavailable, "not ready")
				return
			}
		}
		writeText(w, http.StatusOK, "ready")
	})
}

// writeText writes a short plain-text response that caches must not keep.
func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body + "\n"))
}
