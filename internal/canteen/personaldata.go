package canteen

import (
	"context"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/canteenfollow"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/subsidyqualification"
	"github.com/jimei-linli/linli/internal/personaldata"
)

// PersonalDataSections are what the canteens hold about a resident, for
// their data export: the meal orders for them or placed by them, the
// canteens they follow and their subsidy qualifications.
func PersonalDataSections() []personaldata.Section {
	return []personaldata.Section{
		{Name: "mealOrders", Covers: []string{"meal_orders.beneficiary_id", "meal_orders.ordered_by_id"}, Export: func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.MealOrder.Query().
				Where(mealorder.Or(mealorder.BeneficiaryID(id), mealorder.OrderedByID(id))).
				WithItems().Order(ent.Asc(mealorder.FieldID)).All(ctx)
		}},
		{Name: "canteenFollows", Covers: []string{"canteen_follows.resident_id"}, Export: func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.CanteenFollow.Query().Where(canteenfollow.ResidentID(id)).All(ctx)
		}},
		{Name: "subsidyQualifications", Covers: []string{"subsidy_qualifications.resident_id"}, Export: func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.SubsidyQualification.Query().Where(subsidyqualification.ResidentID(id)).All(ctx)
		}},
	}
}
