package apitest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/ent/careslot"
	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/ent/helprequest"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/volunteertask"
	"github.com/jimei-linli/linli/ent/volunteertaskassignment"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/care"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/seed"
)

// TestErasureLeavesNothing deletes the account of the demo elder, who has
// orders, bookings, help requests, a guardian, a device and sign-in codes,
// and then walks every text column of every table (from the database's own
// catalogue, so a new table is walked too) for her name, phone, birth date
// and push token: none may remain. Her open business ends first.
func TestErasureLeavesNothing(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		ctx := e.SystemCtx()
		p := seed.PhoneElder
		rid := e.ResidentID(t, p)
		who, err := e.Client.Resident.Get(ctx, rid)
		if err != nil {
			t.Fatal(err)
		}
		info, err := e.Client.PersonalInfo.Query().Where(personalinfo.ResidentID(rid)).Only(ctx)
		if err != nil || info.BirthDate == nil {
			t.Fatalf("the elder's details: %+v, %v", info, err)
		}
		token := e.TokenFor(t, p)
		push := "erasure-test-push-token-7c1f"
		e.Do(t, token, `mutation($t: String!) { registerDevice(platform: ANDROID, token: $t) }`,
			map[string]any{"t": push}).Must(t)
		e.Do(t, "", `mutation($p: String!) { requestSignInCode(phone: $p) { phone } }`, map[string]any{"p": p}).Must(t)
		values := []string{who.Name, p, push, info.BirthDate.In(localtime.Zone).Format("2006-01-02")}
		if n := len(sweep(t, e, values)); n == 0 {
			t.Fatal("before erasure the sweep finds none of the elder's values: it cannot fail")
		}

		e.Do(t, token, deleteMutation, map[string]any{"c": true}).Must(t)

		for _, hit := range sweep(t, e, values) {
			t.Errorf("after erasure %s", hit)
		}
		if n, _ := e.Client.HelpRequest.Query().Where(helprequest.RequesterID(rid),
			helprequest.StatusIn(helprequest.StatusOPEN, helprequest.StatusMATCHED)).Count(ctx); n != 0 {
			t.Errorf("%d help requests of hers are still open", n)
		}
		// A place stays held only past its cancellation cut-off.
		cutoff := e.Clock.Now().Add(care.DefaultOptions.CancelCutoff)
		if n, _ := e.Client.CareBooking.Query().Where(carebooking.ResidentID(rid), carebooking.StatusIn(
			carebooking.StatusCONFIRMED, carebooking.StatusWAITLISTED, carebooking.StatusOFFERED),
			carebooking.HasSlotWith(careslot.StartsAtGT(cutoff))).Count(ctx); n != 0 {
			t.Errorf("%d care bookings of hers still hold a place that could be cancelled", n)
		}
		if n, _ := e.Client.Guardianship.Query().Where(guardianship.DependentID(rid),
			guardianship.StatusNEQ(guardianship.StatusREVOKED)).Count(ctx); n != 0 {
			t.Errorf("%d guardianships of hers have not ended", n)
		}
		if n, _ := e.Client.MealOrder.Query().Where(mealorder.BeneficiaryID(rid), mealorder.DeliveryAddressNotNil()).Count(ctx); n != 0 {
			t.Errorf("%d meal orders of hers keep a delivery address", n)
		}
		// Her guardian heard that her business was closed, naming nobody
		// (the sweep covers the naming).
		guardian := e.TokenFor(t, seed.PhoneGuardian)
		r := e.Do(t, guardian, `{ notifications(first: 50) { edges { node { title } } } }`, nil).Must(t)
		if !strings.Contains(r.String(), "监护关系已结束") {
			t.Errorf("the guardian was not told the guardianship ended: %s", r)
		}
	})
}

// sweep returns where any of values occurs in a text, character or JSON
// column of any table, as "table.column holds value" lines.
func sweep(t *testing.T, e *apitest.Env, values []string) []string {
	t.Helper()
	ctx := context.Background()
	db := e.Store.DB
	catalogue := `SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND (c.type = '' OR lower(c.type) LIKE '%text%'
		OR lower(c.type) LIKE '%char%' OR lower(c.type) LIKE '%json%' OR lower(c.type) LIKE '%clob%')`
	like := `SELECT count(*) FROM "%s" WHERE CAST("%s" AS TEXT) LIKE ?`
	if e.Store.Dialect == dialect.Postgres {
		catalogue = `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')`
		like = `SELECT count(*) FROM "%s" WHERE CAST("%s" AS TEXT) LIKE $1`
	}
	rows, err := db.QueryContext(ctx, catalogue)
	if err != nil {
		t.Fatalf("the catalogue: %v", err)
	}
	type column struct{ table, name string }
	var columns []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.table, &c.name); err != nil {
			t.Fatal(err)
		}
		columns = append(columns, c)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if len(columns) < 50 {
		t.Fatalf("the catalogue lists only %d text columns", len(columns))
	}
	var hits []string
	for _, c := range columns {
		for _, v := range values {
			var n int
			if err := db.QueryRowContext(ctx, fmt.Sprintf(like, c.table, c.name), "%"+v+"%").Scan(&n); err != nil {
				t.Fatalf("%s.%s: %v", c.table, c.name, err)
			}
			if n > 0 {
				hits = append(hits, fmt.Sprintf("%s.%s holds %q in %d rows", c.table, c.name, v, n))
			}
		}
	}
	return hits
}

// TestExportHoldsGuardianshipsAndDevices: the guardian's export lists his
// guardianship of his mother and his registered device, without the push
// token.
func TestExportHoldsGuardianshipsAndDevices(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		token := e.TokenFor(t, seed.PhoneGuardian)
		push := "export-test-push-token-91ab"
		e.Do(t, token, `mutation($t: String!) { registerDevice(platform: IOS, token: $t) }`,
			map[string]any{"t": push}).Must(t)
		raw, _ := e.Do(t, token, exportMutation, nil).Must(t).Value("exportMyData", "json").(string)
		var doc struct {
			Guardianships []struct {
				GuardianID  int `json:"guardian_id"`
				DependentID int `json:"dependent_id"`
			}
			Devices []struct{ Platform string }
		}
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			t.Fatalf("the export is not JSON: %v", err)
		}
		me, elder := e.ResidentID(t, seed.PhoneGuardian), e.ResidentID(t, seed.PhoneElder)
		if len(doc.Guardianships) != 1 || doc.Guardianships[0].GuardianID != me || doc.Guardianships[0].DependentID != elder {
			t.Errorf("guardianships: %+v (guardian %d of %d)", doc.Guardianships, me, elder)
		}
		if len(doc.Devices) != 1 || doc.Devices[0].Platform != "IOS" {
			t.Errorf("devices: %+v", doc.Devices)
		}
		if strings.Contains(raw, push) {
			t.Error("the export contains the push token")
		}
	})
}

// TestErasureReleasesAVolunteersPlace: a volunteer who accepted the demo's
// open task deletes the account; the task needs a volunteer again, the
// sign-up is cancelled, and neither their name nor their phone remains.
func TestErasureReleasesAVolunteersPlace(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		ctx := e.SystemCtx()
		p := seed.PhoneVolunteer
		rid := e.ResidentID(t, p)
		who, err := e.Client.Resident.Get(ctx, rid)
		if err != nil {
			t.Fatal(err)
		}
		a, err := e.Client.VolunteerTaskAssignment.Query().Where(volunteertaskassignment.VolunteerID(rid),
			volunteertaskassignment.StatusEQ(volunteertaskassignment.StatusDISPATCHED)).First(ctx)
		if err != nil {
			t.Fatalf("the volunteer's dispatched task: %v", err)
		}
		token := e.TokenFor(t, p)
		e.Do(t, token, respond, map[string]any{"t": apitest.ID(a.TaskID), "yes": true}).Must(t)
		task, _ := e.Client.VolunteerTask.Get(ctx, a.TaskID)
		if task.Status != volunteertask.StatusSTAFFED || task.Accepted != 1 {
			t.Fatalf("after accepting, the task is %s with %d accepted", task.Status, task.Accepted)
		}

		e.Do(t, token, deleteMutation, map[string]any{"c": true}).Must(t)

		task, _ = e.Client.VolunteerTask.Get(ctx, a.TaskID)
		if task.Status != volunteertask.StatusOPEN || task.Accepted != 0 {
			t.Errorf("after erasure the task is %s with %d accepted; want OPEN with 0", task.Status, task.Accepted)
		}
		if a, _ = e.Client.VolunteerTaskAssignment.Get(ctx, a.ID); a.Status != volunteertaskassignment.StatusCANCELLED {
			t.Errorf("the sign-up is %s; want CANCELLED", a.Status)
		}
		for _, hit := range sweep(t, e, []string{who.Name, p}) {
			t.Errorf("after erasure %s", hit)
		}
	})
}
