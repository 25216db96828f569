package care

import (
	"context"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/ent/careincident"
	"github.com/jimei-linli/linli/ent/carenote"
	"github.com/jimei-linli/linli/internal/personaldata"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Eraser is care's part of deleting an account: the person's bookings that
// hold or wait for a place are cancelled through Cancel (a freed place is
// offered to the waitlist as usual; one past the cut-off stays), then
// their name is replaced in care notes and incident reports.
func (s *Service) Eraser() personaldata.Eraser {
	return personaldata.Eraser{Name: "care", Close: s.closeFor, Erase: erase}
}

// closeFor cancels residentID's open bookings, as them.
func (s *Service) closeFor(ctx context.Context, residentID int) error {
	ids, err := s.client.CareBooking.Query().Where(carebooking.ResidentID(residentID), carebooking.StatusIn(
		carebooking.StatusCONFIRMED, carebooking.StatusOFFERED, carebooking.StatusWAITLISTED)).IDs(viewer.SystemContext(ctx))
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.Cancel(ctx, id); personaldata.Tolerate(err) != nil {
			return err
		}
	}
	return nil
}

// erase replaces p's name in the text caregivers wrote.
func erase(ctx context.Context, tx *ent.Tx, p personaldata.Person) error {
	if !p.Named() {
		return nil
	}
	if err := tx.CareNote.Update().Where(carenote.BodyContains(p.Name)).
		Modify(personaldata.ReplaceName(p.Name, carenote.FieldBody)).Exec(ctx); err != nil {
		return err
	}
	return tx.CareIncident.Update().Where(careincident.DescriptionContains(p.Name)).
		Modify(personaldata.ReplaceName(p.Name, careincident.FieldDescription)).Exec(ctx)
}
