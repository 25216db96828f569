package ent

import "github.com/jimei-linli/linli/internal/cursor"

// unmarshalCursor decodes a cursor argument as the GraphQL Cursor scalar
// does (internal/cursor), for gql_collection.go: when a query pages an edge
// inside a node (grid.residents(after: …)), the edge is loaded with its
// parent and its arguments read there. entc.go puts this call in place of
// entgql's Cursor.UnmarshalGQL, which reads only entgql's own encoding.
func unmarshalCursor(c *Cursor, v any) error {
	d, err := cursor.UnmarshalCursor(v)
	if err != nil {
		return err
	}
	*c = d
	return nil
}
