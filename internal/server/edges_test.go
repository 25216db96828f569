package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jimei-linli/linli/internal/apperr"
)

// corsRequest returns a request to /graphql from origin: a preflight for a
// POST with an Authorization header, or the POST itself.
func corsRequest(origin string, preflight bool) *http.Request {
	req := postQuery("{ __typename }", nil)
	if preflight {
		req = httptest.NewRequest(http.MethodOptions, "/graphql", nil)
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
	}
	req.Header.Set("Origin", origin)
	return req
}

// TestCORS: the origins LINLI_ALLOWED_ORIGINS matches get their preflights
// answered and may read answers; every other origin gets no
// Access-Control-Allow-Origin, preflight or not, and neither does any
// origin when none is configured.
func TestCORS(t *testing.T) {
	opts, _ := testOptions(t)
	opts.AllowedOrigins = []string{"https://h5.jimei.example.cn", "*.linli.example.cn"}
	h := New(opts)
	none, _ := testOptions(t)
	unconfigured := New(none)
	for _, tc := range []struct {
		name    string
		h       http.Handler
		origin  string
		allowed bool
	}{
		{"listed scheme and host", h, "https://h5.jimei.example.cn", true},
		{"host pattern", h, "https://app.linli.example.cn", true},
		{"host pattern, other scheme", h, "http://app.linli.example.cn:8080", false},
		{"listed host over http", h, "http://h5.jimei.example.cn", false},
		{"another site", h, "https://evil.example.com", false},
		{"a suffix trick", h, "https://linli.example.cn.evil.com", false},
		{"null origin", h, "null", false},
		{"nothing configured", unconfigured, "https://h5.jimei.example.cn", false},
	} {
		for _, preflight := range []bool{true, false} {
			rec := httptest.NewRecorder()
			tc.h.ServeHTTP(rec, corsRequest(tc.origin, preflight))
			got := rec.Header().Get("Access-Control-Allow-Origin")
			switch {
			case tc.allowed && got != tc.origin:
				t.Errorf("%s (preflight %v): Access-Control-Allow-Origin %q, want %q", tc.name, preflight, got, tc.origin)
			case !tc.allowed && got != "":
				t.Errorf("%s (preflight %v): Access-Control-Allow-Origin %q, want none", tc.name, preflight, got)
			}
			if rec.Header().Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("%s: credentials allowed; tokens travel in headers, not cookies", tc.name)
			}
			if !preflight {
				if rec.Code != http.StatusOK {
					t.Errorf("%s: POST answered %d", tc.name, rec.Code)
				}
				continue
			}
			if rec.Code != http.StatusNoContent {
				t.Errorf("%s: preflight answered %d, want 204", tc.name, rec.Code)
			}
			methods, headers := rec.Header().Get("Access-Control-Allow-Methods"), strings.ToLower(rec.Header().Get("Access-Control-Allow-Headers"))
			if tc.allowed && (!strings.Contains(methods, "POST") || !strings.Contains(headers, "authorization") || !strings.Contains(headers, "content-type")) {
				t.Errorf("%s: preflight allows methods %q, headers %q", tc.name, methods, headers)
			}
			if !tc.allowed && (methods != "" || headers != "") {
				t.Errorf("%s: refused preflight still allows methods %q, headers %q", tc.name, methods, headers)
			}
		}
	}
	// A preflight for a method the API does not serve is refused.
	req := corsRequest("https://h5.jimei.example.cn", true)
	req.Header.Set("Access-Control-Request-Method", http.MethodDelete)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("a DELETE preflight is allowed for %q", got)
	}
	// Without an Origin (native apps, curl) OPTIONS still lists the methods.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodOptions, "/graphql", nil))
	if rec.Code != http.StatusNoContent || !strings.Contains(rec.Header().Get("Allow"), "POST") {
		t.Errorf("plain OPTIONS: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

// TestAPIHeadersOnEveryResponse: every answer of the API, data or error,
// GET or POST, before or after execution, may not be cached and is read
// only as what it declares.
func TestAPIHeadersOnEveryResponse(t *testing.T) {
	opts, _ := testOptions(t)
	opts.Authenticate = func(r *http.Request) (context.Context, error) {
		if r.Header.Get("Authorization") == "Bearer bad" {
			return nil, apperr.New(apperr.Unauthenticated, "bad token")
		}
		return r.Context(), nil
	}
	h := New(opts)
	badToken := postQuery("{ __typename }", nil)
	badToken.Header.Set("Authorization", "Bearer bad")
	text := post(`{}`)
	text.Header.Set("Content-Type", "text/plain")
	for name, req := range map[string]*http.Request{
		"POST data":         postQuery("{ __typename }", nil),
		"GET data":          get(url.Values{"query": {"{ __typename }"}}),
		"POST bad JSON":     post(`{"query":`),
		"POST bad query":    postQuery("{ nope }", nil),
		"GET mutation":      get(url.Values{"query": {"mutation { __typename }"}}),
		"wrong media type":  text,
		"bad token":         badToken,
		"wrong method":      httptest.NewRequest(http.MethodPut, "/graphql", nil),
		"OPTIONS":           httptest.NewRequest(http.MethodOptions, "/graphql", nil),
		"resolver error":    postQuery(`{ node(id: "garbage") { id } }`, nil),
		"healthz":           httptest.NewRequest(http.MethodGet, "/healthz", nil),
		"readyz":            httptest.NewRequest(http.MethodGet, "/readyz", nil),
		"cross-origin POST": corsRequest("https://evil.example.com", false),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for header, want := range map[string]string{
			"Cache-Control":           "no-store",
			"X-Content-Type-Options":  "nosniff",
			"Content-Security-Policy": apiCSP,
		} {
			if got := rec.Header().Get(header); got != want {
				t.Errorf("%s (%d): %s %q, want %q", name, rec.Code, header, got, want)
			}
		}
	}
}

// TestClientAddress: X-Forwarded-For names the client only when the peer
// is a trusted proxy, and then its rightmost untrusted hop; otherwise the
// peer is the client, whatever the header says.
func TestClientAddress(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.10/32"), netip.MustParsePrefix("fd00::/8")}
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{"no proxies trusted: the header is ignored", nil, "10.1.2.3:5000", []string{"203.0.113.7"}, "10.1.2.3"},
		{"untrusted peer: the header is ignored", trusted, "198.51.100.9:5000", []string{"203.0.113.7"}, "198.51.100.9"},
		{"trusted peer without a header", trusted, "10.1.2.3:5000", nil, "10.1.2.3"},
		{"trusted peer", trusted, "10.1.2.3:5000", []string{"203.0.113.7"}, "203.0.113.7"},
		{"a single trusted address", trusted, "192.168.1.10:5000", []string{"203.0.113.7"}, "203.0.113.7"},
		{"a client-written hop is skipped", trusted, "10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.7"}, "203.0.113.7"},
		{"two proxies", trusted, "10.1.2.3:5000", []string{"203.0.113.7, 10.9.9.9"}, "203.0.113.7"},
		{"two headers", trusted, "10.1.2.3:5000", []string{"1.1.1.1", "203.0.113.7"}, "203.0.113.7"},
		{"all hops trusted", trusted, "10.1.2.3:5000", []string{"10.4.4.4, 10.9.9.9"}, "10.4.4.4"},
		{"garbage stops the walk", trusted, "10.1.2.3:5000", []string{"203.0.113.7, not-an-ip, 10.9.9.9"}, "10.9.9.9"},
		{"IPv6", trusted, "[fd00::1]:5000", []string{"2001:db8::7"}, "2001:db8::7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts, _ := testOptions(t)
			opts.TrustedProxies = tc.trusted
			var mu sync.Mutex
			var seen string
			opts.Authenticate = func(r *http.Request) (context.Context, error) {
				mu.Lock()
				defer mu.Unlock()
				seen = r.RemoteAddr
				return r.Context(), nil
			}
			req := postQuery("{ __typename }", nil)
			req.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if r := serve(t, New(opts), req); r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			host := seen
			if a, err := netip.ParseAddrPort(seen); err == nil {
				host = a.Addr().String()
			}
			if host != tc.want {
				t.Errorf("client address %q, want %s", seen, tc.want)
			}
		})
	}
}
