package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"github.com/jimei-linli/linli/internal/authz"
)

// Department is a government department or co-building unit (共建單位) that
// receives requests a grid escalates to it (網格呼叫、部門報到).
type Department struct {
	ent.Schema
}

// Mixin of the Department.
func (Department) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Department.
func (Department) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").
			NotEmpty().MaxLen(32).Unique().Immutable().
			Comment("Stable short code of the department, e.g. `urban-management`.").
			Annotations(entgql.OrderField("CODE")),
		field.String("name").
			NotEmpty().MaxLen(100).
			Comment("Display name, e.g. 城市管理執法中隊.").
			Annotations(entgql.OrderField("NAME")),
		field.Enum("kind").
			NamedValues(
				"Government", "GOVERNMENT",
				"CoBuildingUnit", "CO_BUILDING_UNIT",
			).
			Default("GOVERNMENT").
			Comment("A government department, or a co-building unit (共建單位) such as a college or a company.").
			Annotations(entgql.OrderField("KIND")),
		field.String("description").
			MaxLen(1000).Default("").
			Comment("What the department handles."),
		field.Int("street_id").
			Immutable().
			Comment("The street the department serves.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Department.
func (Department) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("street", Street.Type).
			Ref("departments").Field("street_id").Unique().Required().Immutable().
			Comment("The street the department serves."),
		edge.To("requests", Request.Type).
			Comment("Requests grids called the department to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("staff", RoleAssignment.Type).
			Comment("The department's staff.").
			Annotations(entgql.RelayConnection(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Policy of the Department: see internal/authz.
func (Department) Policy() ent.Policy { return authz.PublicPolicy() }

// Annotations of the Department.
func (Department) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A government department or co-building unit (共建單位) that receives requests escalated by grids."),
		entgql.RelayConnection(),
		entgql.QueryField(),
	}
}
