package schema

import (
	"context"
	"fmt"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"slices"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// RoleAssignment records that a resident holds a role in one scope: a grid, a
// community, the street or a department. A role and its scope never change;
// a change of role is a revoke and a new assignment.
type RoleAssignment struct {
	ent.Schema
}

// Mixin of the RoleAssignment.
func (RoleAssignment) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the RoleAssignment.
func (RoleAssignment) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("role").
			Values(
				"GRID_LEADER", "GRID_WORKER", "SAFETY_INFORMANT", "RED_STEWARD",
				"VOLUNTEER", "CAREGIVER", "CANTEEN_STAFF", "COMMUNITY_ADMIN",
				"STREET_ADMIN", "DEPARTMENT_STAFF",
			).
			Immutable().
			Comment("The role held.").
			Annotations(entgql.OrderField("ROLE")),
		field.String("title").
			MaxLen(100).Default("").
			Comment("Optional job title shown with the role, e.g. 網格長 or 黨支部書記."),
		field.Int("resident_id").Immutable().
			Comment("Who holds the role.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("grid_id").Optional().Nillable().Immutable().
			Comment("The grid, for grid roles.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("community_id").Optional().Nillable().Immutable().
			Comment("The community, for community roles.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("street_id").Optional().Nillable().Immutable().
			Comment("The street, for street roles.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("department_id").Optional().Nillable().Immutable().
			Comment("The department, for department staff.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the RoleAssignment.
func (RoleAssignment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("resident", Resident.Type).
			Ref("roles").Field("resident_id").Unique().Required().Immutable().
			Comment("Who holds the role."),
		edge.From("grid", Grid.Type).
			Ref("staff").Field("grid_id").Unique().Immutable().
			Comment("The grid, for grid roles."),
		edge.From("community", Community.Type).
			Ref("role_assignments").Field("community_id").Unique().Immutable().
			Comment("The community, for community roles."),
		edge.From("street", Street.Type).
			Ref("role_assignments").Field("street_id").Unique().Immutable().
			Comment("The street, for street roles."),
		edge.From("department", Department.Type).
			Ref("staff").Field("department_id").Unique().Immutable().
			Comment("The department, for department staff."),
	}
}

// Indexes of the RoleAssignment: a grid has at most one leader, a resident
// holds a role at most once in each scope, and each scope lists its staff
// by role quickly.
func (RoleAssignment) Indexes() []ent.Index {
	idx := []ent.Index{
		index.Fields("resident_id"),
		index.Fields("grid_id").
			StorageKey("roleassignment_one_leader_per_grid").
			Unique().
			Annotations(entsql.IndexWhere("role = 'GRID_LEADER'")),
	}
	for _, scope := range scopeFields {
		idx = append(idx,
			index.Fields(scope, "role"),
			index.Fields("resident_id", "role", scope).
				StorageKey("roleassignment_once_per_"+strings.TrimSuffix(scope, "_id")).
				Unique().
				Annotations(entsql.IndexWhere(scope+" IS NOT NULL")),
		)
	}
	return idx
}

// Hooks of the RoleAssignment.
func (RoleAssignment) Hooks() []ent.Hook {
	return []ent.Hook{checkRoleScope}
}

// Policy of the RoleAssignment: see internal/authz.
func (RoleAssignment) Policy() ent.Policy { return authz.RoleAssignmentPolicy() }

// Annotations of the RoleAssignment.
func (RoleAssignment) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A role a resident holds in one scope: a grid, a community, the street or a department."),
		entgql.RelayConnection(),
	}
}

// roleScopes says in which scopes (named by their foreign-key field) each
// role may be held.
var roleScopes = map[string][]string{
	"GRID_LEADER":      {"grid_id"},
	"GRID_WORKER":      {"grid_id"},
	"SAFETY_INFORMANT": {"grid_id"},
	"RED_STEWARD":      {"grid_id", "community_id"},
	"VOLUNTEER":        {"grid_id", "community_id"},
	"CAREGIVER":        {"community_id"},
	"CANTEEN_STAFF":    {"community_id"},
	"COMMUNITY_ADMIN":  {"community_id"},
	"STREET_ADMIN":     {"street_id"},
	"DEPARTMENT_STAFF": {"department_id"},
}

// scopeFields are the fields that name where a role is held.
var scopeFields = []string{"grid_id", "community_id", "street_id", "department_id"}

// checkRoleScope refuses to create a role assignment that does not name
// exactly one scope, or names a scope the role cannot be held in. It reads the
// mutation through the generic ent.Mutation interface so that the schema does
// not import the code generated from it.
func checkRoleScope(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if !m.Op().Is(ent.OpCreate) {
			return next.Mutate(ctx, m)
		}
		roleValue, _ := m.Field("role")
		role := fmt.Sprint(roleValue)
		var set []string
		for _, f := range scopeFields {
			if _, ok := m.Field(f); ok {
				set = append(set, f)
			}
		}
		if len(set) != 1 {
			return nil, apperr.New(apperr.BadUserInput, "role %s must be held in exactly one grid, community, street or department (got %d)", role, len(set))
		}
		if !slices.Contains(roleScopes[role], set[0]) {
			return nil, apperr.New(apperr.BadUserInput, "role %s cannot be held in a %s", role, strings.TrimSuffix(set[0], "_id"))
		}
		return next.Mutate(ctx, m)
	})
}
