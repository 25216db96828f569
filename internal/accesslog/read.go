package accesslog

import (
	"context"

	"entgo.io/contrib/entgql"

	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/accessrecord"
	"github.com/jimei-linli/linli/internal/viewer"
)

// newestFirst orders the access log by time, newest first.
var newestFirst = &gen.AccessRecordOrder{Direction: entgql.OrderDirectionDesc, Field: gen.AccessRecordOrderFieldAt}

// Accesses returns who read the sensitive records of residentID (0: the
// viewer), newest first, one page. The privacy rule keeps the person's own
// entries and their dependents' (and everything for street admins, who
// audit through the accessRecords connection): anyone else's residentID
// gives an empty page, as for a resident whose records nobody read.
func (s *Service) Accesses(ctx context.Context, residentID int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) (*gen.AccessRecordConnection, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if residentID == 0 {
		residentID = v.ResidentID
	}
	return s.client.AccessRecord.Query().Where(accessrecord.SubjectID(residentID)).
		Paginate(ctx, after, first, before, last, gen.WithAccessRecordOrder(newestFirst))
}
