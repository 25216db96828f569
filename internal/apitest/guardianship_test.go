package apitest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

const (
	requestGuardianship = `mutation($phone: String, $id: ID) { requestGuardianship(input: {dependentPhone: $phone, dependentId: $id, relation: OTHER}) { id status consentMethod } }`
	consentGuardianship = `mutation($id: ID!) { consentToGuardianship(id: $id) { status consentMethod } }`
	witnessGuardianship = `mutation($id: ID!) { witnessGuardianshipConsent(id: $id) { status consentMethod } }`
	revokeGuardianship  = `mutation($id: ID!) { revokeGuardianship(id: $id) { status revokedAt } }`
	registerChild       = `mutation($name: String!, $b: Time!) { registerChild(input: {name: $name, birthDate: $b}) { id status consentMethod relation } }`
)

// TestGuardianshipByConsent: a request is PENDING until the dependent
// consents; it then lets the guardian book for them, until either side
// revokes it.
func TestGuardianshipByConsent(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		volunteer, other := e.TokenFor(t, seed.PhoneVolunteer), e.TokenFor(t, seed.PhoneOtherResident)
		otherID := e.ResidentID(t, seed.PhoneOtherResident)
		r := e.Do(t, volunteer, requestGuardianship, map[string]any{"phone": "+86 139 0000 0012"}).Must(t)
		if r.Value("requestGuardianship") != nil {
			t.Fatalf("a request by phone answers null, got %s", r)
		}
		// The dependent finds it among theirs.
		g := pendingGuardianshipOf(t, e, other)
		if n := e.Client.Notification.Query().Where(notification.ResidentID(otherID), notification.KindEQ(notification.KindGUARDIANSHIP)).
			CountX(e.SystemCtx()); n != 1 {
			t.Errorf("the dependent has %d guardianship notifications, want 1", n)
		}
		// Asked again, the same null: a pending request is not told apart.
		if r := e.Do(t, volunteer, requestGuardianship, map[string]any{"phone": seed.PhoneOtherResident}).Must(t); r.Value("requestGuardianship") != nil {
			t.Fatalf("a second request: %s", r)
		}
		// The requester does not even see a pending request made by phone.
		e.Do(t, volunteer, consentGuardianship, map[string]any{"id": g}).MustFail(t, "NOT_FOUND")
		slot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindREHABILITATION, 3, tomorrowAt(e, 10, 0), 0, 0)
		book(t, e, volunteer, slot, str(otherID), false).MustFail(t, "FORBIDDEN") // not yet

		c := e.Do(t, other, consentGuardianship, map[string]any{"id": g}).Must(t)
		if c.Value("consentToGuardianship", "status") != "ACTIVE" || c.Value("consentToGuardianship", "consentMethod") != "DEPENDENT" {
			t.Fatalf("consent: %s", c)
		}
		e.Do(t, other, consentGuardianship, map[string]any{"id": g}).MustFail(t, "CONFLICT")
		book(t, e, volunteer, slot, str(otherID), false).Must(t)

		e.Do(t, other, revokeGuardianship, map[string]any{"id": g}).Must(t)
		book(t, e, volunteer, slot, str(otherID), true).MustFail(t, "FORBIDDEN")
		e.Do(t, other, revokeGuardianship, map[string]any{"id": g}).MustFail(t, "CONFLICT")
		// Strangers neither see nor end a guardianship.
		e.Do(t, e.TokenFor(t, seed.PhoneCanteenStaff), revokeGuardianship, map[string]any{"id": g}).MustFail(t, "NOT_FOUND")
		e.Do(t, volunteer, requestGuardianship, map[string]any{"phone": "13700000999"}).Must(t)
		e.Do(t, volunteer, requestGuardianship, map[string]any{"id": str(e.ResidentID(t, seed.PhoneElder))}).MustFail(t, "NOT_FOUND")
	})
}

// pendingGuardianshipOf returns the ID of the one PENDING guardianship the
// holder of token sees.
func pendingGuardianshipOf(t *testing.T, e *apitest.Env, token string) any {
	t.Helper()
	r := e.Do(t, token, `{ guardianships(where: {status: PENDING}) { edges { node { id } } } }`, nil).Must(t)
	edges, _ := r.Value("guardianships", "edges").([]any)
	if len(edges) != 1 {
		t.Fatalf("%d pending guardianships, want 1: %s", len(edges), r)
	}
	return r.Value("guardianships", "edges", 0, "node", "id")
}

// TestGuardianshipWitnessedByGridStaff: an elder's consent given in front
// of her grid's worker makes the guardianship active; other staff and
// residents cannot witness it.
func TestGuardianshipWitnessedByGridStaff(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		e.Do(t, e.TokenFor(t, seed.PhoneVolunteer), requestGuardianship, map[string]any{"phone": seed.PhoneElder}).Must(t)
		g := pendingGuardianshipOf(t, e, e.TokenFor(t, seed.PhoneElder))
		// Who may not see it (the requester too, while it is pending and
		// the elder is not of her household) is told it does not exist.
		for _, phone := range []string{seed.PhoneVolunteer, seed.PhoneSafetyInformant, seed.PhoneCaregiver, seed.PhoneOtherResident} {
			e.Do(t, e.TokenFor(t, phone), witnessGuardianship, map[string]any{"id": g}).MustFail(t, "NOT_FOUND")
		}
		w := e.Do(t, e.TokenFor(t, seed.PhoneGridWorker), witnessGuardianship, map[string]any{"id": g}).Must(t)
		if w.Value("witnessGuardianshipConsent", "consentMethod") != "STAFF_WITNESSED" || w.Value("witnessGuardianshipConsent", "status") != "ACTIVE" {
			t.Fatalf("witness: %s", w)
		}
		// Staff of the grid may end it too.
		e.Do(t, e.TokenFor(t, seed.PhoneGridLeader), revokeGuardianship, map[string]any{"id": g}).Must(t)
	})
}

// TestRegisterChild: a parent's consent and the child's record are written
// together; a child of 14 or more, or a parent without a household, writes
// nothing.
func TestRegisterChild(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		e.SeedDemo(t)
		parent := e.TokenFor(t, seed.PhoneGuardian)
		birth := time.Date(e.Clock.Now().Year()-5, 6, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		r := e.Do(t, parent, registerChild, map[string]any{"name": "陈小宝", "b": birth.Format(time.RFC3339)}).Must(t)
		if r.Value("registerChild", "consentMethod") != "PARENT_OF_MINOR" || r.Value("registerChild", "relation") != "CHILD" {
			t.Fatalf("registerChild: %s", r)
		}
		ctx := e.SystemCtx()
		child := e.Client.Resident.Query().Where(resident.Name("陈小宝")).OnlyX(ctx)
		parentID := e.ResidentID(t, seed.PhoneGuardian)
		if *child.HouseholdID != e.HouseholdID(t, parentID) {
			t.Errorf("the child is in household %d, not the parent's", *child.HouseholdID)
		}
		pi := e.Client.PersonalInfo.Query().Where(personalinfo.ResidentID(child.ID)).OnlyX(ctx)
		if pi.BirthDate == nil || pi.BirthDate.Format("2006-01-02") != birth.Format("2006-01-02") || pi.Phone != nil {
			t.Errorf("the child's details: %+v", pi)
		}
		// The parent books after-school care for the child only within its
		// ages: 5 is too young for 6 to 12.
		kids := careTestSlot(t, e, seed.ChildcareCentre, careservice.KindAFTER_SCHOOL, 5, tomorrowAt(e, 16, 30), 6, 12)
		book(t, e, parent, kids, str(child.ID), false).MustFail(t, "BAD_USER_INPUT")
		toddlers := careTestSlot(t, e, seed.ChildcareCentre, careservice.KindHALF_DAY, 5, tomorrowAt(e, 8, 0), 1, 6)
		book(t, e, parent, toddlers, str(child.ID), false).Must(t)

		for _, tc := range []struct {
			name, token string
			birth       time.Time
			code, says  string
		}{
			{"fourteen", parent, e.Clock.Now().AddDate(-14, 0, -1), "BAD_USER_INPUT", "under 14"},
			{"not yet born", parent, e.Clock.Now().AddDate(0, 0, 2), "BAD_USER_INPUT", "past"},
			{"no household", "", time.Time{}, "FORBIDDEN", "household"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				token, b := tc.token, tc.birth
				if token == "" {
					token, _ = e.SignIn(t, "13700000321")
					b = e.Clock.Now().AddDate(-3, 0, 0)
				}
				before := careCounts(t, e)
				got := e.Do(t, token, registerChild, map[string]any{"name": "小明", "b": b.Format(time.RFC3339)}).MustFail(t, tc.code)
				if !strings.Contains(got.Message(), tc.says) {
					t.Errorf("message %q does not say %q", got.Message(), tc.says)
				}
				if after := careCounts(t, e); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Errorf("wrote: %v -> %v", before, after)
				}
			})
		}
	})
}
