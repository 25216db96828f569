package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jimei-linli/linli/internal/store"
)

// jwtSecret is the secret the server signs and checks access tokens with;
// the tool mints its tokens with it too.
const jwtSecret = "linli-load-secret-linli-load-secret-0123456789"

// buildLinli builds ./cmd/linli into dir and returns the binary's path.
func buildLinli(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "linli")
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/jimei-linli/linli/cmd/linli").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build linli: %v\n%s", err, out)
	}
	return bin, nil
}

// database is the seeded database the rounds' servers share.
type database struct {
	url      string
	postgres bool
	drop     func()
}

// backend names the database and broker for the report.
func (d database) backend(redisURL string) string {
	b := "sqlite"
	if d.postgres {
		b = "postgres"
	}
	if redisURL != "" {
		b += "+redis"
	}
	return b
}

// env is the environment of the linli processes: the tool's own, with the
// database, the JWT secret, the broker and the Go runtime's GC trace (the
// server's heap and stacks, read from its stderr) set.
func (d database) env(redisURL string) []string {
	godebug := "gctrace=1"
	if g := os.Getenv("GODEBUG"); g != "" {
		godebug = g + "," + godebug
	}
	return append(os.Environ(),
		"LINLI_DATABASE_URL="+d.url,
		"LINLI_JWT_SECRET="+jwtSecret,
		"LINLI_REDIS_URL="+redisURL,
		"LINLI_LOG_LEVEL=info",
		"GODEBUG="+godebug,
	)
}

// prepareDatabase makes the database of the run (a fresh SQLite file in
// dir, or o.database, in a fresh schema when o.freshSchema) and loads the
// demo street into it with the linli binary.
func prepareDatabase(ctx context.Context, o options, bin, dir string, logf func(string, ...any)) (database, error) {
	d := database{url: filepath.Join(dir, "linli.db"), drop: func() {}}
	if o.database != "" {
		if !store.IsPostgres(o.database) {
			return d, fmt.Errorf("-database: want a postgres:// URL (leave it out for SQLite)")
		}
		d.url, d.postgres = o.database, true
		if o.freshSchema {
			name := fmt.Sprintf("linli_load_%d_%d", os.Getpid(), time.Now().Unix())
			u, drop, err := store.CreateSchema(ctx, o.database, name)
			if err != nil {
				return d, err
			}
			logf("working in the new PostgreSQL schema %s", name)
			d.url = u
			d.drop = func() {
				if o.keep {
					return
				}
				if err := drop(); err != nil {
					logf("dropping schema %s: %v", name, err)
				}
			}
		}
	}
	env := d.env("")
	for _, args := range [][]string{{"migrate"}, {"seed", "--demo"}} {
		start := time.Now()
		cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		cmd := exec.CommandContext(cctx, bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			d.drop()
			return d, fmt.Errorf("linli %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		logf("linli %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	}
	return d, nil
}
