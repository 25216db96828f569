package redneighbor

import (
	"context"
	"slices"
	"strings"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/volunteerteam"
	"github.com/jimei-linli/linli/ent/volunteerteammember"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
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

// NewTeam is a volunteer team to create.
type NewTeam struct {
	CommunityID       int
	Name, Description string
}

// CreateTeam creates a volunteer team of a community, for its admins and
// red stewards.
func (s *Service) CreateTeam(ctx context.Context, t NewTeam) (*ent.VolunteerTeam, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if !authz.Administers(v, t.CommunityID) && !slices.Contains(v.CommunitiesWhere(viewer.RedSteward), t.CommunityID) {
		return nil, apperr.New(apperr.Forbidden, "only the community's admins and red stewards create its teams")
	}
	t.Name, t.Description = strings.TrimSpace(t.Name), strings.TrimSpace(t.Description)
	if t.Name == "" || len([]rune(t.Name)) > 100 || len([]rune(t.Description)) > 1000 {
		return nil, apperr.New(apperr.BadUserInput, "a team has a name of 1 to 100 characters and a description of at most 1000")
	}
	sys := viewer.SystemContext(ctx)
	if n, err := s.client.VolunteerTeam.Query().
		Where(volunteerteam.CommunityID(t.CommunityID), volunteerteam.Name(t.Name)).Count(sys); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, apperr.New(apperr.Conflict, "the community already has a team of that name")
	}
	now := s.clock()
	team, err := s.client.VolunteerTeam.Create().SetCommunityID(t.CommunityID).SetName(t.Name).
		SetDescription(t.Description).SetCreatedAt(now).SetUpdatedAt(now).Save(sys)
	if err != nil {
		return nil, err
	}
	return s.client.VolunteerTeam.Get(ctx, team.ID)
}
