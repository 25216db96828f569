package canteen

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/ent/household"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/menu"
	"github.com/jimei-linli/linli/ent/menuitem"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/subsidyqualification"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/credit"
	"github.com/jimei-linli/linli/internal/dispatch"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Item is a dish ordered.
type Item struct {
	MenuItemID int
	Quantity   int
}

// OrderInput is an order to place (or to quote).
type OrderInput struct {
	MenuID int
	// BeneficiaryID is who eats; 0 for the orderer.
	BeneficiaryID int
	Fulfillment   mealorder.Fulfillment
	Items         []Item
	// Tier asks for a tier; nil takes the best the beneficiary qualifies for.
	Tier *mealorder.Tier
	// CreditMinutes is time-bank credit to pay with (0 for none).
	CreditMinutes int
	Note          string
}

// Quote is what an order would cost, and the tiers open to its beneficiary.
type Quote struct {
	Breakdown
	Eligible []mealorder.Tier
	// BirthDateUnverified says the beneficiary's declared birth date would
	// give an age tier, but staff have not verified it.
	BirthDateUnverified bool
}

// prepared is an order checked and priced, ready to write.
type prepared struct {
	v           *viewer.Viewer
	in          OrderInput
	menu        *ent.Menu
	period      *ent.MealPeriod
	canteen     *ent.Canteen
	beneficiary *ent.Resident
	dishes      map[int]*ent.MenuItem
	eligible    []mealorder.Tier
	unverified  bool
	price       Breakdown
	place       *ent.Place
}

// maxPortions bounds the portions of one dish in an order, maxDishes the
// dishes (a menu has at most 30).
const (
	maxPortions = 10
	maxDishes   = 30
)

// prepare checks in for the caller and prices it; it writes nothing. A
// quote skips the rule of one meal per person per menu (it prices, it does
// not order).
func (s *Service) prepare(ctx context.Context, in OrderInput, quote bool) (*prepared, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if in.BeneficiaryID == 0 {
		in.BeneficiaryID = v.ResidentID
	}
	if !v.ActsFor(in.BeneficiaryID) {
		return nil, apperr.New(apperr.Forbidden, "you can order only for yourself or for a resident you are the active guardian of")
	}
	if mealorder.FulfillmentValidator(in.Fulfillment) != nil {
		return nil, apperr.New(apperr.BadUserInput, "unknown fulfillment %q", in.Fulfillment)
	}
	if len(in.Items) == 0 || len(in.Items) > maxDishes {
		return nil, apperr.New(apperr.BadUserInput, "an order needs at least one dish, and at most %d", maxDishes)
	}
	seen := map[int]bool{}
	for _, it := range in.Items {
		if it.Quantity < 1 || it.Quantity > maxPortions {
			return nil, apperr.New(apperr.BadUserInput, "order 1 to %d portions of a dish", maxPortions)
		}
		if seen[it.MenuItemID] {
			return nil, apperr.New(apperr.BadUserInput, "list each dish once, with its quantity")
		}
		seen[it.MenuItemID] = true
	}
	if in.Note = strings.TrimSpace(in.Note); len([]rune(in.Note)) > 300 {
		return nil, apperr.New(apperr.BadUserInput, "a note has at most 300 characters")
	}
	// The menu as the caller sees it: unpublished menus are not found.
	m, err := s.client.Menu.Get(ctx, in.MenuID)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "menu not found")
	}
	if err != nil {
		return nil, err
	}
	if m.PublishedAt == nil {
		return nil, apperr.New(apperr.Conflict, "this menu is not published yet")
	}
	sys := viewer.SystemContext(ctx)
	p := &prepared{v: v, in: in, menu: m, dishes: map[int]*ent.MenuItem{}}
	if p.period, err = s.client.MealPeriod.Get(sys, m.PeriodID); err != nil {
		return nil, err
	}
	if p.canteen, err = s.client.Canteen.Get(sys, m.CanteenID); err != nil {
		return nil, err
	}
	cutoff, err := Cutoff(p.period, m.Date)
	if err != nil {
		return nil, err
	}
	if !s.now().Before(cutoff) {
		return nil, apperr.New(apperr.Conflict, "orders for %s on %s closed at %s",
			strings.ToLower(string(p.period.Kind)), m.Date, describeCutoff(cutoff))
	}
	if m.Ordered >= m.Capacity {
		// Known full already; when it is not, the conditional update in
		// PlaceOrder decides.
		return nil, full(p.period, m)
	}
	dishes, err := s.client.MenuItem.Query().
		Where(menuitem.MenuID(m.ID), menuitem.IDIn(slices.Collect(maps.Keys(seen))...)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, d := range dishes {
		p.dishes[d.ID] = d
	}
	list := 0
	for _, it := range in.Items {
		d, ok := p.dishes[it.MenuItemID]
		if !ok {
			return nil, apperr.New(apperr.BadUserInput, "dish %d is not on the %s menu of %s",
				it.MenuItemID, strings.ToLower(string(p.period.Kind)), m.Date)
		}
		list += d.Price * it.Quantity
	}
	if p.beneficiary, err = s.client.Resident.Query().
		Where(resident.ID(in.BeneficiaryID), resident.DeletedAtIsNil()).
		WithPersonalInfo().Only(sys); err != nil {
		if ent.IsNotFound(err) {
			return nil, apperr.New(apperr.NotFound, "resident not found")
		}
		return nil, err
	}
	if !quote {
		if err := s.noOtherMeal(ctx, s.client, p); err != nil {
			return nil, err
		}
	}
	q, err := s.qualifies(ctx, p.beneficiary, m.Date)
	if err != nil {
		return nil, err
	}
	p.eligible = Eligible(p.canteen, q)
	p.unverified = q.UnverifiedAge >= 60
	tier := p.eligible[0]
	if in.Tier != nil {
		if mealorder.TierValidator(*in.Tier) != nil {
			return nil, apperr.New(apperr.BadUserInput, "unknown tier %q", *in.Tier)
		}
		if !slices.Contains(p.eligible, *in.Tier) {
			return nil, apperr.New(apperr.Forbidden, "%s does not qualify for the %s tier on %s (qualifies for: %s)",
				p.beneficiary.Name, *in.Tier, m.Date, joinTiers(p.eligible))
		}
		tier = *in.Tier
	}
	if in.CreditMinutes > 0 && s.spender == nil {
		return nil, apperr.New(apperr.BadUserInput, "time-bank credit cannot be used on this server")
	}
	if p.price, err = Price(p.canteen, tier, list, in.CreditMinutes); err != nil {
		return nil, err
	}
	if in.Fulfillment == mealorder.FulfillmentDELIVERY {
		if p.beneficiary.HouseholdID == nil {
			return nil, apperr.New(apperr.BadUserInput, "home delivery needs a registered home: %s is not in a household yet", p.beneficiary.Name)
		}
		if p.place, err = s.client.Place.Query().
			Where(place.HasHouseholdsWith(household.ID(*p.beneficiary.HouseholdID))).Only(sys); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// qualifies reads what r qualifies for on date (YYYY-MM-DD): the age by a
// birth date staff verified (a declared one gives no tier), and the
// qualifications staff recorded.
func (s *Service) qualifies(ctx context.Context, r *ent.Resident, date string) (Qualifies, error) {
	q := Qualifies{Age: -1, UnverifiedAge: -1}
	d, err := day(date)
	if err != nil {
		return q, err
	}
	if pi := r.Edges.PersonalInfo; pi != nil && pi.BirthDate != nil {
		if pi.BirthDateVerifiedAt != nil {
			q.Age = AgeOn(*pi.BirthDate, d)
		} else {
			q.UnverifiedAge = AgeOn(*pi.BirthDate, d)
		}
	}
	quals, err := s.client.SubsidyQualification.Query().Where(
		subsidyqualification.ResidentID(r.ID),
		subsidyqualification.RevokedAtIsNil(),
		subsidyqualification.Or(subsidyqualification.ValidUntilIsNil(), subsidyqualification.ValidUntilGTE(date)),
	).All(viewer.SystemContext(ctx))
	if err != nil {
		return q, err
	}
	for _, x := range quals {
		switch x.Kind {
		case subsidyqualification.KindLOW_INCOME:
			q.LowIncome = true
		case subsidyqualification.KindDISABLED:
			q.Disabled = true
		}
	}
	return q, nil
}

// QuoteOrder prices in as PlaceOrder would, without ordering (and whether
// or not the beneficiary already has that meal).
func (s *Service) QuoteOrder(ctx context.Context, in OrderInput) (Quote, error) {
	p, err := s.prepare(ctx, in, true)
	if err != nil {
		return Quote{}, err
	}
	return Quote{Breakdown: p.price, Eligible: p.eligible, BirthDateUnverified: p.unverified}, nil
}

// OrderKeyKind is the kind (dispatch.KindOf) of the keys OrderKey makes:
// Red Neighbor asks Deliveries about the tasks dispatched under it.
const OrderKeyKind = "canteen-order"

// OrderKey is the idempotency key of an order's credit spending and
// delivery task.
func OrderKey(orderID int) string { return fmt.Sprintf("%s:%d", OrderKeyKind, orderID) }

// PlaceOrder orders a meal. In one transaction it writes the order, spends
// credit, dispatches the delivery, writes the event and, last, takes one
// place of the menu's capacity with a conditional update (ordered <
// capacity: the database decides who gets the last place, and the hot menu
// row stays locked only until the commit). All of it is written, or
// nothing.
func (s *Service) PlaceOrder(ctx context.Context, in OrderInput) (*ent.MealOrder, error) {
	p, err := s.prepare(ctx, in, false)
	if err != nil {
		return nil, err
	}
	if p.price.CreditMinutes > 0 {
		if err := s.spender.Open(ctx, p.v.ResidentID, p.canteen.CommunityID); err != nil {
			return nil, err
		}
	}
	sys := viewer.SystemContext(ctx)
	var id int
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		create := tx.MealOrder.Create().
			SetCanteenID(p.canteen.ID).SetCommunityID(p.canteen.CommunityID).SetMenuID(p.menu.ID).
			SetDate(p.menu.Date).SetPeriod(mealorder.Period(p.period.Kind)).
			SetBeneficiaryID(p.beneficiary.ID).SetOrderedByID(p.v.ResidentID).
			SetRecipientName(p.beneficiary.Name).SetFulfillment(p.in.Fulfillment).
			SetTier(p.price.Tier).SetListPrice(p.price.ListPrice).SetSubsidy(p.price.Subsidy).
			SetCreditMinutes(p.price.CreditMinutes).SetCreditValue(p.price.CreditValue).
			SetAmountPaid(p.price.AmountPaid).SetPickupCode(s.code()).SetNote(p.in.Note).
			SetCreatedAt(s.now()).SetUpdatedAt(s.now())
		if p.place != nil {
			create.SetDeliveryAddress(p.place.Address).SetDeliveryGridID(p.place.GridID)
		}
		o, err := create.Save(sys)
		if ent.IsConstraintError(err) {
			// Another order for the same beneficiary and meal committed
			// since prepare looked: the unique index decides. Say which
			// once this transaction has ended: on SQLite a query outside
			// it now would wait for a pooled connection that the waiting
			// writers hold.
			return errRaced
		}
		if err != nil {
			return err
		}
		id = o.ID
		items := make([]*ent.MealOrderItemCreate, len(p.in.Items))
		for i, it := range p.in.Items {
			d := p.dishes[it.MenuItemID]
			items[i] = tx.MealOrderItem.Create().SetOrderID(o.ID).SetMenuItemID(d.ID).
				SetName(d.Name).SetQuantity(it.Quantity).SetUnitPrice(d.Price)
		}
		if err := tx.MealOrderItem.CreateBulk(items...).Exec(sys); err != nil {
			return err
		}
		// The memo and the volunteer's task read in the street's language.
		what := i18n.Params("canteen", p.canteen.Name, "period", string(p.period.Kind), "date", p.menu.Date)
		if p.price.CreditMinutes > 0 {
			if _, err := s.spender.Spend(ctx, tx, credit.Spend{
				ResidentID: p.v.ResidentID, Minutes: p.price.CreditMinutes,
				CommunityID: p.canteen.CommunityID, Memo: i18n.MealMemo.RenderTitle(i18n.Default, what), Key: OrderKey(o.ID),
			}); err != nil {
				return err
			}
		}
		if p.place != nil && s.dispatcher != nil {
			start, end, err := serving(p.period, p.menu.Date)
			if err != nil {
				return err
			}
			task := append(what, i18n.Params("name", p.beneficiary.Name, "from", p.canteen.Address, "to", p.place.Address)...)
			taskID, err := s.dispatcher.Dispatch(ctx, tx, dispatch.Task{
				CommunityID: p.canteen.CommunityID, GridID: p.place.GridID, PlaceID: p.place.ID,
				Title:   i18n.DeliverMealTask.RenderTitle(i18n.Default, task),
				Details: i18n.DeliverMealTask.RenderBody(i18n.Default, task),
				Start:   start, End: end, Minutes: deliveryMinutes, Key: OrderKey(o.ID),
			})
			if err != nil {
				return err
			}
			if err := tx.MealOrder.UpdateOneID(o.ID).SetDispatchTaskID(taskID).Exec(sys); err != nil {
				return err
			}
		}
		// A beneficiary hears when someone else orders for them.
		var notify []int
		var note realtime.NotificationContent
		if p.beneficiary.ID != p.v.ResidentID {
			orderer, err := tx.Resident.Get(sys, p.v.ResidentID)
			if err != nil {
				return err
			}
			notify = []int{p.beneficiary.ID}
			note = realtime.Note(notification.KindMEAL_ORDER, i18n.MealOrderedForYou,
				"orderer", orderer.Name, "period", string(p.period.Kind), "date", p.menu.Date,
				"canteen", p.canteen.Name, "fulfillment", string(p.in.Fulfillment), "amount", Yuan(p.price.AmountPaid))
		}
		if err := s.emit(ctx, tx, o, "meal_order.placed", notify, note); err != nil {
			return err
		}
		// The key before the place: a concurrent duplicate waits on the
		// key without holding the hot menu row.
		if err := idempotency.Record(ctx, tx, o.ID); err != nil {
			return err
		}
		// Take the place last: the menu row is the one every order of the
		// meal updates, so its lock is held only from here to the commit.
		n, err := tx.Menu.Update().
			Where(menu.ID(p.menu.ID), func(sel *sql.Selector) {
				sel.Where(sql.ColumnsLT(sel.C(menu.FieldOrdered), sel.C(menu.FieldCapacity)))
			}).
			AddOrdered(1).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return full(p.period, p.menu)
		}
		return nil
	})
	if errors.Is(err, errRaced) {
		if err := s.noOtherMeal(ctx, s.client, p); err != nil {
			return nil, err
		}
		return nil, apperr.New(apperr.Conflict, "the order could not be placed; try again")
	}
	if err != nil {
		return nil, err
	}
	return s.client.MealOrder.Get(ctx, id)
}

// noOtherMeal refuses a second meal for the same beneficiary from the same
// menu (a cancelled order does not count).
func (s *Service) noOtherMeal(ctx context.Context, c *ent.Client, p *prepared) error {
	other, err := c.MealOrder.Query().Where(mealorder.MenuID(p.menu.ID), mealorder.BeneficiaryID(p.beneficiary.ID),
		mealorder.StatusNEQ(mealorder.StatusCANCELLED)).First(viewer.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	by := "by themselves"
	if other.OrderedByID != other.BeneficiaryID {
		orderer, err := c.Resident.Get(viewer.SystemContext(ctx), other.OrderedByID)
		if err != nil {
			return err
		}
		by = "by " + orderer.Name
	}
	return apperr.New(apperr.Conflict, "%s already has %s on %s (ordered %s); cancel that order first to change it",
		p.beneficiary.Name, strings.ToLower(string(p.period.Kind)), p.menu.Date, by)
}

// errRaced marks an order that lost to a concurrent one on a unique index.
var errRaced = errors.New("canteen: a concurrent order for the same meal won")

// full is the answer to an order for a meal with no place left.
func full(p *ent.MealPeriod, m *ent.Menu) error {
	return apperr.New(apperr.Conflict, "%s on %s is fully booked (%d meals)",
		strings.ToLower(string(p.Kind)), m.Date, m.Capacity)
}

// deliveryMinutes is the time credited to a volunteer for one delivery.
const deliveryMinutes = 30

// serving returns when period is served on date.
func serving(p *ent.MealPeriod, date string) (start, end time.Time, err error) {
	d, err := day(date)
	if err != nil {
		return start, end, err
	}
	at := func(hhmm string) time.Time {
		var h, m int
		fmt.Sscanf(hhmm, "%d:%d", &h, &m)
		return d.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	return at(p.ServesFrom), at(p.ServesUntil), nil
}

// CancelOrder cancels an order before its cut-off: the place goes back to
// the menu, credit is refunded and the delivery task withdrawn, in one
// transaction. The beneficiary, whoever placed it, the beneficiary's
// guardians and the canteen's staff may cancel; the others of them are
// notified.
func (s *Service) CancelOrder(ctx context.Context, id int) (*ent.MealOrder, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.client.MealOrder.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "meal order not found")
	}
	if err != nil {
		return nil, err
	}
	if !v.ActsFor(o.BeneficiaryID) && o.OrderedByID != v.ResidentID && !runs(v, o.CommunityID) {
		return nil, apperr.New(apperr.Forbidden, "only the beneficiary, whoever ordered it, their guardians and the canteen's staff can cancel an order")
	}
	sys := viewer.SystemContext(ctx)
	period, err := s.client.Menu.Query().Where(menu.ID(o.MenuID)).QueryPeriod().Only(sys)
	if err != nil {
		return nil, err
	}
	cutoff, err := Cutoff(period, o.Date)
	if err != nil {
		return nil, err
	}
	if !s.now().Before(cutoff) {
		return nil, apperr.New(apperr.Conflict, "orders for %s on %s could be cancelled until %s",
			strings.ToLower(string(o.Period)), o.Date, describeCutoff(cutoff))
	}
	// The others of the family hear of it (not whoever cancels).
	family, err := s.family(ctx, o)
	if err != nil {
		return nil, err
	}
	notify := slices.DeleteFunc(family, func(id int) bool { return id == v.ResidentID })
	var note realtime.NotificationContent
	if len(notify) > 0 {
		canceller, err := s.client.Resident.Get(sys, v.ResidentID)
		if err != nil {
			return nil, err
		}
		note = realtime.Note(notification.KindMEAL_ORDER, i18n.MealCancelled,
			"recipient", o.RecipientName, "period", string(o.Period), "date", o.Date, "canceller", canceller.Name)
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		n, err := tx.MealOrder.Update().
			Where(mealorder.ID(o.ID), mealorder.StatusEQ(mealorder.StatusPLACED)).
			SetStatus(mealorder.StatusCANCELLED).SetCancelledAt(s.now()).SetUpdatedAt(s.now()).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "only a PLACED order can be cancelled; this one is %s", o.Status)
		}
		if err := tx.Menu.UpdateOneID(o.MenuID).AddOrdered(-1).Exec(sys); err != nil {
			return err
		}
		if o.CreditMinutes > 0 {
			if s.spender == nil {
				return apperr.New(apperr.Internal, "the order was paid with credit, but this server has no time bank to refund it")
			}
			if err := s.spender.Refund(ctx, tx, OrderKey(o.ID), "cancelled: "+o.Date+" "+strings.ToLower(string(o.Period))); err != nil {
				return err
			}
		}
		if o.DispatchTaskID != nil && s.dispatcher != nil {
			if err := s.dispatcher.Cancel(ctx, tx, OrderKey(o.ID), "the meal order was cancelled"); err != nil {
				return err
			}
		}
		o.Status = mealorder.StatusCANCELLED
		if err := s.emit(ctx, tx, o, "meal_order.cancelled", notify, note); err != nil {
			return err
		}
		return idempotency.Record(ctx, tx, o.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.client.MealOrder.Get(ctx, id)
}

// next lists the steps staff may take from each status.
var next = map[mealorder.Status][]mealorder.Status{
	mealorder.StatusPLACED:           {mealorder.StatusPREPARING},
	mealorder.StatusPREPARING:        {mealorder.StatusREADY},
	mealorder.StatusREADY:            {mealorder.StatusOUT_FOR_DELIVERY, mealorder.StatusCOLLECTED},
	mealorder.StatusOUT_FOR_DELIVERY: {mealorder.StatusDELIVERED},
}

// AdvanceOrder moves an order to its next status (canteen staff): PLACED →
// PREPARING → READY → OUT_FOR_DELIVERY → DELIVERED for a delivery, READY →
// COLLECTED otherwise, each step on the meal's own day only. The
// beneficiary, whoever ordered and the beneficiary's guardians are notified
// when it is ready and when it leaves. Delivering it completes or withdraws
// its volunteer task (dispatch.Dispatcher.Finish) in the same
// transaction.
func (s *Service) AdvanceOrder(ctx context.Context, id int, to mealorder.Status) (*ent.MealOrder, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.client.MealOrder.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "meal order not found")
	}
	if err != nil {
		return nil, err
	}
	if !runs(v, o.CommunityID) {
		return nil, apperr.New(apperr.Forbidden, "only the canteen's staff move an order along")
	}
	delivery := o.Fulfillment == mealorder.FulfillmentDELIVERY
	switch {
	case !slices.Contains(next[o.Status], to),
		to == mealorder.StatusOUT_FOR_DELIVERY && !delivery,
		to == mealorder.StatusCOLLECTED && delivery:
		return nil, apperr.New(apperr.Conflict, "a %s order that is %s cannot become %s", o.Fulfillment, o.Status, to)
	}
	if err := s.onItsDay(o, to); err != nil {
		return nil, err
	}
	var note realtime.NotificationContent
	var notify []int
	switch to {
	case mealorder.StatusREADY:
		msg := i18n.MealReadyForPickUp
		if delivery {
			msg = i18n.MealReadyForDelivery
		}
		note = realtime.Note(notification.KindMEAL_ORDER, msg,
			"recipient", o.RecipientName, "period", string(o.Period), "code", o.PickupCode)
	case mealorder.StatusOUT_FOR_DELIVERY:
		note = realtime.Note(notification.KindMEAL_ORDER, i18n.MealOnItsWay,
			"recipient", o.RecipientName, "period", string(o.Period), "code", o.PickupCode)
	}
	if note.Kind != "" {
		if notify, err = s.family(ctx, o); err != nil {
			return nil, err
		}
	}
	sys := viewer.SystemContext(ctx)
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		n, err := tx.MealOrder.Update().Where(mealorder.ID(o.ID), mealorder.StatusEQ(o.Status)).
			SetStatus(to).SetUpdatedAt(s.now()).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "the order changed meanwhile; load it again")
		}
		if to == mealorder.StatusDELIVERED && o.DispatchTaskID != nil && s.dispatcher != nil {
			if err := s.dispatcher.Finish(ctx, tx, OrderKey(o.ID), "the canteen delivered the meal"); err != nil {
				return err
			}
		}
		return s.emit(ctx, tx, o, "meal_order."+strings.ToLower(string(to)), notify, note)
	})
	if err != nil {
		return nil, err
	}
	return s.client.MealOrder.Get(ctx, id)
}

// onItsDay refuses to move o to a status after PLACED (to) on any day but
// the meal's own, in the canteens' zone: a meal for tomorrow is not
// prepared, nor on its way, today.
func (s *Service) onItsDay(o *ent.MealOrder, to mealorder.Status) error {
	if today := s.now().In(localtime.Zone).Format(time.DateOnly); today != o.Date {
		return apperr.New(apperr.Conflict, "an order for %s on %s becomes %s on that day only (today is %s)",
			strings.ToLower(string(o.Period)), o.Date, to, today)
	}
	return nil
}

// family returns who hears about an order: the beneficiary, whoever
// ordered it and the beneficiary's active guardians.
func (s *Service) family(ctx context.Context, o *ent.MealOrder) ([]int, error) {
	ids := []int{o.BeneficiaryID}
	if o.OrderedByID != o.BeneficiaryID {
		ids = append(ids, o.OrderedByID)
	}
	guardians, err := s.client.Guardianship.Query().
		Where(guardianship.DependentID(o.BeneficiaryID), guardianship.StatusEQ(guardianship.StatusACTIVE)).
		Select(guardianship.FieldGuardianID).Ints(viewer.SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	for _, g := range guardians {
		if !slices.Contains(ids, g) {
			ids = append(ids, g)
		}
	}
	return ids, nil
}

// emit writes the event of a change of o: subscribers of the order and of
// its canteen hear of it live; notify get note in their inbox.
func (s *Service) emit(ctx context.Context, tx *ent.Tx, o *ent.MealOrder, kind string, notify []int, note realtime.NotificationContent) error {
	_, err := s.outbox.Emit(ctx, tx, realtime.Event{
		Kind:      kind,
		Topics:    []string{realtime.NodeTopic(o.ID), realtime.NodeTopic(o.CanteenID)},
		SubjectID: o.ID, Notify: notify, Notification: note,
	})
	return err
}

// Tier returns the tier o was priced at for whoever may see why it is
// subsidised (authz.SeesSubsidyCategory), and nil for the others (canteen
// staff): they see Subsidised and the amounts.
func (s *Service) Tier(ctx context.Context, o *ent.MealOrder) *mealorder.Tier {
	if !authz.SeesSubsidyCategory(viewer.FromContext(ctx), o) {
		return nil
	}
	return &o.Tier
}

// Subsidised reports whether the street pays part of o (whichever tier).
func Subsidised(o *ent.MealOrder) bool { return o.Subsidy > 0 }

// runs reports whether v runs the canteens of the community.
func runs(v *viewer.Viewer, communityID int) bool { return authz.RunsCanteen(v, communityID) }

// joinTiers lists tiers for a message.
func joinTiers(tiers []mealorder.Tier) string {
	s := make([]string, len(tiers))
	for i, t := range tiers {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
