package auth

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/jimei-linli/linli/internal/viewer"
)

// Authenticate is the server's hook for a GraphQL request: it records the
// client address (for rate limits) and, when the request carries
// `Authorization: Bearer <access token>`, the viewer. No header means an
// anonymous request; a header with a bad token is UNAUTHENTICATED.
func (s *Service) Authenticate(r *http.Request) (context.Context, error) {
	ctx := WithClientAddr(r.Context(), remoteHost(r.RemoteAddr))
	h := r.Header.Get("Authorization")
	if h == "" {
		return ctx, nil
	}
	// The scheme is case-insensitive (RFC 9110 §11.1).
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, ErrUnauthenticated
	}
	v, err := s.Viewer(ctx, strings.TrimSpace(token))
	if err != nil {
		return nil, err
	}
	return viewer.NewContext(ctx, v), nil
}

// remoteHost returns the host part of a "host:port" address.
func remoteHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
