package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/jimei-linli/linli/internal/config"
)

// commands are linli's subcommands.
var commands = map[string]func(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error{
	"serve":   serve,
	"migrate": migrate,
	"seed":    seedCommand,
	"backup":  backupCommand,
}

// run is the whole program: it parses args (the subcommand and its flags) and
// the environment read through getenv, writes its output and logs to stdout,
// and returns when the command is done or ctx is cancelled. Tests call it to
// boot the real server.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return nil
	}
	if args[0] == "token" {
		var p string
		cfg, rest, err := config.Load(args[0], args[1:], getenv, func(fs *flag.FlagSet) {
			fs.StringVar(&p, "phone", "", "the phone of the resident to sign a token for")
		})
		if err != nil {
			return err
		}
		return tokenCommand(ctx, cfg, p, rest, stdout)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		usage(stdout)
		return fmt.Errorf("unknown command %q", args[0])
	}
	cfg, rest, err := config.Load(args[0], args[1:], getenv)
	if errors.Is(err, flag.ErrHelp) {
		usage(stdout)
		return nil
	}
	if err != nil {
		return err
	}
	return cmd(ctx, cfg, rest, stdout)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Linli: the GraphQL backend for neighborhood apps.

Usage:
  linli serve [--demo] [flags]   run the GraphQL server (GraphiQL on / in development)
  linli migrate [flags]          bring the database schema up to date
  linli seed --demo [flags]      load the deterministic demo street (idempotent)
  linli token --phone P [flags]  print a fresh access token for the resident with phone P
  linli backup PATH [flags]      write an online, consistent copy of the SQLite database to PATH

Every flag has a LINLI_* environment variable; a flag wins over the variable.
`)
	config.Usage(w)
}

// newLogger returns the logger for cfg: text in development, JSON in production.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Production() {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
