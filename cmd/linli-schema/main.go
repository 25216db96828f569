// Command linli-schema writes the complete GraphQL schema Linli serves
// (graph.SDL) to the file named by its argument; `go generate ./...` runs it
// to keep api/schema.graphql in step with the schema.
package main

import (
	"fmt"
	"os"

	"github.com/jimei-linli/linli/graph"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: linli-schema PATH")
		os.Exit(2)
	}
	if err := os.WriteFile(os.Args[1], graph.SDL(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "linli-schema:", err)
		os.Exit(1)
	}
}
