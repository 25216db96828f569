package apitest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/ent/careevent"
	"github.com/jimei-linli/linli/ent/carefacility"
	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/ent/careslot"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/internal/seed"
)

// Care: facilities, services and slots are public. A booking, its care log
// and its incidents are read by the person, their active guardians, the
// facility's caregivers (09) and community admins (02), and street admins
// (01). Care notes are sensitive: only the caregivers, the guardians and
// the adult person themself read them, by every path. A child registered by
// a parent (here the volunteer, 08) is read by the parent, the household's
// grid staff and admins; not by the grid's safety informant (05), not by
// caregivers (who see the child's name on the booking only).
func init() {
	readMatrix = append(readMatrix, []matrixRow{
		{"facility:daycare", "node", "", "all"},
		{"facility:daycare", "nodes", "", "all"},
		{"facility:daycare", "Query.careFacilities", "", "all"},
		{"service:fullday", "node", "", "all"},
		{"service:fullday", "CareFacility.services", "facility:daycare", "all"},
		{"slot:elder", "node", "", "all"},
		{"slot:elder", "CareService.slots", "service:halfday", "all"},

		{"booking:elder", "node", "", "01 02 06 07 09"},
		{"booking:elder", "nodes", "", "01 02 06 07 09"},
		{"booking:elder", "Query.careBookings", "", "01 02 06 07 09"},
		{"booking:elder", "CareSlot.bookings", "slot:elder", "01 02 06 07 09"},
		{"booking:elder", "CareEvent.booking", "event:elder-note", "01 02 06 07 09"},
		{"booking:elder", "CareNote.booking", "note:elder", "06 07 09"},
		{"event:elder-note", "node", "", "01 02 06 07 09"},
		{"event:elder-note", "CareBooking.events", "booking:elder", "01 02 06 07 09"},
		{"incident:elder", "node", "", "01 02 06 07 09"},
		{"incident:elder", "nodes", "", "01 02 06 07 09"},
		{"incident:elder", "CareBooking.incidents", "booking:elder", "01 02 06 07 09"},
		{"incident:elder", "CareEvent.incident", "event:elder-incident", "01 02 06 07 09"},

		{"note:elder", "node", "", "06 07 09"},
		{"note:elder", "nodes", "", "06 07 09"},
		{"note:elder", "CareBooking.notes", "booking:elder", "06 07 09"},
		{"note:elder", "CareEvent.note", "event:elder-note", "06 07 09"},
		{"note:elder", "Query.careBookings.notes", "booking:elder", "06 07 09"},
		{"note:elder", "CareSlot.bookings.notes", "slot:elder", "06 07 09"},

		{"booking:child", "node", "", "01 02 08 09"},
		{"booking:child", "Query.careBookings", "", "01 02 08 09"},
		{"booking:child", "CareSlot.bookings", "slot:child", "01 02 08 09"},
		{"event:child-note", "node", "", "01 02 08 09"},
		{"note:child", "node", "", "08 09"},
		{"note:child", "nodes", "", "08 09"},
		{"note:child", "CareBooking.notes", "booking:child", "08 09"},
		{"note:child", "CareEvent.note", "event:child-note", "08 09"},
		{"note:child", "Query.careBookings.notes", "booking:child", "08 09"},
		{"note:child", "CareSlot.bookings.notes", "slot:child", "08 09"},

		{"resident:child", "node", "", "01 02 03 04 08"},
		{"resident:child", "nodes", "", "01 02 03 04 08"},
		{"resident:child", "Grid.residents", "grid:sg01", "01 02 03 04 08"},
		{"resident:child", "Household.members", "household:volunteer", "01 02 03 04 08"},
		{"resident:child", "CareBooking.resident", "booking:child", "01 02 08"},
		{"pi:child", "node", "", "01 02 03 04 08"},
		{"pi:child", "Resident.personalInfo", "resident:child", "01 02 03 04 08"},
		{"guardianship:child", "node", "", "01 02 03 04 08"},
		{"guardianship:child", "Query.guardianships", "", "01 02 03 04 08"},
		{"guardianship:child", "Resident.dependents", "resident:volunteer", "01 02 03 04 08"},
	}...)
	for name, p := range map[string]probe{
		"Query.careFacilities":    rootConnection("careFacilities"),
		"Query.careBookings":      rootConnection("careBookings"),
		"CareFacility.services":   edge("CareFacility", "services"),
		"CareService.slots":       connection("CareService", "slots"),
		"CareSlot.bookings":       listing("CareSlot", "bookings", "id"),
		"CareSlot.bookings.notes": listing("CareSlot", "bookings", "notes { id }"),
		"CareBooking.notes":       edge("CareBooking", "notes"),
		"CareBooking.incidents":   edge("CareBooking", "incidents"),
		"CareBooking.events":      edge("CareBooking", "events"),
		"CareBooking.resident":    edge("CareBooking", "resident"),
		"CareEvent.booking":       edge("CareEvent", "booking"),
		"CareEvent.note":          edge("CareEvent", "note"),
		"CareEvent.incident":      edge("CareEvent", "incident"),
		"CareNote.booking":        edge("CareNote", "booking"),
		"Query.careBookings.notes": {edge: true,
			query: `query($a: ID!) { careBookings(where: {id: $a}) { edges { node { notes { id } } } } }`},
	} {
		probes[name] = p
	}
	worldParts = append(worldParts, careWorld)
}

// careWorld names the demo street's care objects, and registers a child of
// the volunteer (08) through the API, books the child into after-school
// care and has the caregiver (09) write a note about the child.
func careWorld(t *testing.T, w *world) {
	e, ctx, c := w.e, w.e.SystemCtx(), w.e.Client
	id := w.ids
	id["facility:daycare"] = c.CareFacility.Query().Where(carefacility.Name(seed.DayCareCentre)).OnlyIDX(ctx)
	id["service:fullday"] = c.CareService.Query().Where(careservice.FacilityID(id["facility:daycare"]), careservice.Name("全日托")).OnlyIDX(ctx)
	id["service:halfday"] = c.CareService.Query().Where(careservice.FacilityID(id["facility:daycare"]), careservice.Name("半日托")).OnlyIDX(ctx)
	note := c.CareNote.Query().Where().FirstX(ctx)
	id["note:elder"] = note.ID
	id["booking:elder"] = note.BookingID
	id["slot:elder"] = c.CareBooking.GetX(ctx, note.BookingID).SlotID
	id["incident:elder"] = c.CareIncident.Query().FirstIDX(ctx)
	id["event:elder-note"] = c.CareEvent.Query().Where(careevent.NoteID(note.ID)).OnlyIDX(ctx)
	id["event:elder-incident"] = c.CareEvent.Query().Where(careevent.IncidentID(id["incident:elder"])).OnlyIDX(ctx)

	id["resident:volunteer"] = e.ResidentID(t, seed.PhoneVolunteer)
	id["household:volunteer"] = e.HouseholdID(t, id["resident:volunteer"])
	parent := w.tokens["08"]
	birth := e.Clock.Now().AddDate(-8, 0, 0).Format(time.RFC3339)
	g := e.Do(t, parent, `mutation($b: Time!) { registerChild(input: {name: "陈小米", birthDate: $b}) { id consentMethod status } }`,
		map[string]any{"b": birth}).Must(t)
	if g.Value("registerChild", "consentMethod") != "PARENT_OF_MINOR" || g.Value("registerChild", "status") != "ACTIVE" {
		t.Fatalf("registerChild: %s", g)
	}
	var gid int
	fmt.Sscan(g.Value("registerChild", "id").(string), &gid)
	id["guardianship:child"] = gid
	child := c.Guardianship.GetX(ctx, gid).DependentID
	id["resident:child"] = child
	id["pi:child"] = c.PersonalInfo.Query().Where(personalinfo.ResidentID(child)).OnlyIDX(ctx)

	afterSchool := c.CareService.Query().Where(careservice.Name("四点半课堂")).OnlyX(ctx)
	slot := c.CareSlot.Query().Where(careslot.ServiceID(afterSchool.ID), careslot.StartsAtGT(e.Clock.Now().Add(3*time.Hour).UTC())).
		Order(ent.Asc(careslot.FieldStartsAt)).FirstX(ctx)
	id["slot:child"] = slot.ID
	b := e.Do(t, parent, `mutation($s: ID!, $c: ID!) { bookCare(input: {slotId: $s, residentId: $c}) { id status } }`,
		map[string]any{"s": str(slot.ID), "c": str(child)}).Must(t)
	id["booking:child"] = c.CareBooking.Query().Where(carebooking.ResidentID(child)).OnlyIDX(ctx)
	if b.Value("bookCare", "id") != str(id["booking:child"]) {
		t.Fatalf("bookCare: %s", b)
	}
	n := e.Do(t, w.tokens["09"], `mutation($b: ID!) { addCareNote(bookingId: $b, body: "今天功课写完了，和同学相处融洽。") { id } }`,
		map[string]any{"b": str(id["booking:child"])}).Must(t)
	fmt.Sscan(n.Value("addCareNote", "id").(string), &gid)
	id["note:child"] = gid
	id["event:child-note"] = c.CareEvent.Query().Where(careevent.NoteID(gid)).OnlyIDX(ctx)
}
