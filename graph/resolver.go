// Package graph holds Linli's GraphQL resolvers. They are thin: each turns a
// GraphQL field into one call of ent or of an internal/<capability> package.
// The executable schema gqlgen generates lives in graph/generated.
package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/graph/generated"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/auth"
	"github.com/jimei-linli/linli/internal/broadcast"
	"github.com/jimei-linli/linli/internal/canteen"
	"github.com/jimei-linli/linli/internal/notify"
	"github.com/jimei-linli/linli/internal/personaldata"
	"github.com/jimei-linli/linli/internal/push"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/roster"
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
	now        func() time.Time

	// The canteens, and the options (seams) they are built with.
	canteens    *canteen.Service
	canteenOpts []canteen.Option
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

// WithClock sets the clock that business rules read (deadlines, cut-offs,
// slots); tests move it instead of sleeping. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(r *Resolver) { r.now = now }
}

// WithCanteen passes options to the canteen service, e.g. the time bank
// (canteen.WithSpender) and volunteer dispatch (canteen.WithDispatcher).
func WithCanteen(opts ...canteen.Option) Option {
	return func(r *Resolver) { r.canteenOpts = append(r.canteenOpts, opts...) }
}

// NewSchema returns the executable GraphQL schema backed by client.
func NewSchema(client *ent.Client, opts ...Option) graphql.ExecutableSchema {
	r := &Resolver{
		client:   client,
		roster:   roster.New(client, nil),
		personal: personaldata.New(client, nil, canteen.PersonalDataSections()...),
		devices:  push.NewDevices(client, nil),
		hub:      realtime.NewHub(nil),
		outbox:   realtime.NewOutbox(nil, nil),
		now:      time.Now,
	}
	for _, o := range opts {
		o(r)
	}
	r.inbox = notify.New(client, r.hub, nil)
	r.broadcasts = broadcast.New(client, r.outbox, nil)
	r.canteens = canteen.New(client, r.outbox, r.now, r.canteenOpts...)
	return generated.NewExecutableSchema(generated.Config{Resolvers: r})
}

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
