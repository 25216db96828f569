package apitest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/accessrecord"
	"github.com/jimei-linli/linli/ent/carenote"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

const (
	myAccessesQuery = `query($r: ID) { myDataAccesses(residentId: $r) { totalCount edges { node { id kind recordID path at reader { id } subject { id } } } } }`
	auditQuery      = `query($reader: ID!) { accessRecords(where: {hasReaderWith: {id: $reader}}, orderBy: {field: AT, direction: ASC}) { totalCount edges { node { kind recordID path reader { id } subject { id } } } } }`
)

// accessView is one entry of the access log as the API shows it.
type accessView struct {
	ID, Kind, RecordID, Path, At string
	Reader, Subject              struct{ ID string }
}

// accessPage decodes a connection of access records at key.
func accessPage(t *testing.T, r apitest.Response, key string) (int, []accessView) {
	t.Helper()
	var out map[string]struct {
		TotalCount int
		Edges      []struct{ Node accessView }
	}
	r.Must(t).Decode(t, &out)
	var nodes []accessView
	for _, e := range out[key].Edges {
		nodes = append(nodes, e.Node)
	}
	return out[key].TotalCount, nodes
}

// TestAccessLog: a caregiver's reads of an elder's care note through node,
// nodes and a connection, and a grid worker's read of her personal details
// in a subscription's payloads, are each recorded with their path; the
// elder and her guardian list them, the street admin audits them; nobody
// else reads them; refused reads, the person's own and the guardian's
// record nothing.
func TestAccessLog(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		ctx := e.SystemCtx()
		tokens := e.DemoTokens(t)
		caregiver, elder := tokens[seed.PhoneCaregiver], tokens[seed.PhoneElder]
		note := e.Client.CareNote.Query().Order(ent.Asc(carenote.FieldID)).FirstX(ctx)
		elderID, caregiverID := e.ResidentID(t, seed.PhoneElder), e.ResidentID(t, seed.PhoneCaregiver)
		if note.ResidentID != elderID {
			t.Fatalf("the demo's first care note is about %d, not the elder %d", note.ResidentID, elderID)
		}
		noteID := apitest.ID(note.ID)
		logged := func() int { return e.Client.AccessRecord.Query().CountX(ctx) }
		if n := logged(); n != 0 {
			t.Fatalf("%d access records after seeding", n)
		}

		t.Run("refused reads, the person's own and a guardian's record nothing", func(t *testing.T) {
			for _, phone := range []string{seed.PhoneCanteenStaff, seed.PhoneCommunityAdmin, seed.PhoneOtherResident} {
				e.Do(t, tokens[phone], `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": noteID}).MustFail(t, "NOT_FOUND")
			}
			for _, token := range []string{elder, tokens[seed.PhoneGuardian]} {
				r := e.Do(t, token, `query($id: ID!) { node(id: $id) { ... on CareNote { body } } }`, map[string]any{"id": noteID}).Must(t)
				if r.Value("node", "body") != note.Body {
					t.Fatalf("the note as its reader: %s", r)
				}
			}
			if n := logged(); n != 0 {
				t.Errorf("%d access records, want none", n)
			}
		})

		t.Run("node, nodes and a connection are recorded, once per response", func(t *testing.T) {
			r := e.Do(t, caregiver, `query($id: ID!) { node(id: $id) { ... on CareNote { body } } again: node(id: $id) { id } }`, map[string]any{"id": noteID})
			if r.Code() != "" {
				t.Fatalf("%s\n%s", r, e.Logs())
			}
			if r.Value("node", "body") != note.Body {
				t.Fatalf("node: %s", r)
			}
			e.Do(t, caregiver, `query($id: ID!) { nodes(ids: [$id]) { id } }`, map[string]any{"id": noteID}).Must(t)
			r = e.Do(t, caregiver, `query($b: ID!) { careBookings(where: {id: $b}) { edges { node { notes { id } } } } }`,
				map[string]any{"b": apitest.ID(note.BookingID)}).Must(t)
			if got := r.Value("careBookings", "edges", 0, "node", "notes", 0, "id"); got != noteID {
				t.Fatalf("careBookings: %s", r)
			}
			total, got := accessPage(t, e.Do(t, tokens[seed.PhoneStreetAdmin], auditQuery, map[string]any{"reader": apitest.ID(caregiverID)}), "accessRecords")
			var paths []string
			for _, a := range got {
				if a.Kind != "CARE_NOTE" || a.RecordID != noteID || a.Subject.ID != apitest.ID(elderID) || a.Reader.ID != apitest.ID(caregiverID) {
					t.Errorf("entry %+v", a)
				}
				paths = append(paths, a.Path)
			}
			if total != 3 || strings.Join(paths, " ") != "node nodes careBookings" {
				t.Errorf("the audit of the caregiver has %d entries on paths %q, want node, nodes and careBookings", total, paths)
			}
			at := e.Client.AccessRecord.Query().FirstX(ctx).At
			if !at.Equal(e.Clock.Now()) {
				t.Errorf("recorded at %v, want the clock's %v", at, e.Clock.Now())
			}
		})

		t.Run("a subscription's payloads are recorded", func(t *testing.T) {
			q := newRequests(t, e)
			req := q.file(t, seed.PhoneElder, map[string]any{"categoryId": categoryID(t, e, seed.CategoryOther), "description": "想了解食堂时间"})
			// The filing's event is published before subscribing, so the
			// first payload is the only one the filing causes (a stream
			// may repeat a state it already sent when an event it loaded
			// arrives late).
			if err := e.Relay.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			before := logged()
			ws := e.DialWS(t, tokens[seed.PhoneGridWorker])
			ws.Subscribe("r", `subscription($id: ID!) { requestUpdated(id: $id) { request { id grid { residents(first: 100) { edges { node { id personalInfo { phone } } } } } } } }`, map[string]any{"id": req.ID})
			var payload json.RawMessage
			ws.Next("r", 5*time.Second, &payload)
			if !strings.Contains(string(payload), seed.PhoneElder) {
				t.Fatalf("the grid worker's payload has no phone of the elder: %s", payload)
			}
			workerID := e.ResidentID(t, seed.PhoneGridWorker)
			mine := e.Client.AccessRecord.Query().Where(accessrecord.ReaderID(workerID), accessrecord.SubjectID(elderID)).AllX(ctx)
			if len(mine) != 1 || mine[0].Kind != accessrecord.KindPERSONAL_INFO || !strings.HasPrefix(mine[0].Path, "requestUpdated") {
				t.Fatalf("the grid worker's reads of the elder: %+v", mine)
			}
			if self := e.Client.AccessRecord.Query().Where(accessrecord.SubjectID(workerID)).CountX(ctx); self != 0 {
				t.Errorf("the worker's own details were recorded %d times", self)
			}
			if logged() <= before {
				t.Errorf("no entries for the payload")
			}
			// The next payload (the request claimed) is recorded again.
			q.must(t, seed.PhoneGridWorker, "claimRequest", req.ID, "", nil)
			ws.Next("r", 5*time.Second, &payload)
			if n := e.Client.AccessRecord.Query().Where(accessrecord.ReaderID(workerID), accessrecord.SubjectID(elderID)).CountX(ctx); n != 2 {
				t.Errorf("after the second payload the worker read the elder's details %d times, want 2", n)
			}
		})

		t.Run("the person and her guardian list who read her data; nobody else does", func(t *testing.T) {
			want := e.Client.AccessRecord.Query().Where(accessrecord.SubjectID(elderID)).CountX(ctx)
			total, own := accessPage(t, e.Do(t, elder, myAccessesQuery, nil), "myDataAccesses")
			if total != want || total != 5 || len(own) != 5 {
				t.Fatalf("the elder lists %d entries (%d in the database, want 5: three care-note reads and two of her details)", total, want)
			}
			if own[0].At < own[len(own)-1].At || own[0].Kind != "PERSONAL_INFO" || own[len(own)-1].Path != "node" {
				t.Errorf("not newest first: %+v", own)
			}
			total, _ = accessPage(t, e.Do(t, tokens[seed.PhoneGuardian], myAccessesQuery, map[string]any{"r": apitest.ID(elderID)}), "myDataAccesses")
			if total != 5 {
				t.Errorf("the guardian lists %d of the elder's entries, want 5", total)
			}
			for _, phone := range []string{seed.PhoneOtherResident, seed.PhoneCaregiver, seed.PhoneCommunityAdmin} {
				total, _ = accessPage(t, e.Do(t, tokens[phone], myAccessesQuery, map[string]any{"r": apitest.ID(elderID)}), "myDataAccesses")
				if total != 0 {
					t.Errorf("%s lists %d of the elder's entries", phone, total)
				}
				total, _ = accessPage(t, e.Do(t, tokens[phone], auditQuery, map[string]any{"reader": apitest.ID(caregiverID)}), "accessRecords")
				if total != 0 {
					t.Errorf("%s audits %d of the caregiver's reads", phone, total)
				}
				e.Do(t, tokens[phone], `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": own[0].ID}).MustFail(t, "NOT_FOUND")
			}
			e.Do(t, "", myAccessesQuery, nil).MustFail(t, "UNAUTHENTICATED")
		})

		t.Run("the export has who read her records", func(t *testing.T) {
			raw, _ := e.Do(t, elder, exportMutation, nil).Must(t).Value("exportMyData", "json").(string)
			var doc struct{ Accesses []struct{ Kind, Path string } }
			if err := json.Unmarshal([]byte(raw), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Accesses) != 5 || doc.Accesses[0].Path != "node" {
				t.Errorf("the export's accesses: %+v", doc.Accesses)
			}
		})
		t.Run("erasing the person erases who read her records, not the reads she made", func(t *testing.T) {
			// The caregiver reads a note again, then deletes her account:
			// her reads stay (they are about the elder), the elder's go
			// when the elder deletes hers.
			e.Do(t, caregiver, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": noteID}).Must(t)
			e.Do(t, caregiver, deleteMutation, map[string]any{"c": true}).Must(t)
			if n := e.Client.AccessRecord.Query().Where(accessrecord.ReaderID(caregiverID)).CountX(ctx); n != 4 {
				t.Errorf("%d reads by the erased caregiver are kept, want 4", n)
			}
			e.Do(t, elder, deleteMutation, map[string]any{"c": true}).Must(t)
			if n := e.Client.AccessRecord.Query().Where(accessrecord.SubjectID(elderID)).CountX(ctx); n != 0 {
				t.Errorf("%d access records about the erased elder are kept", n)
			}
		})
	})
}

// TestAccessLogWriteFailureWithholdsTheData: when the access log cannot be
// written, the read's response is an error without the data.
func TestAccessLogWriteFailureWithholdsTheData(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		ctx := e.SystemCtx()
		note := e.Client.CareNote.Query().Order(ent.Asc(carenote.FieldID)).FirstX(ctx)
		caregiver := e.TokenFor(t, seed.PhoneCaregiver)
		query := `query($id: ID!) { node(id: $id) { ... on CareNote { body } } }`
		vars := map[string]any{"id": apitest.ID(note.ID)}
		e.Do(t, caregiver, query, vars).Must(t)
		if _, err := e.Store.DB.ExecContext(context.Background(), `DROP TABLE access_records`); err != nil {
			t.Fatal(err)
		}
		r := e.Do(t, caregiver, query, vars).MustFail(t, "INTERNAL")
		if strings.Contains(r.String(), note.Body) || r.Value("node") != nil {
			t.Errorf("the note left without its access record: %s", r)
		}
		// Reads that record nothing are unaffected.
		e.Do(t, e.TokenFor(t, seed.PhoneElder), query, vars).Must(t)
	})
}
