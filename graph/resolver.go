// Package graph holds Linli's GraphQL resolvers. They are thin: each turns a
// GraphQL field into one call of ent or of an internal/<capability> package.
// The executable schema gqlgen generates lives in graph/generated.
package graph

import (
	"context"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/graph/generated"
	"github.com/jimei-linli/linli/internal/accesslog"
	"github.com/jimei-linli/linli/internal/appeal"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/auth"
	"github.com/jimei-linli/linli/internal/broadcast"
	"github.com/jimei-linli/linli/internal/canteen"
	"github.com/jimei-linli/linli/internal/care"
	"github.com/jimei-linli/linli/internal/guardianship"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/notify"
	"github.com/jimei-linli/linli/internal/personaldata"
	"github.com/jimei-linli/linli/internal/push"
	"github.com/jimei-linli/linli/internal/ratelimit"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/redneighbor"
	"github.com/jimei-linli/linli/internal/roster"
	"github.com/jimei-linli/linli/internal/timebank"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Resolver is the root resolver; it holds what resolvers call into.
type Resolver struct {
	client     *ent.Client
	auth       *auth.Service
	roster     *roster.Roster
	personal   *personaldata.Service
	devices    *push.Devices
	hub        *realtime.Hub
	outbox     *realtime.Outbox
	inbox      *notify.Inbox
	broadcasts *broadcast.Service
	appeals    *appeal.Service
	timebank   *timebank.Service
	help       *redneighbor.Service
	now        func() time.Time
	care       *care.Service
	guardians  *guardianship.Service
	// limiter counts rate-limited operations outside sign-in (nil: the
	// sign-in service's, else in process).
	limiter ratelimit.Limiter

	// accesses writes and lists the access log of sensitive reads.
	accesses *accesslog.Service

	// The canteens, and the options (seams) they are built with.
	canteens    *canteen.Service
	canteenOpts []canteen.Option

	// keys answers retried mutations (the @idempotent directive).
	keys *idempotency.Keys
}

// Option configures NewSchema.
type Option func(*Resolver)

// WithAuth enables sign-in through svc. Without it the sign-in mutations
// answer that sign-in is not configured.
func WithAuth(svc *auth.Service) Option {
	return func(r *Resolver) { r.auth = svc }
}

// WithRealtime connects the schema to the real-time backbone: events are
// written through outbox, subscriptions follow hub. Without it, a hub and
// an outbox of this process alone are used (no relay: fine for tests that
// do not subscribe).
func WithRealtime(hub *realtime.Hub, outbox *realtime.Outbox) Option {
	return func(r *Resolver) { r.hub, r.outbox = hub, outbox }
}

// WithClock sets the clock that every service of the schema reads: business
// rules (deadlines, cut-offs, slots) and the times they record (events,
// notifications read, audit records, devices). Tests move it instead of
// sleeping. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(r *Resolver) { r.now = now }
}

// WithRequests uses the given requests service (as configured by serve,
// which also runs its 54321 clock); without it one with DOMAIN.md's
// deadlines is built.
func WithRequests(svc *appeal.Service) Option {
	return func(r *Resolver) { r.appeals = svc }
}

// WithCare uses the given care service (as configured by serve, which also
// runs its offer and slot jobs); without it one with the default rules is
// built.
func WithCare(svc *care.Service) Option {
	return func(r *Resolver) { r.care = svc }
}

// WithRedNeighbor uses the given time bank and help-request services (as
// configured by serve, which also runs help.Widen on a schedule). Without it
// both are built with their defaults.
func WithRedNeighbor(bank *timebank.Service, help *redneighbor.Service) Option {
	return func(r *Resolver) { r.timebank, r.help = bank, help }
}

// WithCanteen passes options to the canteen service, e.g. the time bank
// (canteen.WithSpender) and volunteer dispatch (canteen.WithDispatcher).
func WithCanteen(opts ...canteen.Option) Option {
	return func(r *Resolver) { r.canteenOpts = append(r.canteenOpts, opts...) }
}

// NewSchema returns the executable GraphQL schema backed by client. It
// brings the handler extensions it must be served with (HandlerExtensions):
// the access log, which writes who read which sensitive records before
// each response leaves, and the response's batches of hidden-edge residents
// (batch.go); internal/server uses them.
func NewSchema(client *ent.Client, opts ...Option) graphql.ExecutableSchema {
	r := &Resolver{
		client: client,
		hub:    realtime.NewHub(nil),
		now:    time.Now,
	}
	for _, o := range opts {
		o(r)
	}
	// Every service reads the one clock, r.now: none falls back to the
	// wall clock behind a test's fixed instant.
	if r.outbox == nil {
		r.outbox = realtime.NewOutbox(nil, r.now)
	}
	r.accesses = accesslog.New(client, r.now)
	r.devices = push.NewDevices(client, r.now)
	r.roster = roster.New(client, r.outbox, r.now)
	r.inbox = notify.New(client, r.hub, r.now)
	r.broadcasts = broadcast.New(client, r.outbox, r.now)
	if r.appeals == nil {
		r.appeals = appeal.New(client, r.outbox, r.now, appeal.Deadlines{})
	}
	if r.care == nil {
		r.care = care.New(client, r.outbox, r.now, care.DefaultOptions)
	}
	if r.limiter == nil && r.auth != nil {
		r.limiter = r.auth.Limiter() // shared by instances when sign-in's is
	}
	r.guardians = guardianship.New(client, r.outbox, r.now, r.limiter)
	if r.timebank == nil {
		r.timebank = timebank.New(client, r.outbox, r.now, timebank.DefaultCreditLimit)
	}
	if r.help == nil {
		r.help = redneighbor.New(client, r.outbox, r.timebank, r.now, redneighbor.DefaultWidenAfter)
	}
	// Meals can be paid partly with time-bank credit, and home deliveries
	// become volunteer tasks (the credit and dispatch seams).
	r.canteens = canteen.New(client, r.outbox, r.now, slices.Concat(
		[]canteen.Option{canteen.WithSpender(r.timebank), canteen.WithDispatcher(r.help)}, r.canteenOpts)...)
	// Volunteer dispatch asks the canteen about its delivery tasks: a task
	// for an order delivered or cancelled cannot be taken, and the
	// volunteer who checks out of one delivers the order.
	r.help.AnswerFor(canteen.OrderKeyKind, r.canteens.Deliveries())
	// Last, as it closes each capability's business when an account is
	// deleted; guardianships end after the rest, so that guardians hear of
	// the cancellations.
	r.personal = personaldata.New(client, r.outbox, r.now, personalDataSections(),
		appeal.Eraser, r.care.Eraser(), r.help.Eraser(), r.canteens.Eraser(), r.guardians.Eraser())
	r.keys = idempotency.New(client, r.now)
	cfg := generated.Config{Resolvers: r}
	cfg.Directives.Idempotent = r.idempotent
	return extendedSchema{generated.NewExecutableSchema(cfg),
		[]graphql.HandlerExtension{r.accesses.Extension(), batchExtension{}}}
}

// extendedSchema is the executable schema with the handler extensions it
// needs.
type extendedSchema struct {
	graphql.ExecutableSchema
	extensions []graphql.HandlerExtension
}

// HandlerExtensions returns the extensions the schema must be served with.
func (s extendedSchema) HandlerExtensions() []graphql.HandlerExtension { return s.extensions }

// signIn returns the sign-in service, or an error when there is none.
func (r *Resolver) signIn() (*auth.Service, error) {
	if r.auth == nil {
		return nil, apperr.New(apperr.Internal, "sign-in is not configured on this server")
	}
	return r.auth, nil
}

// residentAs loads resident id for a response, as viewer v and with the
// fields the operation asks for collected, so that the nested fields (like
// personalInfo right after signIn) are read with v's rights.
func (r *Resolver) residentAs(ctx context.Context, v *viewer.Viewer, id int) (*ent.Resident, error) {
	return r.loadResident(viewer.NewContext(ctx, v), id)
}

// loadResident loads resident id with the fields the operation asks for.
func (r *Resolver) loadResident(ctx context.Context, id int) (*ent.Resident, error) {
	q, err := r.client.Resident.Query().Where(resident.ID(id)).CollectFields(ctx)
	if err != nil {
		return nil, err
	}
	return q.Only(ctx)
}

// deref returns *p, or the zero value for nil (an omitted argument).
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// pointers returns pointers to the elements of rows, as gqlgen wants lists
// of objects.
func pointers[T any](rows []T) []*T {
	out := make([]*T, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out
}

// visibleResident loads resident id as the viewer, or nil when they may not
// see them.
func (r *Resolver) visibleResident(ctx context.Context, id int) (*ent.Resident, error) {
	res, err := r.loadResident(ctx, id)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return res, err
}

// personalDataSections are the export sections the capabilities register
// (personaldata adds its own core sections).
func personalDataSections() []personaldata.Section {
	return slices.Concat([]personaldata.Section{appeal.PersonalData, care.PersonalData},
		redneighbor.PersonalData(), canteen.PersonalDataSections())
}
