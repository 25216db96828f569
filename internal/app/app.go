// Package app is Linli's composition root: New builds every service once,
// from the configuration, the store's client and the real-time parts, and
// wires the seams between capabilities. `linli serve`, the API tests and
// the end-to-end tests all build their services here, so they run the same
// wiring; the GraphQL schema (graph.NewSchema) serves what New built and the
// periodic jobs (Jobs) run its clocks.
//
// A new capability adds its service to Services and one line to New.
package app

import (
	"slices"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/accesslog"
	"github.com/jimei-linli/linli/internal/appeal"
	"github.com/jimei-linli/linli/internal/auth"
	"github.com/jimei-linli/linli/internal/broadcast"
	"github.com/jimei-linli/linli/internal/canteen"
	"github.com/jimei-linli/linli/internal/care"
	"github.com/jimei-linli/linli/internal/config"
	"github.com/jimei-linli/linli/internal/guardianship"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/notify"
	"github.com/jimei-linli/linli/internal/personaldata"
	"github.com/jimei-linli/linli/internal/push"
	"github.com/jimei-linli/linli/internal/ratelimit"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/redneighbor"
	"github.com/jimei-linli/linli/internal/roster"
	"github.com/jimei-linli/linli/internal/schedule"
	"github.com/jimei-linli/linli/internal/timebank"
)

// Parts are what the services are built on: the database client, the one
// clock, the real-time backbone and sign-in (which brings its SMS sender
// and rate limiter from the process's infrastructure).
type Parts struct {
	// Client is the store's ent client. Required.
	Client *ent.Client
	// Now is the one business clock every service reads. Required.
	Now func() time.Time
	// Hub fans live events out to this instance's subscriptions; Outbox
	// writes events in the services' transactions. Required.
	Hub    *realtime.Hub
	Outbox *realtime.Outbox
	// Auth signs residents in; nil: the sign-in mutations answer that
	// sign-in is not configured.
	Auth *auth.Service
	// Limiter counts the rate-limited operations outside sign-in; nil:
	// sign-in's (shared by instances when it is), else one in process.
	Limiter ratelimit.Limiter
}

// Services are every service Linli runs, built once by New.
type Services struct {
	// Client is the store's ent client the services share.
	Client *ent.Client
	// Now is the business clock.
	Now func() time.Time
	// Hub and Outbox are the real-time parts the services were built on.
	Hub    *realtime.Hub
	Outbox *realtime.Outbox

	Auth       *auth.Service
	Accesses   *accesslog.Service
	Devices    *push.Devices
	Roster     *roster.Roster
	Inbox      *notify.Inbox
	Broadcasts *broadcast.Service
	Requests   *appeal.Service
	Care       *care.Service
	Guardians  *guardianship.Service
	TimeBank   *timebank.Service
	Help       *redneighbor.Service
	Canteens   *canteen.Service
	Personal   *personaldata.Service
	Keys       *idempotency.Keys

	jobs []schedule.Job
}

// New builds every service from cfg and p, and wires the seams between
// them.
func New(cfg config.Config, p Parts) *Services {
	s := &Services{Client: p.Client, Now: p.Now, Hub: p.Hub, Outbox: p.Outbox, Auth: p.Auth}
	c, o, now := p.Client, p.Outbox, p.Now
	// The hub fills a gap or a broker reconnect from the outbox, once for
	// the instance, instead of sending every stream to catch up.
	p.Hub.SetHistory(realtime.NewHistory(c))
	limiter := p.Limiter
	if limiter == nil && p.Auth != nil {
		limiter = p.Auth.Limiter()
	}
	s.Accesses = accesslog.New(c, now)
	s.Devices = push.NewDevices(c, now)
	s.Roster = roster.New(c, o, now)
	s.Inbox = notify.New(c, p.Hub, now)
	s.Broadcasts = broadcast.New(c, o, now)
	s.Requests = appeal.New(c, o, now, appeal.DeadlinesFrom(cfg.RequestDeadlines))
	s.Care = care.New(c, o, now, care.Options{OfferTTL: cfg.CareOfferTTL, CancelCutoff: cfg.CareCancelCutoff})
	s.Guardians = guardianship.New(c, o, now, limiter)
	s.TimeBank = timebank.New(c, o, now, cfg.TimeBankCreditMinutes)
	s.Help = redneighbor.New(c, o, s.TimeBank, now, cfg.HelpWidenAfter, redneighbor.WithCheckInGrace(cfg.CheckInGrace))
	// Meals can be paid partly with time-bank credit, and home deliveries
	// become volunteer tasks (the credit and dispatch seams).
	s.Canteens = canteen.New(c, o, now, canteen.WithSpender(s.TimeBank), canteen.WithDispatcher(s.Help))
	// Volunteer dispatch asks the canteen about its delivery tasks: a task
	// for an order delivered or cancelled cannot be taken, and the
	// volunteer who checks out of one delivers the order.
	s.Help.AnswerFor(canteen.OrderKeyKind, s.Canteens.Deliveries())
	// Last, as it closes each capability's business when an account is
	// deleted; guardianships end after the rest, so that guardians hear of
	// the cancellations.
	s.Personal = personaldata.New(c, o, now, personalDataSections(),
		appeal.Eraser, s.Care.Eraser(), s.Help.Eraser(), s.Canteens.Eraser(), s.Guardians.Eraser())
	s.Keys = idempotency.New(c, now)

	windows := personaldata.RetentionFrom(cfg.Retention, cfg.AccessLogRetention)
	windows.IdempotencyKeys = cfg.IdempotencyWindow
	s.jobs = slices.Concat([]schedule.Job{s.Requests.Job(requestClockEvery), s.Help.WidenJob(), s.Personal.RetentionJob(windows)},
		s.Care.Jobs(careTick))
	return s
}

// Jobs are the periodic jobs of the services (the 54321 clock, widening
// help requests, care offers and slots, retention), for schedule.Start.
func (s *Services) Jobs() []schedule.Job { return slices.Clone(s.jobs) }

// requestClockEvery is how often each instance looks for overdue requests
// when no deadline wakes it sooner.
const requestClockEvery = 30 * time.Second

// careTick is how often the care jobs look for lapsed offers and slots.
const careTick = 15 * time.Second

// personalDataSections are the export sections the capabilities register
// (personaldata adds its own core sections).
func personalDataSections() []personaldata.Section {
	return slices.Concat([]personaldata.Section{appeal.PersonalData, care.PersonalData},
		redneighbor.PersonalData(), canteen.PersonalDataSections())
}
