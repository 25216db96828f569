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

// Canteen is a community canteen (社區食堂): it serves subsidised meals to
// elderly residents in meal periods, with per-tier subsidies its operator
// claims back from the government.
type Canteen struct {
	ent.Schema
}

// Mixin of the Canteen.
func (Canteen) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Canteen. Subsidies are per meal, in fen (0.01 yuan).
func (Canteen) Fields() []ent.Field {
	return []ent.Field{
		field.Int("community_id").Immutable().
			Comment("The community the canteen serves.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("name").NotEmpty().MaxLen(100).
			Comment("Display name, e.g. 盛光社區長者食堂.").
			Annotations(entgql.OrderField("NAME")),
		field.String("address").NotEmpty().MaxLen(300).
			Comment("Where the canteen is."),
		field.String("opening_hours").MaxLen(200).Default("").
			Comment("Opening hours as shown to residents, e.g. 週一至週六 07:00–19:00."),
		field.Int("subsidy_age_60_79").NonNegative().Default(0).
			Comment("Subsidy per meal, in fen, for residents aged 60 to 79 on the meal day."),
		field.Int("subsidy_age_80_plus").NonNegative().Default(0).
			Comment("Subsidy per meal, in fen, for residents aged 80 or over on the meal day."),
		field.Int("subsidy_low_income").NonNegative().Default(0).
			Comment("Subsidy per meal, in fen, for residents with a recorded minimum-living-allowance (低保) qualification."),
		field.Int("subsidy_disabled").NonNegative().Default(0).
			Comment("Subsidy per meal, in fen, for residents with a recorded disability qualification."),
		field.Int("credit_fen_per_minute").NonNegative().Default(0).
			Comment("What one minute of time-bank credit is worth at this canteen, in fen; 0 when the canteen takes no credit."),
	}
}

// Edges of the Canteen.
func (Canteen) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).
			Field("community_id").Unique().Required().Immutable().
			Comment("The community the canteen serves."),
		edge.To("periods", MealPeriod.Type).
			Comment("The meal periods the canteen serves (breakfast, lunch, dinner)."),
		edge.To("menus", Menu.Type).
			Comment("The canteen's menus, one per date and period.").
			Annotations(entgql.RelayConnection()),
	}
}

// Indexes of the Canteen.
func (Canteen) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id")}
}

// Policy of the Canteen: public; only the system writes.
func (Canteen) Policy() ent.Policy { return authz.PublicPolicy() }

// Annotations of the Canteen.
func (Canteen) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A community canteen (社區食堂) serving subsidised meals, with its per-tier subsidies."),
		entgql.RelayConnection(),
		entgql.QueryField(),
	}
}

// MealPeriod is one meal a canteen serves each day (breakfast, lunch or
// dinner), with its order cut-off and daily capacity.
type MealPeriod struct {
	ent.Schema
}

// Fields of the MealPeriod.
func (MealPeriod) Fields() []ent.Field {
	return []ent.Field{
		field.Int("canteen_id").Immutable().
			Comment("The canteen.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("kind").Values("BREAKFAST", "LUNCH", "DINNER").Immutable().
			Comment("Which meal."),
		field.String("serves_from").Match(clockTime).
			Comment("When serving starts on the meal day (HH:MM, Asia/Shanghai)."),
		field.String("serves_until").Match(clockTime).
			Comment("When serving ends on the meal day (HH:MM, Asia/Shanghai)."),
		field.Int("cutoff_days_before").Min(0).Max(7).Default(0).
			Comment("On which day orders close: 0 the meal day itself, 1 the day before, and so on."),
		field.String("order_cutoff").Match(clockTime).
			Comment("The time of day (HH:MM, Asia/Shanghai) at which orders close, and after which they can no longer be cancelled, e.g. 10:00 for lunch."),
		field.Int("capacity").Positive().
			Comment("How many meals the canteen serves in this period each day; new menus take it as their capacity."),
	}
}

// Edges of the MealPeriod.
func (MealPeriod) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("canteen", Canteen.Type).
			Ref("periods").Field("canteen_id").Unique().Required().Immutable().
			Comment("The canteen."),
	}
}

// Indexes of the MealPeriod: one period of each kind per canteen.
func (MealPeriod) Indexes() []ent.Index {
	return []ent.Index{index.Fields("canteen_id", "kind").Unique()}
}

// Policy of the MealPeriod: public; only the system writes.
func (MealPeriod) Policy() ent.Policy { return authz.PublicPolicy() }

// Annotations of the MealPeriod.
func (MealPeriod) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A meal a canteen serves each day, with its order cut-off and daily capacity."),
	}
}

// Menu is what a canteen serves in one period of one date. Its row is also
// the capacity counter: an order takes a place with a conditional update of
// ordered < capacity, so concurrent orders never exceed it.
type Menu struct {
	ent.Schema
}

// Mixin of the Menu.
func (Menu) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Menu.
func (Menu) Fields() []ent.Field {
	return []ent.Field{
		field.Int("canteen_id").Immutable().
			Comment("The canteen.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("period_id").Immutable().
			Comment("The meal period.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("date").Match(calendarDate).Immutable().
			Comment("The meal day (YYYY-MM-DD, Asia/Shanghai).").
			Annotations(entgql.OrderField("DATE")),
		field.Int("capacity").NonNegative().
			Comment("How many meals can be ordered."),
		field.Int("ordered").NonNegative().Default(0).
			Comment("How many meals are ordered (cancelled orders give their place back)."),
		field.Time("published_at").Optional().Nillable().
			Comment("When canteen staff published the menu; residents see and order from published menus only."),
	}
}

// Edges of the Menu.
func (Menu) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("canteen", Canteen.Type).
			Ref("menus").Field("canteen_id").Unique().Required().Immutable().
			Comment("The canteen."),
		edge.To("period", MealPeriod.Type).
			Field("period_id").Unique().Required().Immutable().
			Comment("The meal period."),
		edge.To("items", MenuItem.Type).
			Comment("The dishes on the menu."),
	}
}

// Indexes of the Menu: one menu per period and date.
func (Menu) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("period_id", "date").Unique(),
		index.Fields("canteen_id", "date"),
	}
}

// Policy of the Menu: see internal/authz.
func (Menu) Policy() ent.Policy { return authz.MenuPolicy() }

// Annotations of the Menu.
func (Menu) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("What a canteen serves in one meal period of one day, with its capacity and the places taken."),
		entgql.RelayConnection(),
	}
}

// MenuItem is one dish on a menu.
type MenuItem struct {
	ent.Schema
}

// Fields of the MenuItem.
func (MenuItem) Fields() []ent.Field {
	return []ent.Field{
		field.Int("menu_id").Immutable().
			Comment("The menu.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("name").NotEmpty().MaxLen(100).
			Comment("The dish, e.g. 清蒸鱸魚."),
		field.String("description").MaxLen(500).Default("").
			Comment("A line about the dish."),
		field.Int("price").Positive().
			Comment("List price in fen (0.01 yuan), before any subsidy."),
		field.Strings("tags").Optional().
			Comment("Diet tags: LOW_SALT, LOW_SUGAR, SOFT, VEGETARIAN, HALAL."),
		field.Strings("allergens").Optional().
			Comment("Allergens the dish contains, e.g. peanut, shellfish, gluten."),
	}
}

// Edges of the MenuItem.
func (MenuItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("menu", Menu.Type).
			Ref("items").Field("menu_id").Unique().Required().Immutable().
			Comment("The menu."),
	}
}

// Indexes of the MenuItem.
func (MenuItem) Indexes() []ent.Index {
	return []ent.Index{index.Fields("menu_id")}
}

// Policy of the MenuItem: see internal/authz.
func (MenuItem) Policy() ent.Policy { return authz.MenuItemPolicy() }

// Annotations of the MenuItem.
func (MenuItem) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A dish on a menu, with its list price, diet tags and allergens."),
	}
}

// CanteenFollow says a resident follows a canteen: they hear when it
// publishes a menu.
type CanteenFollow struct {
	ent.Schema
}

// Fields of the CanteenFollow.
func (CanteenFollow) Fields() []ent.Field {
	return []ent.Field{
		field.Int("canteen_id").Immutable().
			Comment("The canteen.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("resident_id").Immutable().
			Comment("The follower.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("created_at").Immutable().
			Comment("When they started following."),
	}
}

// Edges of the CanteenFollow.
func (CanteenFollow) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("canteen", Canteen.Type).
			Field("canteen_id").Unique().Required().Immutable().
			Comment("The canteen."),
		edge.To("resident", Resident.Type).
			Field("resident_id").Unique().Required().Immutable().
			Comment("The follower.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the CanteenFollow.
func (CanteenFollow) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("canteen_id", "resident_id").Unique(),
		index.Fields("resident_id"),
	}
}

// Policy of the CanteenFollow: see internal/authz.
func (CanteenFollow) Policy() ent.Policy { return authz.CanteenFollowPolicy() }

// Annotations of the CanteenFollow.
func (CanteenFollow) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A resident following a canteen, to hear when it publishes a menu."),
	}
}

// clockTime matches a time of day, HH:MM.
var clockTime = mustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// calendarDate matches a date, YYYY-MM-DD.
var calendarDate = mustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)
