package appeal

import (
	"context"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/internal/personaldata"
)

// Eraser is the requests' part of deleting an account: requests stay
// open, as the street's record of what was asked, but the person's name is
// replaced in their text and in their timelines.
var Eraser = personaldata.Eraser{Name: "requests", Erase: func(ctx context.Context, tx *ent.Tx, p personaldata.Person) error {
	if !p.Named() {
		return nil
	}
	cols := []string{request.FieldDescription, request.FieldDepartmentReason, request.FieldResolution, request.FieldRatingComment}
	if err := tx.Request.Update().Where(request.Or(request.DescriptionContains(p.Name), request.DepartmentReasonContains(p.Name),
		request.ResolutionContains(p.Name), request.RatingCommentContains(p.Name))).
		Modify(personaldata.ReplaceName(p.Name, cols...)).Exec(ctx); err != nil {
		return err
	}
	return tx.RequestEvent.Update().Where(requestevent.BodyContains(p.Name)).
		Modify(personaldata.ReplaceName(p.Name, requestevent.FieldBody)).Exec(ctx)
}}
