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
	"github.com/jimei-linli/linli/internal/accesslog"
	"github.com/jimei-linli/linli/internal/app"
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
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/redneighbor"
	"github.com/jimei-linli/linli/internal/roster"
	"github.com/jimei-linli/linli/internal/timebank"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Resolver is the root resolver; it holds what resolvers call into: the
// services internal/app built.
type Resolver struct {
	client     *ent.Client
	auth       *auth.Service
	roster     *roster.Roster
	personal   *personaldata.Service
	devices    *push.Devices
	hub        *realtime.Hub
	inbox      *notify.Inbox
	broadcasts *broadcast.Service
	appeals    *appeal.Service
	timebank   *timebank.Service
	help       *redneighbor.Service
	now        func() time.Time
	care       *care.Service
	guardians  *guardianship.Service
	// accesses writes and lists the access log of sensitive reads.
	accesses *accesslog.Service
	canteens *canteen.Service
	// keys answers retried mutations (the @idempotent directive).
	keys *idempotency.Keys
}

// NewSchema returns the executable GraphQL schema serving svc, the
// services internal/app built (nil: a schema that serves nothing, for
// reading its definitions). It brings the handler extensions it must be
// served with (HandlerExtensions): the access log, which writes who read
// which sensitive records before each response leaves, and the response's
// batches of hidden-edge residents (batch.go); internal/server uses them.
func NewSchema(svc *app.Services) graphql.ExecutableSchema {
	if svc == nil {
		return generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}})
	}
	r := &Resolver{
		client: svc.Client, auth: svc.Auth, roster: svc.Roster, personal: svc.Personal,
		devices: svc.Devices, hub: svc.Hub, inbox: svc.Inbox, broadcasts: svc.Broadcasts,
		appeals: svc.Requests, timebank: svc.TimeBank, help: svc.Help, now: svc.Now,
		care: svc.Care, guardians: svc.Guardians, accesses: svc.Accesses, canteens: svc.Canteens,
		keys: svc.Keys,
	}
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
