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
	svc, err := newAuth(cfg, s, nil, nil, time.Now, log)
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
