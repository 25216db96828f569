package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// withClientAddr sets each request's RemoteAddr to the client's address, on
// which rate limits count: the TCP peer, unless the peer is one of the
// trusted proxies (load balancers), in which case the rightmost address of
// X-Forwarded-For that is not itself a trusted proxy. An untrusted peer's
// X-Forwarded-For is ignored, so a client cannot choose its address. No
// trusted proxies means the peer, always.
func withClientAddr(trusted []netip.Prefix, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if addr, ok := forwardedClient(trusted, r); ok {
			r2 := *r
			r2.RemoteAddr = net.JoinHostPort(addr.String(), "0")
			r = &r2
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedClient returns the client address that X-Forwarded-For gives for
// r when r's peer is trusted, walking the hops from the right (the nearest)
// and stopping at the first untrusted one. When every hop is trusted, the
// leftmost is the client. A malformed hop ends the walk: the client is then
// the hop after it, the last one a trusted proxy vouched for.
func forwardedClient(trusted []netip.Prefix, r *http.Request) (netip.Addr, bool) {
	peer, ok := parseAddr(r.RemoteAddr)
	if !ok || !isTrusted(trusted, peer) {
		return netip.Addr{}, false
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		addr, ok := parseAddr(strings.TrimSpace(hops[i]))
		if !ok {
			break
		}
		client = addr
		if !isTrusted(trusted, addr) {
			break
		}
	}
	return client, client != peer
}

// parseAddr parses an address with or without a port ("1.2.3.4",
// "[::1]:80"), unmapping IPv4-in-IPv6 and dropping any zone.
func parseAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// isTrusted reports whether addr is within one of the trusted prefixes.
func isTrusted(trusted []netip.Prefix, addr netip.Addr) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
