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

// AccessRecord records that a member of staff read a sensitive record of
// another resident (a care note or incident, a child's registration, a
// subsidy qualification, personal details): who, what, when and on which
// GraphQL path. internal/accesslog writes them, one per reader, subject,
// kind and record in each response, before the response is sent.
type AccessRecord struct {
	ent.Schema
}

// Fields of the AccessRecord.
func (AccessRecord) Fields() []ent.Field {
	return []ent.Field{
		field.Int("reader_id").Immutable().
			Comment("The member of staff who read the record.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("subject_id").Immutable().
			Comment("The resident the record is about.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("kind").
			Values("CARE_NOTE", "CARE_INCIDENT", "CHILD_RECORD", "SUBSIDY_QUALIFICATION", "PERSONAL_INFO").
			Immutable().
			Comment("What was read: a care note, a care incident, a child's registration by a parent, a subsidy qualification, or personal details (phone, birth date)."),
		field.Int("record_id").Immutable().
			Comment("The ID of the record read.").
			Annotations(entgql.Type("ID")),
		field.String("path").MaxLen(500).Immutable().
			Comment("Where in the API it was read: the GraphQL field path (field names and list positions, no aliases), e.g. node or careBookings.edges.0.node.notes.1."),
		field.Time("at").Immutable().
			Comment("When it was read.").
			Annotations(entgql.OrderField("AT")),
	}
}

// Edges of the AccessRecord.
func (AccessRecord) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("reader", Resident.Type).Field("reader_id").Unique().Required().Immutable().
			Comment("The member of staff who read the record."),
		edge.To("subject", Resident.Type).Field("subject_id").Unique().Required().Immutable().
			Comment("The resident the record is about."),
	}
}

// Indexes of the AccessRecord: a person's accesses and a reader's, newest
// first, and the retention purge by time.
func (AccessRecord) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("subject_id", "at"),
		index.Fields("reader_id", "at"),
		index.Fields("at"),
	}
}

// Policy of the AccessRecord: see internal/authz.
func (AccessRecord) Policy() ent.Policy { return authz.AccessRecordPolicy() }

// Annotations of the AccessRecord.
func (AccessRecord) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A record that a member of staff read a sensitive record of another resident: who, what, when and where in the API."),
		entgql.RelayConnection(),
		entgql.QueryField("accessRecords").Description("The access log, for auditors (street admins): who read whose sensitive records, filtered by reader or subject (hasReaderWith, hasSubjectWith). Others see only the entries about themselves and their dependents."),
	}
}
