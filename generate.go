// Package linli is the root of the Linli module. It holds no code of its own:
// it only runs the code generators, entc first and then gqlgen, so that
// `go generate ./...` rebuilds ent/ and graph/ from ent/schema and
// schema.graphql, and last prints the served schema to api/schema.graphql
// (cmd/linli-schema) for app teams' client generators.
package linli

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod github.com/99designs/gqlgen generate
//go:generate go run ./cmd/linli-schema api/schema.graphql
