package schema

import (
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/jimei-linli/linli/internal/accesslog"
	"github.com/jimei-linli/linli/internal/authz"
)

// MealOrder is one meal ordered from a canteen, for the orderer or for a
// resident they look after, with the price breakdown the server computed.
// Amounts are in fen (0.01 yuan): amountPaid = listPrice - subsidy -
// creditValue.
type MealOrder struct {
	ent.Schema
}

// Mixin of the MealOrder.
func (MealOrder) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the MealOrder.
func (MealOrder) Fields() []ent.Field {
	return []ent.Field{
		field.Int("canteen_id").Immutable().
			Comment("The canteen.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("community_id").Immutable().
			Comment("The canteen's community, for privacy rules.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("menu_id").Immutable().
			Comment("The menu ordered from.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("date").Match(calendarDate).Immutable().
			Comment("The meal day (YYYY-MM-DD).").
			Annotations(entgql.OrderField("DATE")),
		field.Enum("period").Values("BREAKFAST", "LUNCH", "DINNER").Immutable().
			Comment("The meal."),
		field.Int("beneficiary_id").Immutable().
			Comment("Who eats the meal.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("ordered_by_id").Immutable().
			Comment("Who ordered it: the beneficiary or their guardian.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("recipient_name").Immutable().
			Comment("The beneficiary's name as the kitchen and the delivery need it (canteen staff see no more of the resident)."),
		field.Enum("fulfillment").Values("DINE_IN", "PICK_UP", "DELIVERY").Immutable().
			Comment("Eaten at the canteen, picked up, or delivered home."),
		field.String("delivery_address").Optional().Nillable().Immutable().
			Comment("Where a delivery goes: the beneficiary's home."),
		field.Int("delivery_grid_id").Optional().Nillable().Immutable().
			Comment("The grid a delivery goes to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("tier").Values("REGULAR", "AGE_60_79", "AGE_80_PLUS", "LOW_INCOME", "DISABLED").Immutable().
			Comment("The price tier applied. It says why a meal is subsidised (低保, disability, age), so GraphQL shows it only to whoever authz.SeesSubsidyCategory allows (graph/canteen.graphql); canteen staff see subsidised and the amounts.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("list_price").NonNegative().Immutable().
			Comment("The dishes' list prices added up, in fen."),
		field.Int("subsidy").NonNegative().Immutable().
			Comment("The tier's subsidy, in fen (never more than the list price)."),
		field.Int("credit_minutes").NonNegative().Immutable().
			Comment("Time-bank credit spent on the meal, in minutes."),
		field.Int("credit_value").NonNegative().Immutable().
			Comment("What the credit spent is worth, in fen."),
		field.Int("amount_paid").NonNegative().Immutable().
			Comment("What is left to pay, in fen."),
		field.Enum("status").
			Values("PLACED", "PREPARING", "READY", "OUT_FOR_DELIVERY", "DELIVERED", "COLLECTED", "CANCELLED").
			Default("PLACED").
			Comment("Where the order is: PLACED, PREPARING, READY, then OUT_FOR_DELIVERY and DELIVERED for a delivery or COLLECTED otherwise; or CANCELLED.").
			Annotations(entgql.OrderField("STATUS")),
		field.String("pickup_code").Immutable().
			Comment("The code the beneficiary shows when collecting or receiving the meal."),
		field.String("note").MaxLen(300).Default("").Immutable().
			Comment("A note for the kitchen, e.g. less rice."),
		field.Int("dispatch_task_id").Optional().Nillable().
			Comment("The volunteer task that delivers it, when volunteer dispatch took the delivery.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("cancelled_at").Optional().Nillable().
			Comment("When the order was cancelled."),
	}
}

// Edges of the MealOrder.
func (MealOrder) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("canteen", Canteen.Type).
			Field("canteen_id").Unique().Required().Immutable().
			Comment("The canteen."),
		edge.To("menu", Menu.Type).
			Field("menu_id").Unique().Required().Immutable().
			Comment("The menu ordered from."),
		edge.To("beneficiary", Resident.Type).
			Field("beneficiary_id").Unique().Required().Immutable().
			Comment("Who eats the meal.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("ordered_by", Resident.Type).
			Field("ordered_by_id").Unique().Required().Immutable().
			Comment("Who ordered it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("delivery_grid", Grid.Type).
			Field("delivery_grid_id").Unique().Immutable().
			Comment("The grid a delivery goes to."),
		edge.To("items", MealOrderItem.Type).
			Comment("The dishes ordered."),
	}
}

// Indexes of the MealOrder: one meal per beneficiary per menu, unless
// cancelled (a son and his mother cannot both order her lunch).
func (MealOrder) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("menu_id", "beneficiary_id").Unique().
			Annotations(entsql.IndexWhere("status <> 'CANCELLED'")),
		index.Fields("menu_id", "status"),
		index.Fields("canteen_id", "date"),
		index.Fields("beneficiary_id", "date"),
		index.Fields("ordered_by_id"),
	}
}

// Policy of the MealOrder: see internal/authz.
func (MealOrder) Policy() ent.Policy { return authz.MealOrderPolicy() }

// Annotations of the MealOrder.
func (MealOrder) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A meal ordered from a canteen for a resident, with its price breakdown (in fen) and where it is."),
		entgql.RelayConnection(),
		entgql.QueryField().Description("Meal orders the viewer may see: their own and their dependents' (and those they placed); canteen staff and community admins, their community's canteen's orders."),
	}
}

// MealOrderItem is one dish of an order, at the price it was ordered at.
type MealOrderItem struct {
	ent.Schema
}

// Fields of the MealOrderItem.
func (MealOrderItem) Fields() []ent.Field {
	return []ent.Field{
		field.Int("order_id").Immutable().
			Comment("The order.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("menu_item_id").Immutable().
			Comment("The dish on the menu.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("name").Immutable().
			Comment("The dish's name when ordered."),
		field.Int("quantity").Positive().Immutable().
			Comment("How many portions."),
		field.Int("unit_price").NonNegative().Immutable().
			Comment("The list price of one portion when ordered, in fen."),
	}
}

// Edges of the MealOrderItem.
func (MealOrderItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("order", MealOrder.Type).
			Ref("items").Field("order_id").Unique().Required().Immutable().
			Comment("The order."),
		edge.To("menu_item", MenuItem.Type).
			Field("menu_item_id").Unique().Required().Immutable().
			Comment("The dish on the menu."),
	}
}

// Indexes of the MealOrderItem.
func (MealOrderItem) Indexes() []ent.Index {
	return []ent.Index{index.Fields("order_id"), index.Fields("menu_item_id")}
}

// Policy of the MealOrderItem: see internal/authz.
func (MealOrderItem) Policy() ent.Policy { return authz.MealOrderItemPolicy() }

// Annotations of the MealOrderItem.
func (MealOrderItem) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A dish of a meal order, at the price it was ordered at."),
	}
}

// SubsidyQualification records that a resident qualifies for a canteen
// price tier that age alone does not give: the minimum living allowance
// (低保) or a disability. Community staff record it from the documents the
// resident shows; it is sensitive and seen only by the resident, their
// guardians and their community's admins.
type SubsidyQualification struct {
	ent.Schema
}

// Mixin of the SubsidyQualification.
func (SubsidyQualification) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the SubsidyQualification.
func (SubsidyQualification) Fields() []ent.Field {
	return []ent.Field{
		field.Int("resident_id").Immutable().
			Comment("The resident who qualifies.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("kind").Values("LOW_INCOME", "DISABLED").Immutable().
			Comment("What the resident qualifies as: LOW_INCOME (低保) or DISABLED."),
		field.String("valid_until").Optional().Nillable().Match(calendarDate).
			Comment("The last day it holds (YYYY-MM-DD); empty for no end."),
		field.Int("recorded_by_id").Optional().Nillable().Immutable().
			Comment("The staff member who recorded it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("revoked_at").Optional().Nillable().
			Comment("When it was withdrawn."),
	}
}

// Edges of the SubsidyQualification.
func (SubsidyQualification) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("resident", Resident.Type).
			Field("resident_id").Unique().Required().Immutable().
			Comment("The resident who qualifies.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the SubsidyQualification.
func (SubsidyQualification) Indexes() []ent.Index {
	return []ent.Index{index.Fields("resident_id", "kind")}
}

// Interceptors of the SubsidyQualification: staff reads of subsidy qualifications go to the access log
// (internal/accesslog).
func (SubsidyQualification) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{accesslog.SubsidyQualifications()}
}

// Policy of the SubsidyQualification: see internal/authz.
func (SubsidyQualification) Policy() ent.Policy { return authz.SubsidyQualificationPolicy() }

// Annotations of the SubsidyQualification.
func (SubsidyQualification) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A resident's recorded qualification for a subsidised canteen tier (低保 or disability)."),
	}
}

// mustCompile compiles a pattern of a field validator.
func mustCompile(pattern string) *regexp.Regexp { return regexp.MustCompile(pattern) }
