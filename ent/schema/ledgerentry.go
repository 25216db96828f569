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

// LedgerEntry is one side of a posting: the minutes one account gained
// (positive) or lost (negative), and its balance after. The entries of a
// posting sum to zero, so the balances of all accounts sum to zero.
type LedgerEntry struct {
	ent.Schema
}

// Fields of the LedgerEntry.
func (LedgerEntry) Fields() []ent.Field {
	return []ent.Field{
		field.Int("transfer_id").Immutable().
			Comment("The posting it belongs to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("account_id").Immutable().
			Comment("The account it changes.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("minutes").Immutable().
			Comment("Minutes gained (positive) or lost (negative)."),
		field.Int("balance_after").Immutable().
			Comment("The account's balance right after this entry."),
		field.Time("created_at").Immutable().
			Comment("When it was posted."),
	}
}

// Edges of the LedgerEntry.
func (LedgerEntry) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("transfer", LedgerTransfer.Type).Field("transfer_id").Unique().Required().Immutable().
			Comment("The posting it belongs to: kind, memo and the other account.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("account", TimeAccount.Type).Field("account_id").Unique().Required().Immutable().
			Comment("The account it changes.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the LedgerEntry: a statement reads one account's entries by
// ID, newest first.
func (LedgerEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "id"),
		index.Fields("transfer_id"),
	}
}

// Policy of the LedgerEntry: see internal/authz.
func (LedgerEntry) Policy() ent.Policy { return authz.LedgerEntryPolicy() }

// Annotations of the LedgerEntry.
func (LedgerEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("One side of a time-bank posting: the minutes an account gained or lost."),
		entgql.RelayConnection(),
	}
}
