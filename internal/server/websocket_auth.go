package server

import (
	"context"
	"strings"
	"time"

	"github.com/jimei-linli/linli/internal/apperr"
)

// errInitToken answers a connection_init payload whose token is not a
// string or whose authorization is not a bearer token.
var errInitToken = apperr.New(apperr.Unauthenticated,
	`connection_init must carry the access token as {"authorization": "Bearer <token>"} or {"token": "<token>"}`)

// InitToken returns the access token that a websocket's connection_init
// payload carries, as {"authorization": "Bearer <token>"},
// {"Authorization": "Bearer <token>"} or {"token": "<token>"} (looked up in
// that order), or "" when it carries none (no key, null or ""). A value
// that is not a string, or an authorization that is not a bearer token, is
// an UNAUTHENTICATED error.
func InitToken(payload map[string]any) (string, error) {
	for _, key := range []string{"authorization", "Authorization", "token"} {
		v, ok := payload[key]
		if !ok || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return "", errInitToken
		}
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if key == "token" {
			return s, nil
		}
		scheme, token, _ := strings.Cut(s, " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			return "", errInitToken
		}
		return token, nil
	}
	return "", nil
}

// AuthenticateInitToken builds an Options.AuthenticateInit from a check of
// an access token: check gets the token InitToken finds in the payload and
// returns the context operations run with (derived from ctx) and when the
// token expires. A payload without a token is anonymous: ctx, unchanged,
// with no expiry.
func AuthenticateInitToken(check func(ctx context.Context, token string) (context.Context, time.Time, error)) func(ctx context.Context, payload map[string]any) (context.Context, time.Time, error) {
	return func(ctx context.Context, payload map[string]any) (context.Context, time.Time, error) {
		token, err := InitToken(payload)
		if err != nil {
			return nil, time.Time{}, err
		}
		if token == "" {
			return ctx, time.Time{}, nil
		}
		return check(ctx, token)
	}
}
