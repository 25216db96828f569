package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jimei-linli/linli/internal/config"
	"github.com/jimei-linli/linli/internal/phone"
)

// tokenCommand prints a fresh access token for the resident who signs in
// with --phone, signed with the configured secret (`linli token --phone P`),
// for operators and load tests.
func tokenCommand(ctx context.Context, cfg config.Config, tokenPhone string, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("token: unexpected arguments %q", args)
	}
	if tokenPhone == "" {
		return errors.New("token: pass --phone, e.g. linli token --phone 13900000001")
	}
	p, err := phone.Normalize(tokenPhone)
	if err != nil {
		return err
	}
	log := newLogger(cfg, io.Discard)
	s, err := openDatabase(ctx, cfg, log, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer s.Close()
	// Signing a token needs the secret and the database, nothing else: no
	// code is ever sent, so the SMS gateway production requires for serve
	// is not needed here.
	svc, err := newAuthWith(cfg, noCodes{}, s, nil, nil, time.Now, log)
	if err != nil {
		return err
	}
	token, err := svc.TokenFor(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}

// noCodes is the code sender of `linli token`, which sends none.
type noCodes struct{}

// SendCode implements auth.CodeSender: it always fails.
func (noCodes) SendCode(context.Context, string, string, time.Time) error {
	return errors.New("linli token sends no sign-in codes")
}
