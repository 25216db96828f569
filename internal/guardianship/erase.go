package guardianship

import (
	"context"

	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/internal/personaldata"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Eraser is guardianship's part of deleting an account: every guardianship
// the person is part of, pending or active, ends through Revoke, and the
// other party hears of it.
func (s *Service) Eraser() personaldata.Eraser {
	return personaldata.Eraser{Name: "guardianship", Close: func(ctx context.Context, residentID int) error {
		ids, err := s.client.Guardianship.Query().Where(guardianship.StatusNEQ(guardianship.StatusREVOKED),
			guardianship.Or(guardianship.GuardianID(residentID), guardianship.DependentID(residentID))).
			IDs(viewer.SystemContext(ctx))
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := s.Revoke(ctx, id); personaldata.Tolerate(err) != nil {
				return err
			}
		}
		return nil
	}}
}
