package app

import (
	"testing"

	"github.com/jimei-linli/linli/ent/migrate"
	"github.com/jimei-linli/linli/internal/personaldata"
)

// workRecords are references to residents that record work someone did
// for others as staff, not data about them: exporting those rows would
// hand the worker other residents' records.
var workRecords = map[string]string{
	"access_records.reader_id":                 "a member of staff's reads of other residents' records (the subject's export has them)",
	"care_bookings.booked_by_id":               "the booking is the cared-for person's; who booked it sees it as guardian",
	"care_bookings.caregiver_id":               "the caregiver's work for another resident",
	"care_incidents.reporter_id":               "a caregiver's report about another resident",
	"care_notes.author_id":                     "a caregiver's note about another resident",
	"personal_infos.birth_date_verified_by_id": "the staff member who verified another resident's birth date; that resident's export holds it",
	"request_events.actor_id":                  "a timeline entry of a request, exported with the request",
	"requests.owner_id":                        "the staff member handling another resident's request",
}

// TestEveryReferenceToAResidentIsExported walks ent's schema: every
// foreign key to residents must be covered by an export section (or be a
// work record, with its reason), so that a new entity about residents
// cannot be left out of exportMyData.
func TestEveryReferenceToAResidentIsExported(t *testing.T) {
	covered := map[string]string{}
	for _, s := range personaldata.New(nil, nil, nil, personalDataSections()).Sections() {
		for _, ref := range s.Covers {
			covered[ref] = s.Name
		}
	}
	refs := 0
	for _, tb := range migrate.Tables {
		for _, fk := range tb.ForeignKeys {
			if fk.RefTable != migrate.ResidentsTable {
				continue
			}
			refs++
			ref := tb.Name + "." + fk.Columns[0].Name
			if covered[ref] == "" && workRecords[ref] == "" {
				t.Errorf("%s refers to a resident, but no export section covers it", ref)
			}
		}
	}
	if refs < 20 {
		t.Fatalf("found %d references to residents; the walk is broken", refs)
	}
	if covered["residents.id"] == "" {
		t.Error("no section exports the resident's own row")
	}
}
