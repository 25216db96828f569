package apitest_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/guardianship"
	"github.com/jimei-linli/linli/internal/seed"
)

// guardianshipNotices counts the guardianship notifications of a resident.
func guardianshipNotices(t *testing.T, e *apitest.Env, residentID int) int {
	t.Helper()
	return e.Client.Notification.Query().
		Where(notification.ResidentID(residentID), notification.KindEQ(notification.KindGUARDIANSHIP)).CountX(e.SystemCtx())
}

// TestGuardianshipByPhoneTellsNoOneApart (issue 14): asking by phone
// answers byte for byte the same for a phone nobody signed in with, an
// 82-year-old of the requester's grid, a resident of another community, and
// a phone already asked for; the requester's own view of guardianships does
// not change either, and the dependent declining says nothing.
func TestGuardianshipByPhoneTellsNoOneApart(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		volunteer := e.TokenFor(t, seed.PhoneVolunteer)
		mine := func() string {
			return e.Do(t, volunteer, `{ guardianships { totalCount } }`, nil).Must(t).String()
		}
		before := mine()
		var first []byte
		for _, p := range []string{"13700000999", seed.PhoneElder, seed.PhoneOtherResident, seed.PhoneElder, "13700000998"} {
			r := e.Do(t, volunteer, requestGuardianship, map[string]any{"phone": p})
			if first == nil {
				first = r.Body
				if r.Status != 200 || string(r.Data) != `{"requestGuardianship":null}` || len(r.Errors) != 0 {
					t.Fatalf("asking for %s: %d %s", p, r.Status, r.Body)
				}
			}
			if !bytes.Equal(r.Body, first) || r.Status != 200 {
				t.Errorf("asking for %s answers %d %s; for an unknown phone %s", p, r.Status, r.Body, first)
			}
		}
		if after := mine(); after != before {
			t.Errorf("the requester's guardianships went from %s to %s", before, after)
		}
		// The elder declines; the requester hears nothing of it.
		other := e.TokenFor(t, seed.PhoneOtherResident)
		e.Do(t, other, revokeGuardianship, map[string]any{"id": pendingGuardianshipOf(t, e, other)}).Must(t)
		if n := guardianshipNotices(t, e, e.ResidentID(t, seed.PhoneVolunteer)); n != 0 {
			t.Errorf("the requester got %d guardianship notifications", n)
		}
		// A malformed phone is refused whoever it might be.
		e.Do(t, volunteer, requestGuardianship, map[string]any{"phone": "12"}).MustFail(t, "BAD_USER_INPUT")
	})
}

// TestGuardianshipNoticeOncePerDay (issue 14): however often one requester
// asks, and even after the dependent declines, the dependent hears of them
// at most once a day.
func TestGuardianshipNoticeOncePerDay(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		otherID := e.ResidentID(t, seed.PhoneOtherResident)
		askAndDecline := func() {
			t.Helper()
			volunteer, other := e.TokenFor(t, seed.PhoneVolunteer), e.TokenFor(t, seed.PhoneOtherResident)
			e.Do(t, volunteer, requestGuardianship, map[string]any{"phone": seed.PhoneOtherResident}).Must(t)
			e.Do(t, other, revokeGuardianship, map[string]any{"id": pendingGuardianshipOf(t, e, other)}).Must(t)
		}
		askAndDecline()
		askAndDecline()
		askAndDecline()
		if n := guardianshipNotices(t, e, otherID); n != 1 {
			t.Errorf("after three requests in a day the dependent has %d request notices, want 1", n)
		}
		e.Clock.Advance(guardianship.NoticesPerPair.Window + time.Minute)
		askAndDecline()
		if n := guardianshipNotices(t, e, otherID); n != 2 {
			t.Errorf("a day later the dependent has %d request notices, want 2", n)
		}
	})
}

// TestGuardianshipByPhoneLimits (issue 14): one requester may ask for only
// so many phones a day, and one phone may be asked for only so often, by
// anyone, whether or not it has an account.
func TestGuardianshipByPhoneLimits(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		volunteer := e.TokenFor(t, seed.PhoneVolunteer)
		for i := range guardianship.AsksPerViewer.Max {
			e.Do(t, volunteer, requestGuardianship, map[string]any{"phone": fmt.Sprintf("137000009%02d", i)}).Must(t)
		}
		for _, p := range []string{"13700000999", seed.PhoneOtherResident} {
			e.Do(t, volunteer, requestGuardianship, map[string]any{"phone": p}).MustFail(t, "RATE_LIMITED")
		}
		// Per phone: other requesters, for a known and an unknown phone.
		askers := []string{seed.PhoneGuardian, seed.PhoneElder, seed.PhoneCaregiver, seed.PhoneCanteenStaff, seed.PhoneGridWorker, seed.PhoneGridLeader}
		for _, target := range []string{seed.PhoneOtherResident, "13700000888"} {
			for i, asker := range askers {
				r := e.Do(t, e.TokenFor(t, asker), requestGuardianship, map[string]any{"phone": target})
				if i < guardianship.AsksPerPhone.Max {
					r.Must(t)
				} else {
					r.MustFail(t, "RATE_LIMITED")
				}
			}
		}
	})
}

// TestTransferTimeToHiddenResidentIsNotFound (issue 14): time goes to
// residents the sender may see and to neighbours of their own community;
// a resident of another community is answered exactly like an ID that
// names no one, whatever the amount, and nothing is posted. A neighbour's
// name the sender may not see is not put in the memo.
func TestTransferTimeToHiddenResidentIsNotFound(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		vol := e.TokenFor(t, seed.PhoneVolunteer)
		transfer := `mutation($to: ID!, $m: Int!, $k: String!) { transferTime(input: {toResidentId: $to, minutes: $m, key: $k}) { id memo } }`
		have := balance(t, e, vol)
		count := func() int {
			return e.Client.LedgerTransfer.Query().Where(ledgertransfer.KindEQ(ledgertransfer.KindTRANSFER)).CountX(e.SystemCtx())
		}
		n := count()
		elsewhere := e.ResidentID(t, seed.PhoneOtherResident)
		for _, minutes := range []int{1, have + 1} {
			hidden := e.Do(t, vol, transfer, map[string]any{"to": apitest.ID(elsewhere), "m": minutes, "k": "x"}).MustFail(t, "NOT_FOUND")
			missing := e.Do(t, vol, transfer, map[string]any{"to": apitest.ID(elsewhere + 100000), "m": minutes, "k": "x"}).MustFail(t, "NOT_FOUND")
			if !bytes.Equal(hidden.Body, missing.Body) {
				t.Errorf("%d minutes: another community's resident answers %s, a missing one %s", minutes, hidden.Body, missing.Body)
			}
		}
		if got := count(); got != n {
			t.Errorf("%d transfers posted to no one", got-n)
		}
		// The elder of the volunteer's grid is a neighbour: time goes, her
		// name stays out of the memo.
		r := e.Do(t, vol, transfer, map[string]any{"to": apitest.ID(e.ResidentID(t, seed.PhoneElder)), "m": 1, "k": "y"}).Must(t)
		if memo, _ := r.Value("transferTime", "memo").(string); bytes.Contains([]byte(memo), []byte("林秀英")) {
			t.Errorf("the memo %q names a neighbour the sender may not see", memo)
		}
	})
}
