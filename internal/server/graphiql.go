package server

import (
	"net/http"

	"github.com/99designs/gqlgen/graphql/playground"
)

// graphiql serves GraphiQL, pointed at endpoint. It loads its scripts from a
// CDN (with subresource integrity) and is mounted in development only.
func graphiql(endpoint string) http.Handler {
	return playground.Handler("Linli GraphiQL", endpoint)
}
