package appeal

import (
	"context"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/internal/personaldata"
)

// PersonalData is the requests' section of a resident's data export
// (exportMyData): the requests they filed or that were filed for them,
// with the timeline entries they may see (internal notes are staff's).
var PersonalData = personaldata.Section{
	Name:   "requests",
	Covers: []string{"requests.filer_id", "requests.subject_id"},
	Export: func(ctx context.Context, c *ent.Client, residentID int) (any, error) {
		return c.Request.Query().
			Where(request.Or(request.FilerID(residentID), request.SubjectID(residentID))).
			WithTimeline(func(q *ent.RequestEventQuery) {
				q.Where(requestevent.Internal(false)).Order(ent.Asc(requestevent.FieldID))
			}).
			Order(ent.Asc(request.FieldID)).All(ctx)
	},
}
