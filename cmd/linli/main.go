// Command linli is Linli's one binary: `linli serve` runs the GraphQL server,
// `linli migrate` brings the database schema up to date, and `linli seed
// --demo` loads the demo street. Run `linli help` for the settings.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "linli:", err)
		os.Exit(1)
	}
}
