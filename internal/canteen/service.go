// Package canteen runs the community canteens (社區食堂): menus per date and
// meal period, meal orders for oneself or a dependent with prices computed
// on the server from the canteen's subsidy tiers, capacity that concurrent
// orders never exceed, the order cut-off, the kitchen's counts and delivery
// list, and the monthly subsidy report.
//
// Writes happen as the system after the service has checked the caller;
// reads go through the caller's context, so the privacy rules of
// internal/authz decide what they see. Time-bank credit (credit.Spender)
// and volunteer delivery (dispatch.Dispatcher) are optional seams called in
// the order's own transaction.
package canteen

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/credit"
	"github.com/jimei-linli/linli/internal/dispatch"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Service runs the canteens.
type Service struct {
	client     *ent.Client
	outbox     *realtime.Outbox
	now        func() time.Time
	spender    credit.Spender
	dispatcher dispatch.Dispatcher
	code       func() string
}

// Option configures a Service.
type Option func(*Service)

// WithSpender lets orders be paid in part with time-bank credit through s.
// Without it, asking to use credit is refused.
func WithSpender(s credit.Spender) Option { return func(svc *Service) { svc.spender = s } }

// WithDispatcher hands home deliveries to volunteer dispatch through d.
// Without it, canteen staff deliver themselves.
func WithDispatcher(d dispatch.Dispatcher) Option {
	return func(svc *Service) { svc.dispatcher = d }
}

// New returns a canteen service writing through client and outbox, reading
// the time from now.
func New(client *ent.Client, outbox *realtime.Outbox, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{client: client, outbox: outbox, now: now, code: pickupCode}
	for _, o := range opts {
		o(s)
	}
	return s
}

// pickupCode returns a random 6-digit code.
func pickupCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// staffOf loads canteen id as the system and checks that v runs it.
func (s *Service) staffOf(ctx context.Context, v *viewer.Viewer, id int) (*ent.Canteen, error) {
	c, err := s.client.Canteen.Get(viewer.SystemContext(ctx), id)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "canteen not found")
	}
	if err != nil {
		return nil, err
	}
	if !authz.RunsCanteen(v, c.CommunityID) {
		return nil, apperr.New(apperr.Forbidden, "only the staff of %s and its community's admins can do this", c.Name)
	}
	return c, nil
}

// day parses a meal day (YYYY-MM-DD) as midnight in Shanghai.
func day(date string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, date, localtime.Zone)
	if err != nil {
		return time.Time{}, apperr.New(apperr.BadUserInput, "a date is written YYYY-MM-DD, e.g. 2026-11-26")
	}
	return t, nil
}

// Cutoff returns when orders for period on date close.
func Cutoff(p *ent.MealPeriod, date string) (time.Time, error) {
	d, err := day(date)
	if err != nil {
		return time.Time{}, err
	}
	var h, m int
	if _, err := fmt.Sscanf(p.OrderCutoff, "%d:%d", &h, &m); err != nil {
		return time.Time{}, fmt.Errorf("canteen: period %d: bad cut-off %q", p.ID, p.OrderCutoff)
	}
	return d.AddDate(0, 0, -p.CutoffDaysBefore).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute), nil
}

// describeCutoff says when a cut-off is, for messages.
func describeCutoff(t time.Time) string {
	return t.In(localtime.Zone).Format("2006-01-02 15:04")
}
