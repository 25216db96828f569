package appeal

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/department"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/viewer"
)

// maxNote bounds notes, reasons, resolutions and comments, in characters.
const maxNote = 2000

// text trims s and checks it has 1 to maxNote characters (0 to maxNote
// when optional).
func text(s, what string, optional bool) (string, error) {
	s = strings.TrimSpace(s)
	if (s == "" && !optional) || len([]rune(s)) > maxNote {
		return "", apperr.New(apperr.BadUserInput, "%s has 1 to %d characters", what, maxNote)
	}
	return s, nil
}

// Claim makes the viewer the owner of a request nobody owns yet.
func (s *Service) Claim(ctx context.Context, id int) (*ent.Request, error) {
	r, _, err := s.act(ctx, id, func(ctx context.Context, tx *ent.Tx, r *ent.Request, v *viewer.Viewer, sc scope, now time.Time) (*step, error) {
		if !handles(v, sc) {
			return nil, apperr.New(apperr.Forbidden, "only the staff of the request's grid may claim it")
		}
		if r.Status != request.StatusSUBMITTED {
			return nil, apperr.New(apperr.Conflict, "the request is already claimed (it is %s); its owner or the grid leader can hand it over", r.Status)
		}
		u := tx.Request.UpdateOneID(r.ID).SetStatus(request.StatusIN_PROGRESS).SetOwnerID(v.ResidentID)
		if r.ClaimedAt == nil {
			u.SetClaimedAt(now)
		}
		if err := u.Exec(viewer.SystemContext(ctx)); err != nil {
			return nil, err
		}
		return &step{kind: requestevent.KindCLAIMED, notify: requesterSide(r), msg: i18n.RequestClaimed}, nil
	})
	return r, err
}

// HandOver makes another staff member of the grid the owner.
func (s *Service) HandOver(ctx context.Context, id, to int, note string) (*ent.Request, error) {
	note, err := text(note, "a hand-over note", true)
	if err != nil {
		return nil, err
	}
	r, _, err := s.act(ctx, id, func(ctx context.Context, tx *ent.Tx, r *ent.Request, v *viewer.Viewer, sc scope, now time.Time) (*step, error) {
		owner := r.OwnerID != nil && *r.OwnerID == v.ResidentID
		if !owner && !manages(v, sc) {
			return nil, apperr.New(apperr.Forbidden, "only the request's owner, the grid leader or an admin may hand it over")
		}
		switch r.Status {
		case request.StatusSUBMITTED:
			return nil, apperr.New(apperr.Conflict, "nobody owns the request yet: claim it first")
		case request.StatusCLOSED:
			return nil, apperr.New(apperr.Conflict, "the request is CLOSED")
		}
		if r.OwnerID != nil && *r.OwnerID == to {
			return nil, apperr.New(apperr.Conflict, "they already own the request")
		}
		staff, err := gridHandlers(ctx, tx.Client(), sc)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(staff, to) {
			return nil, apperr.New(apperr.BadUserInput, "a request can be handed over only to the staff of its grid")
		}
		if err := tx.Request.UpdateOneID(r.ID).SetOwnerID(to).Exec(viewer.SystemContext(ctx)); err != nil {
			return nil, err
		}
		return &step{kind: requestevent.KindHANDED_OVER, body: note, internal: true, notify: []int{to}, msg: i18n.RequestHandedOver}, nil
	})
	return r, err
}

// Note adds a progress note; contact says it records contact with the
// requester or a visit on site, which meets stage 2 of the clock.
func (s *Service) Note(ctx context.Context, id int, body string, internal, contact bool) (*ent.RequestEvent, error) {
	body, err := text(body, "a note", false)
	if err != nil {
		return nil, err
	}
	_, ev, err := s.act(ctx, id, func(ctx context.Context, tx *ent.Tx, r *ent.Request, v *viewer.Viewer, sc scope, now time.Time) (*step, error) {
		if !handles(v, sc) && !inDepartment(v, r) {
			return nil, apperr.New(apperr.Forbidden, "only the staff handling the request may add progress notes")
		}
		if contact {
			if r.Status == request.StatusSUBMITTED {
				return nil, apperr.New(apperr.Conflict, "claim the request before recording contact")
			}
			if r.ContactedAt == nil {
				if err := tx.Request.UpdateOneID(r.ID).SetContactedAt(now).Exec(viewer.SystemContext(ctx)); err != nil {
					return nil, err
				}
			}
		}
		st := &step{kind: requestevent.KindNOTE, body: body, internal: internal, contact: contact, returnsEvent: true}
		if !internal {
			st.notify, st.msg = requesterSide(r), i18n.RequestProgress
		}
		return st, nil
	})
	return ev, err
}

// CallDepartment calls a department to the request (網格呼叫): it must
// report within the department deadline.
func (s *Service) CallDepartment(ctx context.Context, id, departmentID int, reason string) (*ent.Request, error) {
	reason, err := text(reason, "a reason", false)
	if err != nil {
		return nil, err
	}
	r, _, err := s.act(ctx, id, func(ctx context.Context, tx *ent.Tx, r *ent.Request, v *viewer.Viewer, sc scope, now time.Time) (*step, error) {
		owner := r.OwnerID != nil && *r.OwnerID == v.ResidentID
		if !owner && !manages(v, sc) {
			return nil, apperr.New(apperr.Forbidden, "only the request's owner, the grid leader or an admin may call a department")
		}
		switch r.Status {
		case request.StatusSUBMITTED:
			return nil, apperr.New(apperr.Conflict, "claim the request before calling a department")
		case request.StatusWITH_DEPARTMENT:
			return nil, apperr.New(apperr.Conflict, "a department already has the request")
		case request.StatusIN_PROGRESS:
		default:
			return nil, apperr.New(apperr.Conflict, "the request is %s: only an IN_PROGRESS request can be called to a department", r.Status)
		}
		sys := viewer.SystemContext(ctx)
		d, err := tx.Department.Query().Where(department.ID(departmentID), department.StreetID(sc.streetID)).Only(sys)
		if err != nil {
			return nil, apperr.New(apperr.NotFound, "department not found")
		}
		err = tx.Request.UpdateOneID(r.ID).SetStatus(request.StatusWITH_DEPARTMENT).SetDepartmentID(d.ID).
			SetDepartmentReason(reason).SetDepartmentCalledAt(now).
			SetDepartmentAcknowledgeDueAt(now.Add(s.deadlines.DepartmentAcknowledge)).
			ClearDepartmentAcknowledgedAt().Exec(sys)
		if err != nil {
			return nil, err
		}
		staff, err := holders(ctx, tx.Client(), []string{viewer.DepartmentStaff}, roleassignment.DepartmentID(d.ID))
		if err != nil {
			return nil, err
		}
		return &step{kind: requestevent.KindDEPARTMENT_CALLED, body: d.Name + "：" + reason,
			notify: staff, msg: i18n.RequestDepartmentCalled}, nil
	})
	return r, err
}

// Acknowledge is the department's report (部門報到): its staff take the
// request on.
func (s *Service) Acknowledge(ctx context.Context, id int) (*ent.Request, error) {
	r, _, err := s.act(ctx, id, func(ctx context.Context, tx *ent.Tx, r *ent.Request, v *viewer.Viewer, sc scope, now time.Time) (*step, error) {
		if r.Status != request.StatusWITH_DEPARTMENT || !inDepartment(v, r) {
			if inDepartment(v, r) {
				return nil, apperr.New(apperr.Conflict, "the request is not with your department now (it is %s)", r.Status)
			}
			return nil, apperr.New(apperr.Forbidden, "only the staff of the department the request was called to may report")
		}
		if r.DepartmentAcknowledgedAt != nil {
			return nil, apperr.New(apperr.Conflict, "your department has already reported")
		}
		if err := tx.Request.UpdateOneID(r.ID).SetDepartmentAcknowledgedAt(now).Exec(viewer.SystemContext(ctx)); err != nil {
			return nil, err
		}
		notify := requesterSide(r)
		if r.OwnerID != nil {
			notify = append(notify, *r.OwnerID)
		}
		return &step{kind: requestevent.KindDEPARTMENT_ACKNOWLEDGED, notify: notify, msg: i18n.RequestDepartmentAcknowledged}, nil
	})
	return r, err
}

// Resolve resolves the request: by its owner, the grid leader or an admin
// while the grid has it; by them or the department's staff (after their
// report) while the department has it.
func (s *Service) Resolve(ctx context.Context, id int, resolution string) (*ent.Request, error) {
	resolution, err := text(resolution, "a resolution", false)
	if err != nil {
		return nil, err
	}
	r, _, err := s.act(ctx, id, func(ctx context.Context, tx *ent.Tx, r *ent.Request, v *viewer.Viewer, sc scope, now time.Time) (*step, error) {
		owner := r.OwnerID != nil && *r.OwnerID == v.ResidentID
		grid := owner || manages(v, sc)
		dept := r.Status == request.StatusWITH_DEPARTMENT && inDepartment(v, r)
		switch {
		case r.Status == request.StatusSUBMITTED && handles(v, sc):
			return nil, apperr.New(apperr.Conflict, "nobody has claimed the request yet: claim it before resolving it")
		case !grid && !dept && inDepartment(v, r):
			return nil, apperr.New(apperr.Forbidden, "the request is not with your department now")
		case !grid && !dept:
			return nil, apperr.New(apperr.Forbidden, "only the request's owner, the grid leader, an admin or the department it was called to may resolve it")
		}
		switch r.Status {
		case request.StatusSUBMITTED:
			return nil, apperr.New(apperr.Conflict, "nobody has claimed the request yet: claim it before resolving it")
		case request.StatusIN_PROGRESS:
		case request.StatusWITH_DEPARTMENT:
			if dept && !grid && r.DepartmentAcknowledgedAt == nil {
				return nil, apperr.New(apperr.Conflict, "report (acknowledge) the request before resolving it")
			}
		default:
			return nil, apperr.New(apperr.Conflict, "the request is already %s", r.Status)
		}
		err := tx.Request.UpdateOneID(r.ID).SetStatus(request.StatusRESOLVED).SetResolvedAt(now).
			SetResolution(resolution).SetFollowUpDueAt(now.Add(s.deadlines.FollowUp)).Exec(viewer.SystemContext(ctx))
		if err != nil {
			return nil, err
		}
		return &step{kind: requestevent.KindRESOLVED, body: resolution, notify: requesterSide(r), msg: i18n.RequestResolved}, nil
	})
	return r, err
}

// requesterStep checks that v is on r's requester side and r is RESOLVED
// (confirm, reopen) or CONFIRMED (rate).
func requesterStep(v *viewer.Viewer, r *ent.Request, want request.Status, what string) error {
	if !requester(v, r) {
		return apperr.New(apperr.Forbidden, "only the requester (or their guardian) may %s the request", what)
	}
	if r.Status == want {
		return nil
	}
	switch {
	case r.Status == request.StatusCLOSED && want == request.StatusCONFIRMED:
		return apperr.New(apperr.Conflict, "the request is rated and CLOSED already")
	case r.Status == request.StatusCONFIRMED && want == request.StatusRESOLVED:
		return apperr.New(apperr.Conflict, "the request is CONFIRMED already: rate it")
	}
	return apperr.New(apperr.Conflict, "the request is %s: you can %s it only when it is %s", r.Status, what, want)
}

// Confirm is the requester's confirmation of a resolved request.
func (s *Service) Confirm(ctx context.Context, id int) (*ent.Request, error) {
	r, _, err := s.act(ctx, id, func(ctx context.Context, tx *ent.Tx, r *ent.Request, v *viewer.Viewer, sc scope, now time.Time) (*step, error) {
		if err := requesterStep(v, r, request.StatusRESOLVED, "confirm"); err != nil {
			return nil, err
		}
		err := tx.Request.UpdateOneID(r.ID).SetStatus(request.StatusCONFIRMED).SetConfirmedAt(now).
			SetRatingDueAt(now.Add(s.deadlines.Rating)).Exec(viewer.SystemContext(ctx))
		if err != nil {
			return nil, err
		}
		return &step{kind: requestevent.KindCONFIRMED, notify: ownerOf(r), msg: i18n.RequestConfirmed}, nil
	})
	return r, err
}

// Reopen sends a resolved request back to its owner with a new resolve
// deadline.
func (s *Service) Reopen(ctx context.Context, id int, reason string) (*ent.Request, error) {
	reason, err := text(reason, "a reason", false)
	if err != nil {
		return nil, err
	}
	r, _, err := s.act(ctx, id, func(ctx context.Context, tx *ent.Tx, r *ent.Request, v *viewer.Viewer, sc scope, now time.Time) (*step, error) {
		if err := requesterStep(v, r, request.StatusRESOLVED, "reopen"); err != nil {
			return nil, err
		}
		err := tx.Request.UpdateOneID(r.ID).SetStatus(request.StatusIN_PROGRESS).ClearResolvedAt().
			ClearFollowUpDueAt().SetResolveDueAt(now.Add(s.deadlines.Resolve)).AddReopenCount(1).
			Exec(viewer.SystemContext(ctx))
		if err != nil {
			return nil, err
		}
		return &step{kind: requestevent.KindREOPENED, body: reason, notify: ownerOf(r), msg: i18n.RequestReopened}, nil
	})
	return r, err
}

// Rate records the requester's satisfaction and closes the request.
func (s *Service) Rate(ctx context.Context, id, rating int, comment string) (*ent.Request, error) {
	if rating < 1 || rating > 5 {
		return nil, apperr.New(apperr.BadUserInput, "a rating is 1 to 5")
	}
	comment, err := text(comment, "a comment", true)
	if err != nil {
		return nil, err
	}
	r, _, err := s.act(ctx, id, func(ctx context.Context, tx *ent.Tx, r *ent.Request, v *viewer.Viewer, sc scope, now time.Time) (*step, error) {
		if err := requesterStep(v, r, request.StatusCONFIRMED, "rate"); err != nil {
			return nil, err
		}
		err := tx.Request.UpdateOneID(r.ID).SetStatus(request.StatusCLOSED).SetRating(rating).
			SetRatingComment(comment).SetRatedAt(now).Exec(viewer.SystemContext(ctx))
		if err != nil {
			return nil, err
		}
		return &step{kind: requestevent.KindRATED, body: comment, notify: ownerOf(r), msg: i18n.RequestRated}, nil
	})
	return r, err
}

// ownerOf returns the owner of r, if any.
func ownerOf(r *ent.Request) []int {
	if r.OwnerID == nil {
		return nil
	}
	return []int{*r.OwnerID}
}
