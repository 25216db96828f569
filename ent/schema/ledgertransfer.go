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

// LedgerTransfer is one posting of the time bank: minutes moved from one
// account to another, written with its two entries (a debit and a credit
// that sum to zero) in one transaction. Postings are never changed; a
// correction or a refund is a new posting that reverses an earlier one.
type LedgerTransfer struct {
	ent.Schema
}

// Fields of the LedgerTransfer.
func (LedgerTransfer) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").NotEmpty().MaxLen(200).Immutable().
			Comment("The idempotency key of the operation that posted it: the same key posts once.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("kind").
			Values("TRANSFER", "DONATION", "HELP", "TASK", "SPEND", "REFUND", "CORRECTION", "GRANT").
			Immutable().
			Comment("Why minutes moved: a resident's transfer, a donation to the pool, pay for a help request or a volunteer task, credit spent on a service, its refund, a correction, or a grant from the pool."),
		field.Int("from_account_id").Immutable().
			Comment("The account debited.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("to_account_id").Immutable().
			Comment("The account credited.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("minutes").Positive().Immutable().
			Comment("How many minutes moved."),
		field.String("memo").MaxLen(500).Default("").Immutable().
			Comment("What it was for, as statements show it."),
		field.Int("subject_id").Optional().Nillable().Immutable().
			Comment("The help request, task, order or booking it pays for, if any.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("reverses_id").Optional().Nillable().Immutable().
			Comment("The posting this one reverses (a refund or a correction).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("created_by_id").Optional().Nillable().Immutable().
			Comment("The resident whose action posted it; null for postings of the system (completions).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("created_at").Immutable().
			Comment("When it was posted.").
			Annotations(entgql.OrderField("CREATED_AT")),
	}
}

// Edges of the LedgerTransfer.
func (LedgerTransfer) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("from_account", TimeAccount.Type).Field("from_account_id").Unique().Required().Immutable().
			Comment("The account debited.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("to_account", TimeAccount.Type).Field("to_account_id").Unique().Required().Immutable().
			Comment("The account credited.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("entries", LedgerEntry.Type).Ref("transfer").
			Comment("Its two entries.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the LedgerTransfer: a key posts once, a posting is reversed
// at most once.
func (LedgerTransfer) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("key").Unique(),
		index.Fields("reverses_id").Unique(),
	}
}

// Policy of the LedgerTransfer: see internal/authz.
func (LedgerTransfer) Policy() ent.Policy { return authz.LedgerTransferPolicy() }

// Annotations of the LedgerTransfer.
func (LedgerTransfer) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A posting of the time bank: minutes moved from one account to another."),
	}
}
