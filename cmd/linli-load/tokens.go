package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/auth"
	"github.com/jimei-linli/linli/internal/ratelimit"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// tokenTTL is the lifetime of the minted access tokens. The server closes
// a websocket when its token expires; three hours outlast any run.
const tokenTTL = 3 * time.Hour

// tokens are the access tokens of a run.
type tokens struct {
	// subscribers holds one token per resident: residents of the demo
	// street who have a phone and live in a grid, in ID order.
	subscribers []string
	// admin is the street admin's (seed.PhoneStreetAdmin).
	admin string
}

// mintTokens opens a session for each of the first n residents of the
// street who have a phone and live in a grid, and one for the street admin,
// through auth.Service.TokenFor with the server's secret and the issuer
// and audience cmd/linli uses.
func mintTokens(ctx context.Context, databaseURL string, n int) (tokens, error) {
	var t tokens
	s, err := store.Open(ctx, databaseURL)
	if err != nil {
		return t, err
	}
	defer s.Close()
	signer, err := auth.NewTokens([]byte(jwtSecret), "linli", "linli-app", tokenTTL, nil)
	if err != nil {
		return t, err
	}
	svc, err := auth.NewService(auth.Config{
		Client: s.Client, Tokens: signer, Sender: auth.LogSender{Logger: slog.New(slog.DiscardHandler)},
		Limiter: ratelimit.NewMemory(nil), Policy: auth.DefaultPolicy, Secret: []byte(jwtSecret),
	})
	if err != nil {
		return t, err
	}
	sys := viewer.SystemContext(ctx)
	phones, err := s.Client.PersonalInfo.Query().
		Where(personalinfo.PhoneNotNil(), personalinfo.PhoneNEQ(""),
			personalinfo.HasResidentWith(resident.DeletedAtIsNil(), resident.HasGrid())).
		Order(ent.Asc(personalinfo.FieldResidentID)).
		Limit(n).
		Select(personalinfo.FieldPhone).
		Strings(sys)
	if err != nil {
		return t, fmt.Errorf("residents with phones: %w", err)
	}
	if len(phones) == 0 {
		return t, fmt.Errorf("no resident with a phone and a grid: is the demo street loaded?")
	}
	if t.admin, err = svc.TokenFor(ctx, seed.PhoneStreetAdmin); err != nil {
		return t, fmt.Errorf("street admin token: %w", err)
	}
	t.subscribers = make([]string, len(phones))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, p := range phones {
		g.Go(func() error {
			tok, err := svc.TokenFor(gctx, p)
			if err != nil {
				return fmt.Errorf("token for %s: %w", p, err)
			}
			t.subscribers[i] = tok
			return nil
		})
	}
	return t, g.Wait()
}
