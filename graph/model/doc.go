// Package model holds the GraphQL types of schema.graphql that are not ent
// entities; gqlgen generates them into models_gen.go.
package model
