// Package redneighbor runs Red Neighbor's help requests (鄰呼我應): a
// resident (or their guardian) asks; the volunteers and red stewards of the
// resident's grid hear of it at once; if nobody offers within the
// configured time it widens to the volunteers of the whole community
// (Widen, a scheduled job that claims each request in the database);
// volunteers offer; the requester accepts one, or the first offer is taken
// automatically; the requester, their guardian or the grid's staff confirm
// completion, and the time bank credits the volunteer at once. Every state
// change is a conditional UPDATE on the request's status, so two volunteers
// accepting at once cannot both win. It also lets residents join and leave
// volunteer teams (熱心人隊伍).
package redneighbor

import (
	"context"
	stdsql "database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/helprequest"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/dispatch"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/schedule"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/timebank"
	"github.com/jimei-linli/linli/internal/viewer"
)

// DefaultWidenAfter is how long a help request waits for an offer from its
// grid before the whole community hears of it, unless configured.
const DefaultWidenAfter = 15 * time.Minute

// MaxMinutes bounds the time one help request may credit: a working day.
const MaxMinutes = 480

// DefaultCheckInGrace is how long before a volunteer task's window its
// volunteers may check in, unless configured.
const DefaultCheckInGrace = 30 * time.Minute

// Service runs help requests and volunteer teams.
type Service struct {
	client     *ent.Client
	outbox     *realtime.Outbox
	bank       *timebank.Service
	now        func() time.Time
	widenAfter time.Duration
	grace      time.Duration
	// subjects answer for the tasks other parts of Linli dispatched, by
	// the kind of their key (dispatch.KindOf); set while wiring, read-only
	// once serving.
	subjects map[string]dispatch.Subject
}

// Option configures a Service.
type Option func(*Service)

// WithCheckInGrace lets volunteers check in to a task up to grace before
// its window starts (DefaultCheckInGrace when not given, or not positive).
func WithCheckInGrace(grace time.Duration) Option {
	return func(s *Service) {
		if grace > 0 {
			s.grace = grace
		}
	}
}

// New returns the service; completed requests are paid through bank.
func New(client *ent.Client, outbox *realtime.Outbox, bank *timebank.Service, now func() time.Time, widenAfter time.Duration, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	if outbox == nil {
		outbox = realtime.NewOutbox(nil, now)
	}
	if widenAfter <= 0 {
		widenAfter = DefaultWidenAfter
	}
	s := &Service{client: client, outbox: outbox, bank: bank, now: now, widenAfter: widenAfter,
		grace: DefaultCheckInGrace, subjects: map[string]dispatch.Subject{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// AnswerFor registers subject as the side that answers for the tasks
// dispatched under keys of kind (dispatch.KindOf), e.g. the canteen for
// "canteen-order": volunteers cannot take or check in to a task whose
// subject is no longer deliverable, and checking out of it tells the
// subject the work is done. Call it while wiring, before serving.
func (s *Service) AnswerFor(kind string, subject dispatch.Subject) { s.subjects[kind] = subject }

// clock is the service's time, in UTC to the microsecond.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Ask is a call for help.
type Ask struct {
	// ForResidentID is whom it is for: 0 for the caller, or a dependent.
	ForResidentID int
	Kind          helprequest.Kind
	Title         string
	Details       string
	Location      string
	WindowStart   time.Time
	WindowEnd     time.Time
	Minutes       int
	AutoAccept    bool
}

// Ask files a help request and tells the volunteers of the requester's
// grid.
func (s *Service) Ask(ctx context.Context, a Ask) (*ent.HelpRequest, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	forID := v.ResidentID
	if a.ForResidentID != 0 {
		forID = a.ForResidentID
	}
	if !v.ActsFor(forID) {
		return nil, apperr.New(apperr.Forbidden, "you can ask for help for yourself or for a resident you are the guardian of")
	}
	a.Title, a.Details, a.Location = strings.TrimSpace(a.Title), strings.TrimSpace(a.Details), strings.TrimSpace(a.Location)
	now := s.clock()
	switch {
	case helprequest.KindValidator(a.Kind) != nil:
		return nil, apperr.New(apperr.BadUserInput, "unknown kind of help %q", a.Kind)
	case a.Title == "" || len([]rune(a.Title)) > 200:
		return nil, apperr.New(apperr.BadUserInput, "a title has 1 to 200 characters")
	case a.Location == "" || len([]rune(a.Location)) > 300:
		return nil, apperr.New(apperr.BadUserInput, "a location has 1 to 300 characters")
	case len([]rune(a.Details)) > 2000:
		return nil, apperr.New(apperr.BadUserInput, "details have at most 2000 characters")
	case a.Minutes < 1 || a.Minutes > MaxMinutes:
		return nil, apperr.New(apperr.BadUserInput, "the time needed is 1 to %d minutes", MaxMinutes)
	case !a.WindowEnd.After(a.WindowStart):
		return nil, apperr.New(apperr.BadUserInput, "the time window must end after it starts")
	case !a.WindowEnd.After(now):
		return nil, apperr.New(apperr.BadUserInput, "the time window is already over")
	}
	sys := viewer.SystemContext(ctx)
	who, err := s.client.Resident.Query().Where(resident.ID(forID), resident.DeletedAtIsNil()).WithGrid().Only(sys)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "no such resident")
	}
	if who.Edges.Grid == nil {
		return nil, apperr.New(apperr.Conflict, "help requests go to the volunteers of a grid: register the household first")
	}
	g := who.Edges.Grid
	var id int
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		r, err := tx.HelpRequest.Create().
			SetRequesterID(forID).SetRequesterName(who.Name).SetCreatedByID(v.ResidentID).
			SetGridID(g.ID).SetCommunityID(g.CommunityID).
			SetKind(a.Kind).SetTitle(a.Title).SetDetails(a.Details).SetLocation(a.Location).
			SetWindowStart(a.WindowStart.UTC()).SetWindowEnd(a.WindowEnd.UTC()).
			SetMinutes(a.Minutes).SetAutoAccept(a.AutoAccept).
			SetWidenAt(now.Add(s.widenAfter)).SetCreatedAt(now).SetUpdatedAt(now).
			Save(sys)
		if err != nil {
			return err
		}
		id = r.ID
		volunteers, err := s.volunteers(sys, tx.Client(), roleassignment.GridID(g.ID))
		if err != nil {
			return err
		}
		if err := s.emit(ctx, tx, r, "help.requested", without(volunteers, forID, v.ResidentID),
			i18n.HelpRequested, "title", a.Title, "requester", who.Name, "location", a.Location, "minutes", a.Minutes); err != nil {
			return err
		}
		return idempotency.Record(ctx, tx, r.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.client.HelpRequest.Get(ctx, id)
}

// volunteers returns the residents who hold a volunteer role (VOLUNTEER or
// RED_STEWARD) where the predicates say, each once.
func (s *Service) volunteers(ctx context.Context, c *ent.Client, where ...predicate.RoleAssignment) ([]int, error) {
	ids, err := c.RoleAssignment.Query().
		Where(append(where, roleassignment.RoleIn(roleassignment.RoleVOLUNTEER, roleassignment.RoleRED_STEWARD))...).
		Order(roleassignment.ByResidentID()).
		Select(roleassignment.FieldResidentID).Ints(viewer.SystemContext(ctx))
	return slices.Compact(ids), err
}

// without returns ids, each once, without the given residents.
func without(ids []int, drop ...int) []int {
	var out []int
	for _, id := range ids {
		if !slices.Contains(drop, id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// topics are where a request's changes are heard: its own topic, its grid,
// and its community once widened.
func topics(r *ent.HelpRequest) []string {
	t := []string{realtime.NodeTopic(r.ID), realtime.GridTopic(r.GridID)}
	if r.Reach == helprequest.ReachCOMMUNITY {
		t = append(t, realtime.CommunityTopic(r.CommunityID))
	}
	return t
}

// emit writes the event of a change of r in tx, with a HELP_REQUEST
// notification of msg (with parameters as alternating names and values)
// for each of notify.
func (s *Service) emit(ctx context.Context, tx *ent.Tx, r *ent.HelpRequest, kind string, notify []int, msg *i18n.Message, kv ...any) error {
	var note realtime.NotificationContent
	if msg != nil {
		note = realtime.Note(notification.KindHELP_REQUEST, msg, kv...)
	}
	return s.emitNote(ctx, tx, r, kind, notify, note)
}

// emitNote writes the event of a change of r in tx, with the notification
// note for each of notify (its kind says what it is about).
func (s *Service) emitNote(ctx context.Context, tx *ent.Tx, r *ent.HelpRequest, kind string, notify []int, note realtime.NotificationContent) error {
	_, err := s.outbox.Emit(ctx, tx, realtime.Event{
		Kind: kind, Topics: topics(r), SubjectID: r.ID, Notify: notify, Notification: note,
	})
	return err
}

// isNoRows reports whether an upsert that did nothing says so.
func isNoRows(err error) bool { return errors.Is(err, stdsql.ErrNoRows) }

// WidenJob is the scheduled job that widens help requests nobody in their
// grid answered in time and expires those whose window ended unanswered
// (every 30 seconds).
func (s *Service) WidenJob() schedule.Job {
	return schedule.Job{Name: "widen and expire help requests", Every: 30 * time.Second, Run: func(ctx context.Context) error {
		_, err := s.Expire(ctx)
		if err == nil {
			_, err = s.Widen(ctx)
		}
		return err
	}}
}
