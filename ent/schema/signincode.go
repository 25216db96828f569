package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/jimei-linli/linli/internal/authz"
)

// SignInCode is a one-time code sent to a phone to sign in. Only its HMAC is
// stored; it expires, is used once, and locks after too many wrong tries.
type SignInCode struct {
	ent.Schema
}

// Fields of the SignInCode.
func (SignInCode) Fields() []ent.Field {
	return []ent.Field{
		field.String("phone").NotEmpty().Immutable().
			Comment("The phone the code was sent to, in canonical form."),
		field.String("code_hash").NotEmpty().Immutable().Sensitive().
			Comment("HMAC-SHA256 of the phone and the code, keyed with the server secret."),
		field.Time("created_at").Immutable().
			Comment("When the code was sent."),
		field.Time("expires_at").Immutable().
			Comment("When the code stops working."),
		field.Int("attempts").Default(0).NonNegative().
			Comment("Wrong codes tried against this code."),
		field.Time("consumed_at").Optional().Nillable().
			Comment("When the code was used, or locked after too many wrong tries."),
	}
}

// Indexes of the SignInCode.
func (SignInCode) Indexes() []ent.Index {
	return []ent.Index{index.Fields("phone", "created_at")}
}

// Policy of the SignInCode: see internal/authz.
func (SignInCode) Policy() ent.Policy { return authz.InternalPolicy() }

// Annotations of the SignInCode.
func (SignInCode) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A one-time sign-in code; internal, never in the API."),
		entgql.Skip(entgql.SkipAll),
	}
}
