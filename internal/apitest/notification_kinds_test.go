package apitest_test

import (
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

// TestNotificationKinds: every notification's kind names what it is about,
// so that an app can group and filter them. Each step is an action through
// the API and the kind of the newest notification its recipient finds in
// their inbox: a help request asked, offered on and matched is HELP_REQUEST;
// the pay for the help, and a transfer received, are TIME_BANK; volunteer
// work dispatched is VOLUNTEER_TASK.
func TestNotificationKinds(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		elder, vol, worker, admin := tokens[seed.PhoneElder], tokens[seed.PhoneVolunteer], tokens[seed.PhoneGridWorker], tokens[seed.PhoneCommunityAdmin]
		sg01 := e.GridID(t, seed.GridShengguang01)
		community := e.CommunityID(t, seed.CommunityShengguang)
		volID, elderID := e.ResidentID(t, seed.PhoneVolunteer), e.ResidentID(t, seed.PhoneElder)

		var request, offer string
		now := e.Clock.Now()
		steps := []struct {
			name string
			act  func(t *testing.T)
			// to is who is told; want the kind and title of what they find.
			to, want, title string
		}{
			{"help asked", func(t *testing.T) {
				request = e.Do(t, elder, askForHelp, helpInput(e, map[string]any{"title": "种类: 买菜"})).Must(t).Value("askForHelp", "id").(string)
			}, vol, "HELP_REQUEST", "邻呼我应：种类: 买菜"},
			{"help offered", func(t *testing.T) {
				offer = e.Do(t, vol, offerHelp, map[string]any{"id": request}).Must(t).Value("offerHelp", "id").(string)
			}, elder, "HELP_REQUEST", ""},
			{"help matched", func(t *testing.T) {
				e.Do(t, elder, `mutation($o: ID!) { acceptHelpOffer(offerId: $o) { id } }`, map[string]any{"o": offer}).Must(t)
			}, vol, "HELP_REQUEST", ""},
			{"help completed: the volunteer is paid", func(t *testing.T) {
				e.Do(t, worker, `mutation($id: ID!) { confirmHelpCompleted(requestId: $id, minutes: 30) { id } }`,
					map[string]any{"id": request}).Must(t)
			}, vol, "TIME_BANK", "时间银行 +30 分钟"},
			{"time transferred", func(t *testing.T) {
				e.Do(t, vol, `mutation($to: ID!) { transferTime(input: {toResidentId: $to, minutes: 10, key: "kinds"}) { id } }`,
					map[string]any{"to": apitest.ID(elderID)}).Must(t)
			}, elder, "TIME_BANK", ""},
			{"volunteer work dispatched", func(t *testing.T) {
				e.Do(t, admin, createTask, map[string]any{"input": map[string]any{
					"communityId": apitest.ID(community), "gridId": apitest.ID(sg01), "title": "种类: 搬桌椅",
					"location": "红邻客厅", "windowStart": now.Format(time.RFC3339), "windowEnd": now.Add(4 * time.Hour).Format(time.RFC3339),
					"minutes": 60, "volunteerIds": []string{apitest.ID(volID)},
				}}).Must(t)
			}, vol, "VOLUNTEER_TASK", "志愿服务110：种类: 搬桌椅"},
		}
		for _, s := range steps {
			s.act(t)
			e.Relay.Flush(t.Context())
			r := e.Do(t, s.to, `{ notifications(first: 1) { edges { node { kind title } } } }`, nil).Must(t)
			if got := r.Value("notifications", "edges", 0, "node", "kind"); got != s.want {
				t.Errorf("%s: the newest notification is %v, want %s: %s", s.name, got, s.want, r)
			}
			if got := r.Value("notifications", "edges", 0, "node", "title"); s.title != "" && got != s.title {
				t.Errorf("%s: the newest notification is %q, want %q", s.name, got, s.title)
			}
		}
	})
}
