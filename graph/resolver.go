// Package graph holds Linli's GraphQL resolvers. They are thin: each turns a
// GraphQL field into one call of ent or of an internal/<capability> package.
// The executable schema gqlgen generates lives in graph/generated.
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/graph/generated"
)

// Resolver is the root resolver; it holds what resolvers call into.
type Resolver struct {
	client *ent.Client
}

// NewSchema returns the executable GraphQL schema backed by client.
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{
		Resolvers: &Resolver{client: client},
	})
}
