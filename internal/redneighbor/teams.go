package redneighbor

import (
	"context"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/volunteerteammember"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/viewer"
)

// JoinTeam makes the signed-in resident a member of a volunteer team
// (joining twice is joining once).
func (s *Service) JoinTeam(ctx context.Context, teamID int) (*ent.VolunteerTeamMember, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.client.VolunteerTeam.Get(ctx, teamID); err != nil {
		return nil, apperr.New(apperr.NotFound, "no such team")
	}
	sys := viewer.SystemContext(ctx)
	err = s.client.VolunteerTeamMember.Create().SetTeamID(teamID).SetResidentID(v.ResidentID).SetJoinedAt(s.clock()).
		OnConflictColumns(volunteerteammember.FieldTeamID, volunteerteammember.FieldResidentID).DoNothing().Exec(sys)
	if err != nil && !isNoRows(err) {
		return nil, err
	}
	return s.client.VolunteerTeamMember.Query().
		Where(volunteerteammember.TeamID(teamID), volunteerteammember.ResidentID(v.ResidentID)).Only(ctx)
}

// LeaveTeam ends the signed-in resident's membership of a team; false when
// they were not a member.
func (s *Service) LeaveTeam(ctx context.Context, teamID int) (bool, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return false, err
	}
	n, err := s.client.VolunteerTeamMember.Delete().
		Where(volunteerteammember.TeamID(teamID), volunteerteammember.ResidentID(v.ResidentID)).
		Exec(viewer.SystemContext(ctx))
	return n > 0, err
}
