package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/jimei-linli/linli/internal/authz"
)

// Session is one refresh token. Tokens of one sign-in form a family: each
// use rotates the token (the old one is marked rotated, a new one joins the
// family), and presenting a rotated token revokes the whole family
// (RFC 9700 §4.14.2). Only the token's SHA-256 is stored.
type Session struct {
	ent.Schema
}

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.String("family_id").NotEmpty().Immutable().
			Comment("The sign-in this token belongs to; access tokens carry it as `sid`."),
		field.String("token_hash").NotEmpty().Unique().Immutable().Sensitive().
			Comment("SHA-256 of the refresh token."),
		field.Int("resident_id").Immutable().
			Comment("Who signed in."),
		field.Time("created_at").Immutable().
			Comment("When the token was issued."),
		field.Time("expires_at").Immutable().
			Comment("When the token stops working if it is not used."),
		field.Time("rotated_at").Optional().Nillable().
			Comment("When the token was exchanged for a new one."),
		field.Time("revoked_at").Optional().Nillable().
			Comment("When the token was revoked (sign-out, reuse detected)."),
	}
}

// Edges of the Session.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("resident", Resident.Type).
			Ref("sessions").Field("resident_id").Unique().Required().Immutable().
			Comment("Who signed in."),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("family_id"),
		index.Fields("resident_id"),
	}
}

// Policy of the Session: see internal/authz.
func (Session) Policy() ent.Policy { return authz.InternalPolicy() }

// Annotations of the Session.
func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A refresh token of a sign-in session; internal, never in the API."),
		entgql.Skip(entgql.SkipAll),
	}
}
