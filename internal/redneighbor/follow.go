package redneighbor

import (
	"context"

	"entgo.io/contrib/entgql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/realtime"
)

// HelpRequestUpdate is a help request as its feed streams it, and the
// cursor to resume the feed after it.
type HelpRequestUpdate struct {
	// Cursor is what the client passes as since to resume after this.
	Cursor entgql.Cursor[int]
	// HelpRequest is the help request as it is.
	HelpRequest *ent.HelpRequest
}

// OpenHelpRequests is a grid's page of open help requests as its feed
// streams it, and the cursor to resume the feed after it.
type OpenHelpRequests struct {
	// Cursor is what the client passes as since to resume after this.
	Cursor entgql.Cursor[int]
	// Requests is the page asked for, and the total.
	Requests *ent.HelpRequestConnection
}

// AssignmentsUpdate is a volunteer's open assignments as their feed streams
// them, and the cursor to resume the feed after them.
type AssignmentsUpdate struct {
	// Cursor is what the client passes as since to resume after this.
	Cursor entgql.Cursor[int]
	// Assignments are the open assignments.
	Assignments []*ent.VolunteerTaskAssignment
}

// FollowHelpRequest streams help request id as the viewer sees it, at once
// (or, resuming after since, once if it changed since) and after each
// change, until it becomes hidden; one the viewer cannot see is refused.
func (s *Service) FollowHelpRequest(ctx context.Context, hub *realtime.Hub, id int, since *entgql.Cursor[int]) (<-chan *HelpRequestUpdate, error) {
	return realtime.Stream(ctx, hub, s.client, realtime.Snapshots("helpRequestUpdated",
		[]string{realtime.NodeTopic(id)}, realtime.Since(since),
		func(ctx context.Context) (*ent.HelpRequest, error) { return s.client.HelpRequest.Get(ctx, id) },
		func(c entgql.Cursor[int], r *ent.HelpRequest) *HelpRequestUpdate {
			return &HelpRequestUpdate{Cursor: c, HelpRequest: r}
		}))
}

// FollowGrid streams the page of a grid's open help requests (OpenForGrid)
// at once (or, resuming after since, once if they changed since) and after
// each change, for those who may follow the grid (GridTopics).
func (s *Service) FollowGrid(ctx context.Context, hub *realtime.Hub, gridID int, page Page, since *entgql.Cursor[int]) (<-chan *OpenHelpRequests, error) {
	topics, err := s.GridTopics(ctx, gridID)
	if err != nil {
		return nil, err
	}
	return realtime.Stream(ctx, hub, s.client, realtime.Snapshots("gridHelpRequests", topics, realtime.Since(since),
		func(ctx context.Context) (*ent.HelpRequestConnection, error) {
			// The page is the payload's requests field.
			return s.OpenForGrid(realtime.Selection(ctx, "requests"), gridID, page)
		},
		func(c entgql.Cursor[int], rs *ent.HelpRequestConnection) *OpenHelpRequests {
			return &OpenHelpRequests{Cursor: c, Requests: rs}
		}))
}

// FollowAssignments streams the signed-in volunteer's open assignments
// (MyOpenAssignments) at once (or, resuming after since, once if they
// changed since) and after each dispatch to them or change.
func (s *Service) FollowAssignments(ctx context.Context, hub *realtime.Hub, since *entgql.Cursor[int]) (<-chan *AssignmentsUpdate, error) {
	_, topic, err := s.MyOpenAssignments(ctx)
	if err != nil {
		return nil, err
	}
	return realtime.Stream(ctx, hub, s.client, realtime.Snapshots("myVolunteerAssignments", []string{topic}, realtime.Since(since),
		func(ctx context.Context) ([]*ent.VolunteerTaskAssignment, error) {
			as, _, err := s.MyOpenAssignments(ctx)
			return as, err
		},
		func(c entgql.Cursor[int], as []*ent.VolunteerTaskAssignment) *AssignmentsUpdate {
			return &AssignmentsUpdate{Cursor: c, Assignments: as}
		}))
}
