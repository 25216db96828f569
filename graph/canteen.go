package graph

import (
	"github.com/jimei-linli/linli/graph/model"
	"github.com/jimei-linli/linli/internal/canteen"
)

// mealOrderInput translates a GraphQL order into the canteen service's.
func mealOrderInput(in model.PlaceMealOrderInput) canteen.OrderInput {
	out := canteen.OrderInput{MenuID: in.MenuID, Fulfillment: in.Fulfillment, Tier: in.Tier}
	if in.BeneficiaryID != nil {
		out.BeneficiaryID = *in.BeneficiaryID
	}
	if in.CreditMinutes != nil {
		out.CreditMinutes = *in.CreditMinutes
	}
	if in.Note != nil {
		out.Note = *in.Note
	}
	for _, it := range in.Items {
		out.Items = append(out.Items, canteen.Item{MenuItemID: it.MenuItemID, Quantity: it.Quantity})
	}
	return out
}

// menuInput translates a GraphQL menu into the canteen service's.
func menuInput(in model.CreateMenuInput) canteen.MenuInput {
	out := canteen.MenuInput{CanteenID: in.CanteenID, Date: in.Date, Period: in.Period}
	if in.Capacity != nil {
		out.Capacity = *in.Capacity
	}
	for _, d := range in.Dishes {
		dish := canteen.Dish{Name: d.Name, Price: d.Price, Tags: d.Tags, Allergens: d.Allergens}
		if d.Description != nil {
			dish.Description = *d.Description
		}
		out.Dishes = append(out.Dishes, dish)
	}
	return out
}

// canteenSettings translates GraphQL canteen settings into the service's.
func canteenSettings(in model.CanteenSettingsInput) canteen.Settings {
	st := canteen.Settings{Name: in.Name, Address: in.Address,
		SubsidyAge6079: in.SubsidyAge6079, SubsidyAge80Plus: in.SubsidyAge80Plus,
		SubsidyLowIncome: in.SubsidyLowIncome, SubsidyDisabled: in.SubsidyDisabled,
		CreditFenPerMinute: in.CreditFenPerMinute}
	if in.OpeningHours != nil {
		st.OpeningHours = *in.OpeningHours
	}
	return st
}
