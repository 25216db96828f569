package apitest_test

import (
	"testing"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

// TestConfiguredCreditAppliesToSeededAccounts: LINLI_TIMEBANK_CREDIT_MINUTES
// applies to every resident account without a limit of its own, those the
// seed opened included: the demo volunteer (whose account the seed opened)
// may go 60 minutes below zero and no further, and the API says so.
func TestConfiguredCreditAppliesToSeededAccounts(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		vol := tokens[seed.PhoneVolunteer]
		elderID := apitest.ID(e.ResidentID(t, seed.PhoneElder))
		account := e.Do(t, vol, `{ myTimeAccount { balance creditLimit } }`, nil).Must(t)
		if got := account.Value("myTimeAccount", "creditLimit"); got != float64(-60) {
			t.Errorf("the seeded account's credit limit is %v, want -60 (the configured one): %s", got, account)
		}
		have := int(account.Value("myTimeAccount", "balance").(float64))
		transfer := `mutation($to: ID!, $m: Int!, $k: String!) { transferTime(input: {toResidentId: $to, minutes: $m, key: $k}) { id } }`
		e.Do(t, vol, transfer, map[string]any{"to": elderID, "m": have + 40, "k": "into-credit"}).Must(t)
		if got := balance(t, e, vol); got != -40 {
			t.Fatalf("balance %d after spending 40 minutes of credit, want -40", got)
		}
		e.Do(t, vol, transfer, map[string]any{"to": elderID, "m": 21, "k": "past-the-limit"}).MustFail(t, "CONFLICT")
		e.Do(t, vol, transfer, map[string]any{"to": elderID, "m": 20, "k": "to-the-limit"}).Must(t)
		if got := balance(t, e, vol); got != -60 {
			t.Errorf("balance %d, want -60 (the limit)", got)
		}
		// A pool has no limit: the API says null.
		pool := e.Do(t, tokens[seed.PhoneCommunityAdmin], `mutation($c: ID!) { setHelpPayer(communityId: $c, paidBy: POOL) { kind creditLimit } }`,
			map[string]any{"c": apitest.ID(e.CommunityID(t, seed.CommunityShengguang))}).Must(t)
		if pool.Value("setHelpPayer", "kind") != "POOL" || pool.Value("setHelpPayer", "creditLimit") != nil {
			t.Errorf("the pool: %s; want no credit limit", pool)
		}
	}, apitest.WithTimeBankCredit(60))
}

// TestNoCreditByDefault: without LINLI_TIMEBANK_CREDIT_MINUTES nobody may
// owe: the seeded volunteer cannot give more than they have.
func TestNoCreditByDefault(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		vol := tokens[seed.PhoneVolunteer]
		account := e.Do(t, vol, `{ myTimeAccount { balance creditLimit } }`, nil).Must(t)
		if got := account.Value("myTimeAccount", "creditLimit"); got != float64(0) {
			t.Errorf("credit limit %v, want 0: %s", got, account)
		}
		have := int(account.Value("myTimeAccount", "balance").(float64))
		e.Do(t, vol, `mutation($to: ID!, $m: Int!) { transferTime(input: {toResidentId: $to, minutes: $m, key: "over"}) { id } }`,
			map[string]any{"to": apitest.ID(e.ResidentID(t, seed.PhoneElder)), "m": have + 1}).MustFail(t, "CONFLICT")
	})
}
