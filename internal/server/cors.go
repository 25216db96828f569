package server

import (
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/rs/cors"
)

// corsMaxAge is how long, in seconds, a browser may keep a preflight's
// answer.
const corsMaxAge = 600

// withCORS answers cross-origin requests to the API (preflights and actual
// requests) for the origins that Options.AllowedOrigins matches, and for
// nothing else: a browser page on any other origin gets no
// Access-Control-Allow-Origin, so it cannot read an answer. Credentials are
// bearer tokens in the Authorization header, never cookies, so no
// Access-Control-Allow-Credentials is sent. Requests without an Origin
// (native apps) and same-origin requests need no CORS and pass unchanged.
func withCORS(patterns []string, next http.Handler) http.Handler {
	c := cors.New(cors.Options{
		AllowOriginFunc: func(origin string) bool { return matchOrigin(patterns, origin) },
		AllowedMethods:  []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:  []string{"Authorization", "Content-Type", "Accept", requestIDHeader},
		ExposedHeaders:  []string{requestIDHeader},
		MaxAge:          corsMaxAge,
	})
	return c.Handler(next)
}

// matchOrigin reports whether the browser origin (scheme://host[:port])
// matches one of patterns: host patterns ("app.example.com",
// "*.example.com") match its host, scheme://host patterns its scheme and
// host, in path.Match syntax and case-insensitively. A malformed origin
// matches nothing.
func matchOrigin(patterns []string, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	for _, p := range patterns {
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(target)); ok {
			return true
		}
	}
	return false
}
