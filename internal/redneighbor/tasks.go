package redneighbor

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/ent/volunteertask"
	"github.com/jimei-linli/linli/ent/volunteertaskassignment"
	"github.com/jimei-linli/linli/ent/volunteerteammember"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/dispatch"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/timebank"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Red Neighbor is where other parts of Linli send volunteers.
var _ dispatch.Dispatcher = (*Service)(nil)

// TasksTopic is the topic of the task dispatches and changes a volunteer
// hears (myVolunteerAssignments).
func TasksTopic(residentID int) string { return fmt.Sprintf("volunteer-tasks:%d", residentID) }

// NewTask is a task a coordinator dispatches.
type NewTask struct {
	CommunityID, GridID      int
	Title, Details, Location string
	WindowStart, WindowEnd   time.Time
	Minutes, Needed          int
	TeamID                   int
	VolunteerIDs             []int
}

// CreateTask dispatches a task to a team's members and named volunteers.
func (s *Service) CreateTask(ctx context.Context, t NewTask) (*ent.VolunteerTask, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	if t.GridID != 0 {
		g, err := s.client.Grid.Get(sys, t.GridID)
		if err != nil || g.CommunityID != t.CommunityID {
			return nil, apperr.New(apperr.BadUserInput, "the grid is not in the community")
		}
	}
	if !authz.Coordinates(v, t.CommunityID, t.GridID) {
		return nil, apperr.New(apperr.Forbidden, "only the community's coordinators (red stewards, admins, grid leaders) dispatch volunteer tasks")
	}
	if t.Needed == 0 {
		t.Needed = 1
	}
	if err := checkTask(&t.Title, &t.Details, &t.Location, t.WindowStart, t.WindowEnd, t.Minutes, s.clock()); err != nil {
		return nil, err
	}
	if t.Needed < 1 || t.Needed > 100 {
		return nil, apperr.New(apperr.BadUserInput, "a task needs 1 to 100 volunteers")
	}
	volunteers := slices.Clone(t.VolunteerIDs)
	if t.TeamID != 0 {
		team, err := s.client.VolunteerTeam.Get(sys, t.TeamID)
		if err != nil || team.CommunityID != t.CommunityID {
			return nil, apperr.New(apperr.BadUserInput, "the team does not serve this community")
		}
		members, err := s.client.VolunteerTeamMember.Query().Where(volunteerteammember.TeamID(team.ID)).
			Select(volunteerteammember.FieldResidentID).Ints(sys)
		if err != nil {
			return nil, err
		}
		volunteers = append(volunteers, members...)
	}
	volunteers = without(volunteers)
	if len(volunteers) == 0 {
		return nil, apperr.New(apperr.BadUserInput, "dispatch the task to a team or to named volunteers")
	}
	var id int
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		create := tx.VolunteerTask.Create().SetCommunityID(t.CommunityID).SetCreatedByID(v.ResidentID).
			SetTitle(t.Title).SetDetails(t.Details).SetLocation(t.Location).
			SetWindowStart(t.WindowStart.UTC()).SetWindowEnd(t.WindowEnd.UTC()).
			SetMinutes(t.Minutes).SetNeeded(t.Needed).SetCreatedAt(s.clock()).SetUpdatedAt(s.clock())
		if t.GridID != 0 {
			create.SetGridID(t.GridID)
		}
		if t.TeamID != 0 {
			create.SetTeamID(t.TeamID)
		}
		task, err := create.Save(sys)
		if err != nil {
			return err
		}
		id = task.ID
		if err := s.dispatchTo(ctx, tx, task, volunteers); err != nil {
			return err
		}
		return idempotency.Record(ctx, tx, task.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.client.VolunteerTask.Get(ctx, id)
}

// checkTask validates and trims a task's words and times.
func checkTask(title, details, location *string, start, end time.Time, minutes int, now time.Time) error {
	*title, *details, *location = strings.TrimSpace(*title), strings.TrimSpace(*details), strings.TrimSpace(*location)
	switch {
	case *title == "" || len([]rune(*title)) > 200:
		return apperr.New(apperr.BadUserInput, "a title has 1 to 200 characters")
	case len([]rune(*details)) > 2000 || len([]rune(*location)) > 300:
		return apperr.New(apperr.BadUserInput, "details have at most 2000 characters, a location 300")
	case minutes < 1 || minutes > MaxMinutes:
		return apperr.New(apperr.BadUserInput, "a task takes 1 to %d minutes", MaxMinutes)
	case !end.After(start) || !end.After(now):
		return apperr.New(apperr.BadUserInput, "the time window must end after it starts, and not be over")
	}
	return nil
}

// dispatchTo writes an assignment for each of the volunteers (existing,
// not deleted residents) and tells them.
func (s *Service) dispatchTo(ctx context.Context, tx *ent.Tx, task *ent.VolunteerTask, volunteers []int) error {
	sys := viewer.SystemContext(ctx)
	people, err := tx.Resident.Query().Where(resident.IDIn(volunteers...), resident.DeletedAtIsNil()).Order(resident.ByID()).All(sys)
	if err != nil {
		return err
	}
	if len(people) != len(volunteers) {
		return apperr.New(apperr.NotFound, "no such volunteer")
	}
	now := s.clock()
	creates := make([]*ent.VolunteerTaskAssignmentCreate, len(people))
	topics := []string{realtime.NodeTopic(task.ID)}
	for i, p := range people {
		creates[i] = tx.VolunteerTaskAssignment.Create().SetTaskID(task.ID).SetVolunteerID(p.ID).
			SetVolunteerName(p.Name).SetDispatchedAt(now)
		topics = append(topics, TasksTopic(p.ID))
	}
	if err := tx.VolunteerTaskAssignment.CreateBulk(creates...).Exec(sys); err != nil {
		return err
	}
	_, err = s.outbox.Emit(ctx, tx, realtime.Event{
		Kind: "volunteer-task.dispatched", Topics: topics, SubjectID: task.ID, Notify: volunteers,
		Notification: realtime.Note(notification.KindVOLUNTEER_TASK, i18n.TaskDispatched,
			"title", task.Title, "location", task.Location),
	})
	return err
}

// taskEvent writes the event of a change of task, heard by its volunteers
// and those following it.
func (s *Service) taskEvent(ctx context.Context, tx *ent.Tx, task int, kind string) error {
	ids, err := tx.VolunteerTaskAssignment.Query().Where(volunteertaskassignment.TaskID(task)).
		Select(volunteertaskassignment.FieldVolunteerID).Ints(viewer.SystemContext(ctx))
	if err != nil {
		return err
	}
	topics := []string{realtime.NodeTopic(task)}
	for _, id := range ids {
		topics = append(topics, TasksTopic(id))
	}
	_, err = s.outbox.Emit(ctx, tx, realtime.Event{Kind: kind, Topics: topics, SubjectID: task})
	return err
}

// myAssignment returns the signed-in volunteer's assignment to a task.
func (s *Service) myAssignment(ctx context.Context, taskID int) (*viewer.Viewer, *ent.VolunteerTaskAssignment, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.client.VolunteerTaskAssignment.Query().
		Where(volunteertaskassignment.TaskID(taskID), volunteertaskassignment.VolunteerID(v.ResidentID)).
		WithTask().Only(viewer.SystemContext(ctx))
	if err != nil {
		return nil, nil, apperr.New(apperr.NotFound, "no such task dispatched to you")
	}
	return v, a, nil
}

// Respond records the signed-in volunteer's answer. Accepting takes one of
// the places the task needs by a conditional UPDATE, so a task is never
// staffed beyond what it needs.
func (s *Service) Respond(ctx context.Context, taskID int, accept bool) (*ent.VolunteerTaskAssignment, error) {
	_, a, err := s.myAssignment(ctx, taskID)
	if err != nil {
		return nil, err
	}
	if a.Status != volunteertaskassignment.StatusDISPATCHED {
		return nil, apperr.New(apperr.Conflict, "you already answered (this assignment is %s)", a.Status)
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		sys := viewer.SystemContext(ctx)
		now := s.clock()
		status := volunteertaskassignment.StatusDECLINED
		if accept {
			if err := s.deliverable(ctx, tx, a.Edges.Task); err != nil {
				return err
			}
			n, err := tx.VolunteerTask.Update().
				Where(volunteertask.ID(taskID), volunteertask.StatusEQ(volunteertask.StatusOPEN), acceptedBelowNeeded()).
				AddAccepted(1).SetUpdatedAt(now).Save(sys)
			if err != nil {
				return err
			}
			if n == 0 {
				return apperr.New(apperr.Conflict, "the task has all the volunteers it needs, or is no longer OPEN")
			}
			if err := tx.VolunteerTask.Update().
				Where(volunteertask.ID(taskID), acceptedReachedNeeded()).
				SetStatus(volunteertask.StatusSTAFFED).Exec(sys); err != nil {
				return err
			}
			status = volunteertaskassignment.StatusACCEPTED
		}
		n, err := tx.VolunteerTaskAssignment.Update().
			Where(volunteertaskassignment.ID(a.ID), volunteertaskassignment.StatusEQ(volunteertaskassignment.StatusDISPATCHED)).
			SetStatus(status).SetRespondedAt(now).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "you already answered")
		}
		return s.taskEvent(ctx, tx, taskID, "volunteer-task.answered")
	})
	if err != nil {
		return nil, err
	}
	return s.client.VolunteerTaskAssignment.Get(ctx, a.ID)
}

// CheckIn records that the signed-in volunteer started work on a task they
// accepted. Check-in opens the configured grace before the task's window
// and closes at its end; a task dispatched for another part of Linli (a
// meal delivery) must still be deliverable.
func (s *Service) CheckIn(ctx context.Context, taskID int) (*ent.VolunteerTaskAssignment, error) {
	_, a, err := s.myAssignment(ctx, taskID)
	if err != nil {
		return nil, err
	}
	task := a.Edges.Task
	now := s.clock()
	if opens := task.WindowStart.Add(-s.grace); now.Before(opens) {
		return nil, apperr.New(apperr.Conflict, "check-in opens %s before the task's window, at %s",
			apperr.Duration(s.grace), localtime.Clock(opens))
	}
	if now.After(task.WindowEnd) {
		return nil, apperr.New(apperr.Conflict, "check-in closed at the end of the task's window, %s", localtime.Clock(task.WindowEnd))
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		if err := s.deliverable(ctx, tx, task); err != nil {
			return err
		}
		n, err := tx.VolunteerTaskAssignment.Update().
			Where(volunteertaskassignment.ID(a.ID), volunteertaskassignment.StatusEQ(volunteertaskassignment.StatusACCEPTED)).
			SetStatus(volunteertaskassignment.StatusCHECKED_IN).SetCheckedInAt(now).Save(viewer.SystemContext(ctx))
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "only an ACCEPTED assignment can be checked in (this one is %s)", a.Status)
		}
		return s.taskEvent(ctx, tx, taskID, "volunteer-task.checked-in")
	})
	if err != nil {
		return nil, err
	}
	return s.client.VolunteerTaskAssignment.Get(ctx, a.ID)
}

// CheckOut records the end of the signed-in volunteer's work and credits
// the time served inside the task's window (whole minutes, at least 1 when
// any time was, at most the task's minutes) from the community's pool; the
// task is DONE when nobody is left at work or to come. Checking out of a
// task dispatched for another part of Linli says the work is done: a meal
// delivery's order becomes DELIVERED in the same transaction (or the
// check-out is refused, e.g. when the order was cancelled).
func (s *Service) CheckOut(ctx context.Context, taskID int) (*ent.VolunteerTaskAssignment, error) {
	v, a, err := s.myAssignment(ctx, taskID)
	if err != nil {
		return nil, err
	}
	if a.Status != volunteertaskassignment.StatusCHECKED_IN || a.CheckedInAt == nil {
		return nil, apperr.New(apperr.Conflict, "only a CHECKED_IN assignment can be checked out (this one is %s)", a.Status)
	}
	task := a.Edges.Task
	if err := s.bank.OpenAccounts(ctx, task.CommunityID, v.ResidentID); err != nil {
		return nil, err
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		sys := viewer.SystemContext(ctx)
		now := s.clock()
		served := Served(*a.CheckedInAt, now, task.WindowStart, task.WindowEnd, task.Minutes)
		n, err := tx.VolunteerTaskAssignment.Update().
			Where(volunteertaskassignment.ID(a.ID), volunteertaskassignment.StatusEQ(volunteertaskassignment.StatusCHECKED_IN)).
			SetStatus(volunteertaskassignment.StatusDONE).SetCheckedOutAt(now).SetCreditedMinutes(served).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "you already checked out (this assignment is DONE)")
		}
		if served > 0 {
			t, err := s.bank.Pay(ctx, tx, timebank.Payment{
				Kind: ledgertransfer.KindTASK, SubjectID: a.ID, VolunteerID: v.ResidentID,
				CommunityID: task.CommunityID, Minutes: served, Memo: i18n.TaskMemo.RenderTitle(i18n.Default, i18n.Params("title", task.Title)),
			})
			if err != nil {
				return err
			}
			if err := tx.VolunteerTaskAssignment.UpdateOneID(a.ID).SetTransferID(t.ID).Exec(sys); err != nil {
				return err
			}
		}
		if sub, key := s.subjectOf(task); sub != nil {
			if err := sub.Delivered(ctx, tx, key, v.ResidentID); err != nil {
				return err
			}
		}
		// Done when every volunteer who came has left and nobody else may come.
		if err := tx.VolunteerTask.Update().
			Where(volunteertask.ID(task.ID), volunteertask.StatusEQ(volunteertask.StatusSTAFFED),
				volunteertask.Not(volunteertask.HasAssignmentsWith(volunteertaskassignment.StatusIn(
					volunteertaskassignment.StatusACCEPTED, volunteertaskassignment.StatusCHECKED_IN)))).
			SetStatus(volunteertask.StatusDONE).SetUpdatedAt(now).Exec(sys); err != nil {
			return err
		}
		return s.taskEvent(ctx, tx, task.ID, "volunteer-task.checked-out")
	})
	if err != nil {
		return nil, err
	}
	return s.client.VolunteerTaskAssignment.Get(ctx, a.ID)
}

// Served returns the minutes to credit for work from in to out on a task
// with the window [start, end] and the given minutes: the whole minutes
// served inside the window, at least 1 when any time was, at most minutes.
func Served(in, out, start, end time.Time, minutes int) int {
	from, to := in, out
	if from.Before(start) {
		from = start
	}
	if to.After(end) {
		to = end
	}
	if !to.After(from) {
		return 0
	}
	return min(max(int(to.Sub(from)/time.Minute), 1), minutes)
}

// subjectOf returns the side that answers for task and its key, or nil
// for a task no other part of Linli dispatched.
func (s *Service) subjectOf(task *ent.VolunteerTask) (dispatch.Subject, string) {
	if task.Key == nil {
		return nil, ""
	}
	return s.subjects[dispatch.KindOf(*task.Key)], *task.Key
}

// deliverable refuses to staff or start a task whose subject no longer
// needs a volunteer (its meal order was delivered or cancelled).
func (s *Service) deliverable(ctx context.Context, tx *ent.Tx, task *ent.VolunteerTask) error {
	if sub, key := s.subjectOf(task); sub != nil {
		return sub.Deliverable(ctx, tx, key)
	}
	return nil
}

// CancelTask withdraws a task that is not done, for its coordinators.
func (s *Service) CancelTask(ctx context.Context, taskID int, reason string) (*ent.VolunteerTask, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	task, err := s.client.VolunteerTask.Get(ctx, taskID)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "no such task")
	}
	grid := 0
	if task.GridID != nil {
		grid = *task.GridID
	}
	if !authz.Coordinates(v, task.CommunityID, grid) {
		return nil, apperr.New(apperr.Forbidden, "only the task's coordinators cancel it")
	}
	if err := store.WithTx(ctx, s.client, func(tx *ent.Tx) error { return s.cancelTask(ctx, tx, task.ID, reason) }); err != nil {
		return nil, err
	}
	return s.client.VolunteerTask.Get(ctx, task.ID)
}

// cancelTask cancels a task in tx unless it is done or cancelled already.
func (s *Service) cancelTask(ctx context.Context, tx *ent.Tx, taskID int, reason string) error {
	sys := viewer.SystemContext(ctx)
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 500 {
		return apperr.New(apperr.BadUserInput, "a reason has at most 500 characters")
	}
	n, err := tx.VolunteerTask.Update().
		Where(volunteertask.ID(taskID), volunteertask.StatusIn(volunteertask.StatusOPEN, volunteertask.StatusSTAFFED)).
		SetStatus(volunteertask.StatusCANCELLED).SetCancelReason(reason).SetUpdatedAt(s.clock()).Save(sys)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.Conflict, "the task is DONE or CANCELLED already")
	}
	if err := tx.VolunteerTaskAssignment.Update().
		Where(volunteertaskassignment.TaskID(taskID), volunteertaskassignment.StatusIn(
			volunteertaskassignment.StatusDISPATCHED, volunteertaskassignment.StatusACCEPTED, volunteertaskassignment.StatusCHECKED_IN)).
		SetStatus(volunteertaskassignment.StatusCANCELLED).Exec(sys); err != nil {
		return err
	}
	return s.taskEvent(ctx, tx, taskID, "volunteer-task.cancelled")
}

// MyOpenAssignments returns the signed-in volunteer's assignments still to
// answer or do, soonest first, and the topic that announces changes.
func (s *Service) MyOpenAssignments(ctx context.Context) ([]*ent.VolunteerTaskAssignment, string, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, "", err
	}
	as, err := s.client.VolunteerTaskAssignment.Query().
		Where(volunteertaskassignment.VolunteerID(v.ResidentID), volunteertaskassignment.StatusIn(
			volunteertaskassignment.StatusDISPATCHED, volunteertaskassignment.StatusACCEPTED, volunteertaskassignment.StatusCHECKED_IN)).
		Order(volunteertaskassignment.ByID()).Limit(100).All(ctx)
	return as, TasksTopic(v.ResidentID), err
}

// Dispatch creates a task for another part of Linli (a canteen's home
// delivery) in the caller's transaction, dispatched to the volunteers (and
// red stewards) of its grid; the same key creates one task.
func (s *Service) Dispatch(ctx context.Context, tx *ent.Tx, t dispatch.Task) (int, error) {
	sys := viewer.SystemContext(ctx)
	if t.Key == "" {
		return 0, apperr.New(apperr.BadUserInput, "a dispatch needs an idempotency key")
	}
	if id, err := tx.VolunteerTask.Query().Where(volunteertask.Key(t.Key)).OnlyID(sys); err == nil {
		return id, nil
	} else if !ent.IsNotFound(err) {
		return 0, err
	}
	details, location := t.Details, ""
	if err := checkTask(&t.Title, &details, &location, t.Start, t.End, t.Minutes, s.clock()); err != nil {
		return 0, err
	}
	volunteers, err := s.volunteers(sys, tx.Client(), roleassignment.GridID(t.GridID))
	if err != nil {
		return 0, err
	}
	if len(volunteers) == 0 {
		return 0, apperr.New(apperr.Conflict, "the grid has no volunteers to dispatch to")
	}
	create := tx.VolunteerTask.Create().SetCommunityID(t.CommunityID).SetGridID(t.GridID).SetKey(t.Key).
		SetTitle(t.Title).SetDetails(details).SetWindowStart(t.Start.UTC()).SetWindowEnd(t.End.UTC()).
		SetMinutes(t.Minutes).SetCreatedAt(s.clock()).SetUpdatedAt(s.clock())
	if t.PlaceID != 0 {
		create.SetPlaceID(t.PlaceID)
		if p, err := tx.Place.Get(sys, t.PlaceID); err == nil {
			create.SetLocation(p.Address)
		}
	}
	task, err := create.Save(sys)
	if err != nil {
		return 0, err
	}
	return task.ID, s.dispatchTo(ctx, tx, task, volunteers)
}

// Cancel withdraws the task dispatched under key, if it is not done; a key
// never dispatched, or a task done or cancelled, changes nothing.
func (s *Service) Cancel(ctx context.Context, tx *ent.Tx, key, reason string) error {
	task, err := openTaskByKey(ctx, tx, key)
	if task == nil || err != nil {
		return err
	}
	return s.cancelTask(ctx, tx, task.ID, reason)
}

// openTaskByKey returns the task dispatched under key through tx, or nil
// when none was or it is DONE or CANCELLED already.
func openTaskByKey(ctx context.Context, tx *ent.Tx, key string) (*ent.VolunteerTask, error) {
	task, err := tx.VolunteerTask.Query().Where(volunteertask.Key(key)).Only(viewer.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if task.Status == volunteertask.StatusDONE || task.Status == volunteertask.StatusCANCELLED {
		return nil, nil
	}
	return task, nil
}

// Finish closes the task dispatched under key because its subject was
// done (the meal was delivered): volunteers dispatched or accepted are
// released (their assignments CANCELLED); the task is DONE when a
// volunteer checked in (one still at work may check out and is credited
// the time they served inside the window), CANCELLED with reason
// otherwise. A key never dispatched, or a task done or cancelled, changes
// nothing.
func (s *Service) Finish(ctx context.Context, tx *ent.Tx, key, reason string) error {
	sys := viewer.SystemContext(ctx)
	task, err := openTaskByKey(ctx, tx, key)
	if task == nil || err != nil {
		return err
	}
	worked, err := tx.VolunteerTaskAssignment.Query().Where(volunteertaskassignment.TaskID(task.ID),
		volunteertaskassignment.StatusIn(volunteertaskassignment.StatusCHECKED_IN, volunteertaskassignment.StatusDONE)).Exist(sys)
	if err != nil {
		return err
	}
	if !worked {
		return s.cancelTask(ctx, tx, task.ID, reason)
	}
	if err := tx.VolunteerTaskAssignment.Update().
		Where(volunteertaskassignment.TaskID(task.ID), volunteertaskassignment.StatusIn(
			volunteertaskassignment.StatusDISPATCHED, volunteertaskassignment.StatusACCEPTED)).
		SetStatus(volunteertaskassignment.StatusCANCELLED).Exec(sys); err != nil {
		return err
	}
	if err := tx.VolunteerTask.UpdateOneID(task.ID).SetStatus(volunteertask.StatusDONE).SetUpdatedAt(s.clock()).Exec(sys); err != nil {
		return err
	}
	return s.taskEvent(ctx, tx, task.ID, "volunteer-task.completed")
}
