package appeal

import (
	"context"
	"slices"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// step is what one action did: its timeline entry and who hears of it.
type step struct {
	kind     requestevent.Kind
	body     string
	internal bool
	contact  bool
	// level is the rung an ESCALATED entry records (0: the request's own).
	level int
	// notify get a notification of message msg (the actor never does),
	// with params and the entry's text (its body, else the request's
	// description) as parameter text.
	notify []int
	msg    *i18n.Message
	params []i18n.Param
	// returnsEvent says the call's result is the timeline entry (a note),
	// not the request: what a retry with the same idempotency key gets.
	returnsEvent bool
}

// action checks and applies one change to a locked request through tx.
type action func(ctx context.Context, tx *ent.Tx, r *ent.Request, v *viewer.Viewer, sc scope, now time.Time) (*step, error)

var errNotFound = apperr.New(apperr.NotFound, "request not found")

// act runs fn on request id for the viewer of ctx in one transaction: it
// locks the request's row (an UPDATE first, on both databases), lets fn
// check and change it, moves the 54321 clock to the stage the new state
// runs, writes the timeline entry and the outbox event. Either all of it
// is written or nothing.
func (s *Service) act(ctx context.Context, id int, fn action) (*ent.Request, *ent.RequestEvent, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.client.Request.Query().Where(request.ID(id)).OnlyID(ctx); err != nil {
		if ent.IsNotFound(err) {
			return nil, nil, errNotFound
		}
		return nil, nil, err
	}
	sys := viewer.SystemContext(ctx)
	var evID int
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		now := s.now()
		if err := tx.Request.UpdateOneID(id).SetUpdatedAt(now).Exec(sys); err != nil {
			return err
		}
		r, err := tx.Request.Get(sys, id)
		if err != nil {
			return err
		}
		sc, err := s.scopeOf(ctx, tx.Client(), r)
		if err != nil {
			return err
		}
		st, err := fn(ctx, tx, r, v, sc, now)
		if err != nil {
			return err
		}
		if r, err = s.syncClock(sys, tx, id); err != nil {
			return err
		}
		ev, err := s.record(sys, tx, r, &v.ResidentID, st, now)
		if err != nil {
			return err
		}
		evID = ev.ID
		result := id
		if st.returnsEvent {
			result = ev.ID
		}
		return idempotency.Record(ctx, tx, result)
	})
	if err != nil {
		return nil, nil, err
	}
	r, err := s.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	ev, err := s.client.RequestEvent.Get(ctx, evID)
	if ent.IsNotFound(err) {
		ev, err = nil, nil
	}
	return r, ev, err
}

// record writes st's timeline entry for r and its outbox event: the
// request's own topic and its grid's request topic, and a notification for
// each of st.notify but the actor.
func (s *Service) record(sys context.Context, tx *ent.Tx, r *ent.Request, actor *int, st *step, now time.Time) (*ent.RequestEvent, error) {
	create := tx.RequestEvent.Create().SetRequestID(r.ID).SetKind(st.kind).SetBody(st.body).
		SetInternal(st.internal).SetContact(st.contact).SetCreatedAt(now)
	if actor != nil && *actor != 0 {
		create.SetActorID(*actor)
	}
	if st.kind == requestevent.KindESCALATED {
		level := r.EscalationLevel
		if st.level > 0 {
			level = st.level
		}
		create.SetStage(requestevent.Stage(*r.ClockStage)).SetLevel(level)
	}
	ev, err := create.Save(sys)
	if err != nil {
		return nil, err
	}
	var notify []int
	for _, id := range st.notify {
		if id != 0 && (actor == nil || id != *actor) && !slices.Contains(notify, id) {
			notify = append(notify, id)
		}
	}
	_, err = s.outbox.Emit(sys, tx, realtime.Event{
		Kind:      "request." + string(st.kind),
		Topics:    []string{realtime.NodeTopic(r.ID), GridRequestsTopic(r.GridID)},
		SubjectID: r.ID,
		Notify:    notify,
		Notification: realtime.NotificationContent{
			Kind: notification.KindREQUEST, Message: st.msg,
			Params: append(append([]i18n.Param{}, st.params...), i18n.Param{Key: "text", Value: clip(st.body, r.Description, 200)}),
		},
	})
	return ev, err
}

// syncClock moves r's clock to the stage its state runs: a new stage (or a
// new deadline) starts at the bottom of the ladder; the same one keeps its
// rung.
func (s *Service) syncClock(sys context.Context, tx *ent.Tx, id int) (*ent.Request, error) {
	r, err := tx.Request.Get(sys, id)
	if err != nil {
		return nil, err
	}
	st, due, ok := RunningStage(r)
	u := tx.Request.UpdateOneID(id)
	switch {
	case !ok:
		u.ClearClockStage().ClearClockDueAt().ClearNextEscalationAt().SetEscalationLevel(0)
	case r.ClockStage == nil || *r.ClockStage != st || r.ClockDueAt == nil || !r.ClockDueAt.Equal(due):
		u.SetClockStage(st).SetClockDueAt(due).SetEscalationLevel(0).SetNextEscalationAt(due)
		s.rearmOnCommit(tx)
	default:
		return r, nil
	}
	return u.Save(sys)
}

// clip returns the first n characters of body, or of alt when body is empty.
func clip(body, alt string, n int) string {
	if body == "" {
		body = alt
	}
	if r := []rune(body); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return body
}

// holders returns the residents who hold any of roles where scope says.
func holders(ctx context.Context, c *ent.Client, roles []string, scope predicate.RoleAssignment) ([]int, error) {
	rs := make([]roleassignment.Role, len(roles))
	for i, r := range roles {
		rs[i] = roleassignment.Role(r)
	}
	ids, err := c.RoleAssignment.Query().Where(roleassignment.RoleIn(rs...), scope).
		Select(roleassignment.FieldResidentID).Ints(viewer.SystemContext(ctx))
	slices.Sort(ids)
	return slices.Compact(ids), err
}

// gridHandlers returns who hears of a new request in sc at once: the
// grid's leader and workers and the holders of the category's first role.
func gridHandlers(ctx context.Context, c *ent.Client, sc scope) ([]int, error) {
	roles := append(slices.Clone(handlerRoles), string(sc.firstRole))
	return holders(ctx, c, roles, roleassignment.GridID(sc.gridID))
}

// requesterSide returns the filer and the resident the request is for.
func requesterSide(r *ent.Request) []int {
	if r.SubjectID == r.FilerID {
		return []int{r.FilerID}
	}
	return []int{r.FilerID, r.SubjectID}
}
