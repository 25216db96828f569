package apitest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/seed"
)

const verifyBirthDateMutation = `mutation($r: ID!, $d: Time!) { verifyBirthDate(residentId: $r, birthDate: $d) {
	id personalInfo { birthDate birthDateVerifiedAt birthDateVerifiedBy { id } } } }`

const ownBirthDateMutation = `mutation($d: Time!) { updateMyProfile(input: {birthDate: $d}) {
	personalInfo { birthDate birthDateVerifiedAt birthDateVerifiedBy { id } } } }`

const quoteTierQuery = `query($input: PlaceMealOrderInput!) { quoteMealOrder(input: $input) { tier subsidy eligible birthDateUnverified } }`

const orderTierQuery = `query($id: ID!) { node(id: $id) { ... on MealOrder { tier subsidised subsidy listPrice amountPaid } } }`

// TestMoneyFactsCountOnlyVerified: a resident who declares himself born in
// 1940 is priced REGULAR (the quote says his birth date is unverified);
// once the community admin verifies it the AGE_80_PLUS tier applies; his
// own later edit makes it unverified again and the next order is REGULAR.
// Nobody verifies their own birth date, canteen staff verify none, and an
// admin of another community does not find the resident; nor does a
// resident record their own 低保 qualification. Then, with a 低保
// qualification, canteen staff see that his order is subsidised and by how
// much, but not why; the admin, the street admin and he see LOW_INCOME.
func TestMoneyFactsCountOnlyVerified(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tok := e.DemoTokens(t)
		staff, son, admin, street := tok[seed.PhoneCanteenStaff], tok[seed.PhoneGuardian], tok[seed.PhoneCommunityAdmin], tok[seed.PhoneStreetAdmin]
		sonID, adminID := apitest.ID(e.ResidentID(t, seed.PhoneGuardian)), apitest.ID(e.ResidentID(t, seed.PhoneCommunityAdmin))
		canteenID := e.Do(t, son, canteenQuery, nil).Must(t).Value("canteens", "edges", 0, "node", "id")
		day := e.Clock.Now().In(localtime.Zone).AddDate(0, 0, 9).Format(time.DateOnly)
		m := e.Do(t, staff, createMenuMutation, map[string]any{"input": map[string]any{
			"canteenId": canteenID, "date": day, "period": "LUNCH", "capacity": 20,
			"dishes": []map[string]any{{"name": "清蒸鲈鱼", "price": 1200}, {"name": "米饭", "price": 100}}}}).Must(t)
		e.Do(t, staff, `mutation($id: ID!) { publishMenu(id: $id) { publishedAt } }`, map[string]any{"id": m.Value("createMenu", "id")}).Must(t)
		order := map[string]any{"input": map[string]any{"menuId": m.Value("createMenu", "id"), "fulfillment": "PICK_UP",
			"items": []map[string]any{{"menuItemId": m.Value("createMenu", "items", 0, "id"), "quantity": 1},
				{"menuItemId": m.Value("createMenu", "items", 1, "id"), "quantity": 2}}}}
		cancel := func(id any) {
			t.Helper()
			e.Do(t, son, `mutation($id: ID!) { cancelMealOrder(id: $id) { status } }`, map[string]any{"id": id}).Must(t)
		}
		// orderAt places the son's lunch, checks its tier and subsidy, and
		// cancels it so that he may order again.
		orderAt := func(tier string, subsidy float64) {
			t.Helper()
			r := e.Do(t, son, placeOrderMutation, order).Must(t)
			if r.Value("placeMealOrder", "tier") != tier || r.Value("placeMealOrder", "subsidy") != subsidy ||
				r.Value("placeMealOrder", "amountPaid") != 1400-subsidy {
				t.Errorf("want an order at %s with subsidy %v, got %s", tier, subsidy, r)
			}
			cancel(r.Value("placeMealOrder", "id"))
		}

		// Declared: he says he is 86; the street does not pay for that.
		born1940 := "1940-01-01T00:00:00Z"
		r := e.Do(t, son, ownBirthDateMutation, map[string]any{"d": born1940}).Must(t)
		if r.Value("updateMyProfile", "personalInfo", "birthDateVerifiedAt") != nil {
			t.Errorf("a declared birth date is verified: %s", r)
		}
		q := e.Do(t, son, quoteTierQuery, order).Must(t)
		if q.Value("quoteMealOrder", "tier") != "REGULAR" || q.Value("quoteMealOrder", "subsidy") != 0.0 ||
			q.Value("quoteMealOrder", "birthDateUnverified") != true || len(q.Value("quoteMealOrder", "eligible").([]any)) != 1 {
			t.Errorf("quote on a declared birth date: %s", q)
		}
		orderAt("REGULAR", 0)

		// Who may not verify: himself, canteen staff, an admin for
		// themselves, an admin of another community (not found).
		if r := e.Do(t, son, verifyBirthDateMutation, map[string]any{"r": sonID, "d": born1940}).MustFail(t, "FORBIDDEN"); r.Field() != "" && r.Field() != "residentId" {
			t.Errorf("field: %s", r)
		}
		e.Do(t, staff, verifyBirthDateMutation, map[string]any{"r": sonID, "d": born1940}).MustFail(t, "FORBIDDEN")
		if r := e.Do(t, admin, verifyBirthDateMutation, map[string]any{"r": adminID, "d": born1940}).MustFail(t, "FORBIDDEN"); r.Field() != "residentId" {
			t.Errorf("an admin verifying their own: %s", r)
		}
		other := apitest.ID(e.ResidentID(t, seed.PhoneOtherResident))
		if r := e.Do(t, admin, verifyBirthDateMutation, map[string]any{"r": other, "d": born1940}).MustFail(t, "NOT_FOUND"); r.Field() != "residentId" {
			t.Errorf("out of scope: %s", r)
		}
		before := e.Counts(t)
		e.Do(t, admin, verifyBirthDateMutation, map[string]any{"r": sonID, "d": "1800-01-01T00:00:00Z"}).MustFail(t, "BAD_USER_INPUT")
		if !equalCounts(before, e.Counts(t)) {
			t.Errorf("a refused verification wrote something")
		}
		q = e.Do(t, son, quoteTierQuery, order).Must(t)
		if q.Value("quoteMealOrder", "tier") != "REGULAR" {
			t.Errorf("a refused verification counted: %s", q)
		}

		// Verified by the community admin: the 80+ tier applies.
		r = e.Do(t, admin, verifyBirthDateMutation, map[string]any{"r": sonID, "d": born1940}).Must(t)
		if r.Value("verifyBirthDate", "personalInfo", "birthDateVerifiedAt") == nil ||
			r.Value("verifyBirthDate", "personalInfo", "birthDateVerifiedBy", "id") != adminID {
			t.Errorf("verify: %s", r)
		}
		q = e.Do(t, son, quoteTierQuery, order).Must(t)
		if q.Value("quoteMealOrder", "tier") != "AGE_80_PLUS" || q.Value("quoteMealOrder", "birthDateUnverified") != false {
			t.Errorf("quote on a verified birth date: %s", q)
		}
		orderAt("AGE_80_PLUS", 500)

		// His own edit makes it unverified again, and the admin sees it.
		r = e.Do(t, son, ownBirthDateMutation, map[string]any{"d": "1939-06-01T00:00:00Z"}).Must(t)
		if r.Value("updateMyProfile", "personalInfo", "birthDateVerifiedAt") != nil || r.Value("updateMyProfile", "personalInfo", "birthDateVerifiedBy") != nil {
			t.Errorf("his own edit stayed verified: %s", r)
		}
		seen := e.Do(t, admin, `query($id: ID!) { node(id: $id) { ... on Resident { personalInfo { birthDate birthDateVerifiedAt } } } }`,
			map[string]any{"id": sonID}).Must(t)
		if d, _ := seen.Value("node", "personalInfo", "birthDate").(string); len(d) < 10 || d[:10] != "1939-06-01" ||
			seen.Value("node", "personalInfo", "birthDateVerifiedAt") != nil {
			t.Errorf("the admin sees: %s", seen)
		}
		orderAt("REGULAR", 0)

		// Nor does he record his own 低保; the community admin does.
		e.Do(t, son, `mutation($r: ID!) { recordSubsidyQualification(residentId: $r, kind: LOW_INCOME) { id } }`,
			map[string]any{"r": sonID}).MustFail(t, "FORBIDDEN")
		// The kitchen sees subsidised and the amount, not why.
		e.Do(t, admin, `mutation($r: ID!) { recordSubsidyQualification(residentId: $r, kind: LOW_INCOME) { id } }`,
			map[string]any{"r": sonID}).Must(t)
		placed := e.Do(t, son, placeOrderMutation, order).Must(t)
		if placed.Value("placeMealOrder", "tier") != "LOW_INCOME" || placed.Value("placeMealOrder", "subsidy") != 800.0 {
			t.Fatalf("order with 低保: %s", placed)
		}
		id := map[string]any{"id": placed.Value("placeMealOrder", "id")}
		k := e.Do(t, staff, orderTierQuery, id).Must(t)
		if k.Value("node", "tier") != nil || k.Value("node", "subsidised") != true || k.Value("node", "subsidy") != 800.0 ||
			k.Value("node", "amountPaid") != 600.0 {
			t.Errorf("canteen staff see: %s", k)
		}
		list := e.Do(t, staff, `{ mealOrders(first: 100) { edges { node { tier subsidised } } } }`, nil).Must(t)
		edges, _ := list.Value("mealOrders", "edges").([]any)
		if len(edges) == 0 {
			t.Errorf("canteen staff see no orders: %s", list)
		}
		for i := range edges {
			if list.Value("mealOrders", "edges", i, "node", "tier") != nil {
				t.Fatalf("canteen staff see a tier in the list: %s", list)
			}
		}
		for who, token := range map[string]string{"the community admin": admin, "the street admin": street, "the beneficiary": son} {
			r := e.Do(t, token, orderTierQuery, id).Must(t)
			if r.Value("node", "tier") != "LOW_INCOME" || r.Value("node", "subsidised") != true {
				t.Errorf("%s sees: %s", who, r)
			}
		}
		cancel(id["id"])
	})
}

// TestElderlyCareCountsOnlyVerifiedBirthDates: a 60+ day-care service
// takes the elder, whose birth date the community office verified, and
// refuses her son once he declares himself born in 1940; nothing is
// written for the refusal.
func TestElderlyCareCountsOnlyVerifiedBirthDates(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		son, elder := e.TokenFor(t, seed.PhoneGuardian), e.TokenFor(t, seed.PhoneElder)
		slot := careTestSlot(t, e, seed.DayCareCentre, careservice.KindREHABILITATION, 5, tomorrowAt(e, 10, 0), 60, 0)
		e.Do(t, son, ownBirthDateMutation, map[string]any{"d": "1940-01-01T00:00:00Z"}).Must(t)
		before := careCounts(t, e)
		r := book(t, e, son, slot, nil, false).MustFail(t, "BAD_USER_INPUT")
		if !strings.Contains(r.Message(), "verified by community staff") {
			t.Errorf("refusal: %s", r.Message())
		}
		if after := careCounts(t, e); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("a refused booking wrote: %v -> %v", before, after)
		}
		if s := book(t, e, elder, slot, nil, false).Must(t).Value("bookCare", "status"); s != "CONFIRMED" {
			t.Errorf("the elder's booking is %v", s)
		}
	})
}
