package server

import "net/http"

// apiCSP is the Content-Security-Policy of API responses: they are JSON or
// event streams, never pages, so nothing may load, run or frame them.
const apiCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// withAPIHeaders sets, on every response of next (answers, errors, and
// refusals alike), the headers that keep personal data out of caches and
// stop browsers from reading a response as anything but its declared type.
// They are set before next runs, so a handler that writes early still
// carries them.
func withAPIHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", apiCSP)
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}
