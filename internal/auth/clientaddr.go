package auth

import "context"

type clientAddrKey struct{}

// WithClientAddr returns ctx carrying the client's network address, which
// rate limits count against.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddr returns the client address in ctx, or "unknown".
func ClientAddr(ctx context.Context) string {
	if a, ok := ctx.Value(clientAddrKey{}).(string); ok && a != "" {
		return a
	}
	return "unknown"
}
