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

// TimeAccount is an account of the time bank (時間銀行), in minutes of
// service: one per resident, opened when first used, and one pool per
// community, which pays volunteers when the community's policy says so and
// receives donations and spent credit. Its balance is the sum of its
// ledger entries; only the time bank changes it, together with the entries.
type TimeAccount struct {
	ent.Schema
}

// Mixin of the TimeAccount.
func (TimeAccount) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the TimeAccount.
func (TimeAccount) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("RESIDENT", "POOL").Immutable().
			Comment("RESIDENT: a resident's own account; POOL: a community's pool."),
		field.Int("resident_id").Optional().Nillable().Immutable().
			Comment("The resident who owns it (resident accounts).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("community_id").Optional().Nillable().Immutable().
			Comment("The community whose pool it is (pool accounts).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("balance").Default(0).
			Comment("Minutes on the account: what it earned and received minus what it paid and gave."),
		field.Int("own_credit_limit").Optional().Nillable().
			Comment("Resident accounts: a lowest balance set for this account alone, in minutes (0: no debt; -60: up to an hour of debt); null, as for every account opened by the time bank or the seed, means the street's configured limit (LINLI_TIMEBANK_CREDIT_MINUTES) applies. Pools have no limit: they issue the community's credit.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("help_paid_by").Values("POOL", "REQUESTER").Default("POOL").
			Comment("Pools only: the community's policy for who pays a volunteer's time on a help request, the community pool or the resident helped (the pool pays when the resident's balance cannot)."),
	}
}

// Edges of the TimeAccount.
func (TimeAccount) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("resident", Resident.Type).Field("resident_id").Unique().Immutable().
			Comment("The resident who owns it (resident accounts).").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("community", Community.Type).Field("community_id").Unique().Immutable().
			Comment("The community whose pool it is (pool accounts).").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.From("entries", LedgerEntry.Type).Ref("account").
			Comment("The account's ledger entries; newest first is the statement.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the TimeAccount: one account per resident, one pool per
// community.
func (TimeAccount) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("resident_id").Unique(),
		index.Fields("community_id").Unique(),
	}
}

// Policy of the TimeAccount: see internal/authz.
func (TimeAccount) Policy() ent.Policy { return authz.TimeAccountPolicy() }

// Annotations of the TimeAccount.
func (TimeAccount) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A time-bank account in minutes: a resident's, or a community's pool."),
	}
}
