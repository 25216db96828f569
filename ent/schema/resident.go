package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/hook"
	"github.com/jimei-linli/linli/ent/household"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Resident is a person known to Linli: a resident of the street, a staff
// member, or a phone that signed in and is not yet verified into a household.
type Resident struct {
	ent.Schema
}

// Mixin of the Resident.
func (Resident) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Resident. Personal fields (phone, birth date) live in
// PersonalInfo, behind their own privacy policy.
func (Resident) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			NotEmpty().MaxLen(100).
			Comment("The resident's name as shown to neighbors and staff.").
			Annotations(entgql.OrderField("NAME")),
		field.Time("deleted_at").
			Optional().Nillable().
			Comment("When the resident deleted their account; their personal fields are erased.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("grid_id").
			Optional().Nillable().
			Comment("The grid of the resident's household, kept in step with the household by a hook: it lets privacy rules and grid lists filter on one column.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("household_id").
			Optional().Nillable().
			Comment("The household the resident is registered in; empty until verified.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("locale").
			Default("zh-Hans").MaxLen(20).
			Comment("The language the resident reads Linli in (BCP 47: zh-Hans, the default, or en): their notifications, push messages, codes and errors. Set by setMyLocale; shown to the resident themselves only.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Resident.
func (Resident) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("household", Household.Type).
			Ref("members").Field("household_id").Unique().
			Comment("The household the resident is registered in; empty until verified, and for whoever may not see it.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.From("grid", Grid.Type).
			Ref("residents").Field("grid_id").Unique().
			Comment("The grid the resident lives in; empty until verified, and for whoever may not see it.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("roles", RoleAssignment.Type).
			Comment("The roles the resident holds, with where they hold them."),
		edge.To("personal_info", PersonalInfo.Type).
			Unique().
			Comment("The resident's personal details; empty for whoever may not see them.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("sessions", Session.Type).
			Comment("The resident's sign-in sessions (refresh tokens).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("notifications", Notification.Type).
			Comment("The resident's inbox.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("broadcasts", Broadcast.Type).
			Comment("Broadcasts the resident sent.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("devices", Device.Type).
			Comment("Devices registered for push notifications.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("consents", Consent.Type).
			Comment("The privacy notices the resident accepted.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("filed_requests", Request.Type).
			Comment("Requests the resident filed.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("requests_for", Request.Type).
			Comment("Requests filed for the resident (by themselves or a guardian).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("owned_requests", Request.Type).
			Comment("Requests the resident owns as staff.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("request_events", RequestEvent.Type).
			Comment("Request timeline entries the resident made.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("dependents", Guardianship.Type).
			Comment("The guardianships in which the resident looks after someone.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("guardians", Guardianship.Type).
			Comment("The guardianships in which someone looks after the resident.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the Resident.
func (Resident) Indexes() []ent.Index {
	return []ent.Index{index.Fields("household_id"), index.Fields("grid_id")}
}

// Policy of the Resident: see internal/authz.
func (Resident) Policy() ent.Policy { return authz.ResidentPolicy() }

// Hooks of the Resident.
func (Resident) Hooks() []ent.Hook {
	return []ent.Hook{keepGridWithHousehold}
}

// keepGridWithHousehold sets a resident's grid from their household
// whenever the household changes (unless the writer, such as the seed,
// already knows it), and clears it with the household.
func keepGridWithHousehold(next ent.Mutator) ent.Mutator {
	return hook.ResidentFunc(func(ctx context.Context, m *gen.ResidentMutation) (ent.Value, error) {
		if m.HouseholdIDCleared() {
			m.ClearGridID()
			return next.Mutate(ctx, m)
		}
		hh, ok := m.HouseholdID()
		if _, gridSet := m.GridID(); !ok || gridSet {
			return next.Mutate(ctx, m)
		}
		grid, err := m.Client().Household.Query().Where(household.ID(hh)).QueryPlace().
			Select(place.FieldGridID).Int(viewer.SystemContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("resident: find the grid of household %d: %w", hh, err)
		}
		m.SetGridID(grid)
		return next.Mutate(ctx, m)
	})
}

// Annotations of the Resident.
func (Resident) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person known to Linli: a resident of the street, a staff member, or a newly signed-in phone not yet verified into a household."),
		entgql.RelayConnection(),
	}
}
