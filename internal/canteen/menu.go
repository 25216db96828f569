package canteen

import (
	"context"
	"slices"
	"strings"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/canteenfollow"
	"github.com/jimei-linli/linli/ent/mealperiod"
	"github.com/jimei-linli/linli/ent/menu"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Tags are the diet tags a dish may carry.
var Tags = []string{"LOW_SALT", "LOW_SUGAR", "SOFT", "VEGETARIAN", "HALAL"}

// Dish is a dish to put on a menu.
type Dish struct {
	Name        string
	Description string
	// Price is the list price in fen.
	Price     int
	Tags      []string
	Allergens []string
}

// MenuInput is a menu to create.
type MenuInput struct {
	CanteenID int
	Date      string
	Period    mealperiod.Kind
	// Capacity overrides the period's daily capacity (0: the period's).
	Capacity int
	Dishes   []Dish
}

// CreateMenu writes an unpublished menu (canteen staff of the canteen's
// community). Residents see it once it is published.
func (s *Service) CreateMenu(ctx context.Context, in MenuInput) (*ent.Menu, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.staffOf(ctx, v, in.CanteenID)
	if err != nil {
		return nil, err
	}
	if _, err := day(in.Date); err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	period, err := s.client.MealPeriod.Query().
		Where(mealperiod.CanteenID(c.ID), mealperiod.KindEQ(in.Period)).Only(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.BadUserInput, "%s serves no %s", c.Name, strings.ToLower(string(in.Period)))
	}
	if err != nil {
		return nil, err
	}
	if len(in.Dishes) == 0 || len(in.Dishes) > 30 {
		return nil, apperr.New(apperr.BadUserInput, "a menu has 1 to 30 dishes")
	}
	for _, d := range in.Dishes {
		if strings.TrimSpace(d.Name) == "" || len([]rune(d.Name)) > 100 {
			return nil, apperr.New(apperr.BadUserInput, "a dish's name has 1 to 100 characters")
		}
		if len([]rune(d.Description)) > 500 {
			return nil, apperr.New(apperr.BadUserInput, "%s: a description has at most 500 characters", d.Name)
		}
		if len(d.Allergens) > 20 || slices.ContainsFunc(d.Allergens, func(a string) bool { return a == "" || len([]rune(a)) > 50 }) {
			return nil, apperr.New(apperr.BadUserInput, "%s: list at most 20 allergens of 1 to 50 characters", d.Name)
		}
		if d.Price <= 0 {
			return nil, apperr.New(apperr.BadUserInput, "%s: a price is a positive number of fen", d.Name)
		}
		for _, t := range d.Tags {
			if !slices.Contains(Tags, t) {
				return nil, apperr.New(apperr.BadUserInput, "%s: unknown tag %q (use %s)", d.Name, t, strings.Join(Tags, ", "))
			}
		}
	}
	capacity := period.Capacity
	if in.Capacity < 0 {
		return nil, apperr.New(apperr.BadUserInput, "capacity cannot be negative")
	} else if in.Capacity > 0 {
		capacity = in.Capacity
	}
	var id int
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		exists, err := tx.Menu.Query().Where(menu.PeriodID(period.ID), menu.Date(in.Date)).Exist(sys)
		if err != nil {
			return err
		}
		if exists {
			return apperr.New(apperr.Conflict, "%s already has a %s menu for %s", c.Name, strings.ToLower(string(in.Period)), in.Date)
		}
		m, err := tx.Menu.Create().SetCanteenID(c.ID).SetPeriodID(period.ID).SetDate(in.Date).
			SetCapacity(capacity).SetCreatedAt(s.now()).SetUpdatedAt(s.now()).Save(sys)
		if err != nil {
			if ent.IsConstraintError(err) {
				return apperr.New(apperr.Conflict, "%s already has a %s menu for %s", c.Name, strings.ToLower(string(in.Period)), in.Date)
			}
			return err
		}
		id = m.ID
		items := make([]*ent.MenuItemCreate, len(in.Dishes))
		for i, d := range in.Dishes {
			items[i] = tx.MenuItem.Create().SetMenuID(m.ID).SetName(strings.TrimSpace(d.Name)).
				SetDescription(d.Description).SetPrice(d.Price).SetTags(d.Tags).SetAllergens(d.Allergens)
		}
		return tx.MenuItem.CreateBulk(items...).Exec(sys)
	})
	if err != nil {
		return nil, err
	}
	return s.client.Menu.Get(ctx, id)
}

// PublishMenu opens a menu for orders and tells the canteen's followers.
// Publishing twice changes nothing.
func (s *Service) PublishMenu(ctx context.Context, id int) (*ent.Menu, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	m, err := s.client.Menu.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "menu not found")
	}
	if err != nil {
		return nil, err
	}
	c, err := s.staffOf(ctx, v, m.CanteenID)
	if err != nil {
		return nil, err
	}
	if m.PublishedAt != nil {
		return m, nil
	}
	period, err := s.client.MealPeriod.Get(sys, m.PeriodID)
	if err != nil {
		return nil, err
	}
	followers, err := s.client.CanteenFollow.Query().Where(canteenfollow.CanteenID(c.ID)).
		Select(canteenfollow.FieldResidentID).Ints(sys)
	if err != nil {
		return nil, err
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		n, err := tx.Menu.Update().Where(menu.ID(m.ID), menu.PublishedAtIsNil()).
			SetPublishedAt(s.now()).SetUpdatedAt(s.now()).Save(sys)
		if err != nil || n == 0 {
			return err
		}
		_, err = s.outbox.Emit(ctx, tx, realtime.Event{
			Kind: "menu.published", Topics: []string{realtime.NodeTopic(c.ID)}, SubjectID: m.ID,
			Notify: followers,
			Notification: realtime.Note(notification.KindMENU_PUBLISHED, i18n.MenuPublished,
				"canteen", c.Name, "period", string(period.Kind), "date", m.Date),
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.client.Menu.Get(ctx, id)
}

// Follow makes the caller follow a canteen (following twice is one follow).
func (s *Service) Follow(ctx context.Context, canteenID int) (*ent.Canteen, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	c, err := s.client.Canteen.Get(ctx, canteenID)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "canteen not found")
	}
	if err != nil {
		return nil, err
	}
	err = s.client.CanteenFollow.Create().SetCanteenID(c.ID).SetResidentID(v.ResidentID).SetCreatedAt(s.now()).
		OnConflictColumns(canteenfollow.FieldCanteenID, canteenfollow.FieldResidentID).DoNothing().Exec(sys)
	if err != nil && !isNoRows(err) {
		return nil, err
	}
	return c, nil
}

// Unfollow stops the caller following a canteen.
func (s *Service) Unfollow(ctx context.Context, canteenID int) (*ent.Canteen, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.client.Canteen.Get(ctx, canteenID)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "canteen not found")
	}
	if err != nil {
		return nil, err
	}
	_, err = s.client.CanteenFollow.Delete().
		Where(canteenfollow.CanteenID(c.ID), canteenfollow.ResidentID(v.ResidentID)).Exec(viewer.SystemContext(ctx))
	return c, err
}

// Follows reports whether the caller follows canteen id.
func (s *Service) Follows(ctx context.Context, canteenID int) (bool, error) {
	v := viewer.FromContext(ctx)
	if !v.SignedIn() {
		return false, nil
	}
	return s.client.CanteenFollow.Query().
		Where(canteenfollow.CanteenID(canteenID), canteenfollow.ResidentID(v.ResidentID)).Exist(ctx)
}
