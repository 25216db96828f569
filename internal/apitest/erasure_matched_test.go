package apitest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jimei-linli/linli/ent/helpoffer"
	"github.com/jimei-linli/linli/ent/helprequest"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

// TestErasureReleasesAMatchedVolunteer: a help request of the erased
// person that a volunteer was already matched to is cancelled; the
// volunteer's offer ends (NOT_CHOSEN) and they are told, in a notice that
// names nobody.
func TestErasureReleasesAMatchedVolunteer(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		ctx := e.SystemCtx()
		tokens := e.DemoTokens(t)
		elder, vol := tokens[seed.PhoneElder], tokens[seed.PhoneVolunteer]
		id := e.Do(t, elder, askForHelp, helpInput(e, nil)).Must(t).Value("askForHelp", "id").(string)
		offer := e.Do(t, vol, offerHelp, map[string]any{"id": id}).Must(t).Value("offerHelp", "id").(string)
		r := e.Do(t, elder, `mutation($o: ID!) { acceptHelpOffer(offerId: $o) { status } }`, map[string]any{"o": offer}).Must(t)
		if r.Value("acceptHelpOffer", "status") != "MATCHED" {
			t.Fatalf("accepted: %s", r)
		}
		name := e.Client.Resident.GetX(ctx, e.ResidentID(t, seed.PhoneElder)).Name
		volunteerID := e.ResidentID(t, seed.PhoneVolunteer)
		before := e.Client.Notification.Query().Where(notification.ResidentID(volunteerID)).CountX(ctx)

		e.Do(t, elder, deleteMutation, map[string]any{"c": true}).Must(t)

		var rid int
		if _, err := fmt.Sscan(id, &rid); err != nil {
			t.Fatal(err)
		}
		req := e.Client.HelpRequest.GetX(ctx, rid)
		if req.Status != helprequest.StatusCANCELLED {
			t.Errorf("the matched request is %s after erasure, want CANCELLED", req.Status)
		}
		offers := e.Client.HelpOffer.Query().Where(helpoffer.HelpRequestID(rid)).AllX(ctx)
		if len(offers) != 1 || offers[0].Status != helpoffer.StatusNOT_CHOSEN {
			t.Errorf("the volunteer's offer after erasure: %+v", offers)
		}
		notes := e.Client.Notification.Query().Where(notification.ResidentID(volunteerID)).Order(notification.ByID()).AllX(ctx)
		if len(notes) <= before {
			t.Fatalf("the volunteer was not told (%d notifications, %d before)", len(notes), before)
		}
		for _, n := range notes[before:] {
			if strings.Contains(n.Title+n.Body, name) {
				t.Errorf("the volunteer's notice names the erased person: %q %q", n.Title, n.Body)
			}
		}
	})
}
