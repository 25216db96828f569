package canteen

import (
	"context"
	"strings"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/community"
	"github.com/jimei-linli/linli/ent/mealperiod"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Settings are a canteen's name, address, hours and prices. Subsidies are
// per meal, in fen; they apply to orders placed after the change (an order
// keeps the breakdown it was placed with).
type Settings struct {
	Name, Address, OpeningHours string
	SubsidyAge6079              int
	SubsidyAge80Plus            int
	SubsidyLowIncome            int
	SubsidyDisabled             int
	CreditFenPerMinute          int
}

// check validates the settings.
func (st *Settings) check() error {
	st.Name, st.Address, st.OpeningHours = strings.TrimSpace(st.Name), strings.TrimSpace(st.Address), strings.TrimSpace(st.OpeningHours)
	switch {
	case st.Name == "" || len([]rune(st.Name)) > 100:
		return apperr.New(apperr.BadUserInput, "a canteen's name has 1 to 100 characters")
	case st.Address == "" || len([]rune(st.Address)) > 300:
		return apperr.New(apperr.BadUserInput, "an address has 1 to 300 characters")
	case len([]rune(st.OpeningHours)) > 200:
		return apperr.New(apperr.BadUserInput, "opening hours have at most 200 characters")
	case st.SubsidyAge6079 < 0 || st.SubsidyAge80Plus < 0 || st.SubsidyLowIncome < 0 || st.SubsidyDisabled < 0 || st.CreditFenPerMinute < 0:
		return apperr.New(apperr.BadUserInput, "subsidies and the credit rate are amounts in fen, 0 or more")
	}
	return nil
}

// CreateCanteen opens a canteen in a community (its community admins,
// street admins).
func (s *Service) CreateCanteen(ctx context.Context, communityID int, st Settings) (*ent.Canteen, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	if ok, err := s.client.Community.Query().Where(community.ID(communityID)).Exist(sys); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.New(apperr.NotFound, "community not found")
	}
	if !authz.Administers(v, communityID) {
		return nil, apperr.New(apperr.Forbidden, "community admins open the canteens of their community")
	}
	if err := st.check(); err != nil {
		return nil, err
	}
	c, err := s.client.Canteen.Create().SetCommunityID(communityID).SetName(st.Name).SetAddress(st.Address).
		SetOpeningHours(st.OpeningHours).SetSubsidyAge6079(st.SubsidyAge6079).SetSubsidyAge80Plus(st.SubsidyAge80Plus).
		SetSubsidyLowIncome(st.SubsidyLowIncome).SetSubsidyDisabled(st.SubsidyDisabled).
		SetCreditFenPerMinute(st.CreditFenPerMinute).SetCreatedAt(s.now()).SetUpdatedAt(s.now()).Save(sys)
	if err != nil {
		return nil, err
	}
	return s.client.Canteen.Get(ctx, c.ID)
}

// UpdateCanteen changes a canteen's settings (its community's admins,
// street admins: subsidies are public money, so canteen staff do not set
// them).
func (s *Service) UpdateCanteen(ctx context.Context, id int, st Settings) (*ent.Canteen, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.client.Canteen.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "canteen not found")
	}
	if err != nil {
		return nil, err
	}
	if !authz.Administers(v, c.CommunityID) {
		return nil, apperr.New(apperr.Forbidden, "the community's admins set a canteen's prices and details")
	}
	if err := st.check(); err != nil {
		return nil, err
	}
	if err := s.client.Canteen.UpdateOneID(id).SetName(st.Name).SetAddress(st.Address).
		SetOpeningHours(st.OpeningHours).SetSubsidyAge6079(st.SubsidyAge6079).SetSubsidyAge80Plus(st.SubsidyAge80Plus).
		SetSubsidyLowIncome(st.SubsidyLowIncome).SetSubsidyDisabled(st.SubsidyDisabled).
		SetCreditFenPerMinute(st.CreditFenPerMinute).SetUpdatedAt(s.now()).Exec(viewer.SystemContext(ctx)); err != nil {
		return nil, err
	}
	return s.client.Canteen.Get(ctx, id)
}

// PeriodSettings are a meal period's hours, cut-off and daily capacity.
type PeriodSettings struct {
	Kind                       mealperiod.Kind
	ServesFrom, ServesUntil    string
	OrderCutoff                string
	CutoffDaysBefore, Capacity int
}

// SetMealPeriod creates or changes a canteen's meal period (its staff, its
// community's admins). A new capacity applies to menus written after the
// change.
func (s *Service) SetMealPeriod(ctx context.Context, canteenID int, ps PeriodSettings) (*ent.MealPeriod, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.staffOf(ctx, v, canteenID)
	if err != nil {
		return nil, err
	}
	switch {
	case mealperiod.KindValidator(ps.Kind) != nil:
		return nil, apperr.New(apperr.BadUserInput, "unknown meal period %q", ps.Kind)
	case mealperiod.ServesFromValidator(ps.ServesFrom) != nil || mealperiod.ServesUntilValidator(ps.ServesUntil) != nil ||
		mealperiod.OrderCutoffValidator(ps.OrderCutoff) != nil:
		return nil, apperr.New(apperr.BadUserInput, "times of day are written HH:MM, e.g. 10:00")
	case ps.ServesFrom >= ps.ServesUntil:
		return nil, apperr.New(apperr.BadUserInput, "serving ends after it starts")
	case ps.CutoffDaysBefore < 0 || ps.CutoffDaysBefore > 7:
		return nil, apperr.New(apperr.BadUserInput, "orders close 0 to 7 days before the meal")
	case ps.CutoffDaysBefore == 0 && ps.OrderCutoff > ps.ServesFrom:
		return nil, apperr.New(apperr.BadUserInput, "orders must close before serving starts")
	case ps.Capacity < 1:
		return nil, apperr.New(apperr.BadUserInput, "a capacity is at least 1 meal")
	}
	sys := viewer.SystemContext(ctx)
	var id int
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		p, err := tx.MealPeriod.Query().Where(mealperiod.CanteenID(c.ID), mealperiod.KindEQ(ps.Kind)).Only(sys)
		switch {
		case ent.IsNotFound(err):
			p, err = tx.MealPeriod.Create().SetCanteenID(c.ID).SetKind(ps.Kind).
				SetServesFrom(ps.ServesFrom).SetServesUntil(ps.ServesUntil).SetOrderCutoff(ps.OrderCutoff).
				SetCutoffDaysBefore(ps.CutoffDaysBefore).SetCapacity(ps.Capacity).Save(sys)
		case err == nil:
			p, err = p.Update().SetServesFrom(ps.ServesFrom).SetServesUntil(ps.ServesUntil).
				SetOrderCutoff(ps.OrderCutoff).SetCutoffDaysBefore(ps.CutoffDaysBefore).SetCapacity(ps.Capacity).Save(sys)
		}
		if err != nil {
			if ent.IsConstraintError(err) {
				return apperr.New(apperr.Conflict, "the %s period changed meanwhile; try again", strings.ToLower(string(ps.Kind)))
			}
			return err
		}
		id = p.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.client.MealPeriod.Get(ctx, id)
}
