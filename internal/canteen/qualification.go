package canteen

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/subsidyqualification"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/authz"
	"github.com/jimei-linli/linli/internal/viewer"
)

// RecordQualification records that a resident qualifies for the LOW_INCOME
// (低保) or DISABLED tier, until validUntil (YYYY-MM-DD; empty for no end).
// Community admins record it for the residents of their community, street
// admins for anyone.
func (s *Service) RecordQualification(ctx context.Context, residentID int, kind subsidyqualification.Kind, validUntil string) (*ent.SubsidyQualification, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if subsidyqualification.KindValidator(kind) != nil {
		return nil, apperr.New(apperr.BadUserInput, "unknown qualification %q", kind)
	}
	if validUntil != "" {
		if _, err := day(validUntil); err != nil {
			return nil, err
		}
	}
	sys := viewer.SystemContext(ctx)
	community, err := s.client.Resident.Query().Where(resident.ID(residentID)).
		QueryGrid().Select(grid.FieldCommunityID).Ints(sys)
	if err != nil {
		return nil, err
	}
	if len(community) == 0 || !authz.Administers(v, community[0]) {
		return nil, apperr.New(apperr.Forbidden, "community admins record qualifications for the residents of their community")
	}
	create := s.client.SubsidyQualification.Create().SetResidentID(residentID).SetKind(kind).
		SetRecordedByID(v.ResidentID).SetCreatedAt(s.now()).SetUpdatedAt(s.now())
	if validUntil != "" {
		create.SetValidUntil(validUntil)
	}
	q, err := create.Save(sys)
	if err != nil {
		return nil, err
	}
	return s.client.SubsidyQualification.Get(ctx, q.ID)
}

// RevokeQualification withdraws a qualification (community admins of the
// resident's community, street admins).
func (s *Service) RevokeQualification(ctx context.Context, id int) (*ent.SubsidyQualification, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	q, err := s.client.SubsidyQualification.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "qualification not found")
	}
	if err != nil {
		return nil, err
	}
	community, err := s.client.Resident.Query().Where(resident.ID(q.ResidentID)).
		QueryGrid().Select(grid.FieldCommunityID).Ints(sys)
	if err != nil {
		return nil, err
	}
	if len(community) == 0 || !authz.Administers(v, community[0]) {
		return nil, apperr.New(apperr.Forbidden, "community admins revoke qualifications for the residents of their community")
	}
	if q.RevokedAt == nil {
		if err := s.client.SubsidyQualification.UpdateOneID(id).SetRevokedAt(s.now()).SetUpdatedAt(s.now()).Exec(sys); err != nil {
			return nil, err
		}
	}
	return s.client.SubsidyQualification.Get(ctx, id)
}

// isNoRows reports an upsert that did nothing (DO NOTHING returns no row).
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
