package apitest_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/seed"
)

// staffPhone returns the phone of the first holder of role in the grid
// with code (or, for COMMUNITY_ADMIN, in the community with code).
func staffPhone(t *testing.T, e *apitest.Env, role roleassignment.Role, code string) string {
	t.Helper()
	where := roleassignment.HasGridWith(grid.Code(code))
	if role == roleassignment.RoleCOMMUNITY_ADMIN {
		where = roleassignment.CommunityID(e.CommunityID(t, code))
	}
	p, err := e.Client.PersonalInfo.Query().
		Where(personalinfo.HasResidentWith(resident.HasRolesWith(roleassignment.RoleEQ(role), where))).
		Order(personalinfo.ByID()).First(e.SystemCtx())
	if err != nil || p.Phone == nil {
		t.Fatalf("%s of %s: %v", role, code, err)
	}
	return *p.Phone
}

const statsQuery = `query($scope: ID!, $from: Time!, $to: Time!) { requestStatistics(scopeId: $scope, from: $from, to: $to) {
	received resolved averageRating rated overdueNow
	stages { stage due onTime onTimeRate }
	byCategory { category { code } received resolved } } }`

// TestRequestStatistics compares the statistics of a small fixture in
// 岑西 (where the seed files no requests) with numbers worked out by hand.
func TestRequestStatistics(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		q := newRequests(t, e)
		staff := staffPhone(t, e, roleassignment.RoleGRID_WORKER, seed.GridCenxi01)
		admin := staffPhone(t, e, roleassignment.RoleCOMMUNITY_ADMIN, "cenxi")
		at := func(d time.Duration) { // move the clock; tokens live 15 minutes of it
			e.Clock.Advance(d)
			q.tokens = e.DemoTokens(t)
			q.tokens[staff] = e.TokenFor(t, staff)
			q.tokens[admin] = e.TokenFor(t, admin)
		}
		at(0)
		t0 := e.Clock.Now()
		resident := seed.PhoneOtherResident
		// t0: r1 (repair) and r2 (sanitation) are filed.
		r1 := q.file(t, resident, map[string]any{"categoryId": categoryID(t, e, seed.CategoryRepair), "description": "路灯不亮",
			"answers": []map[string]any{{"name": "spot", "value": "3号楼"}}}).ID
		r2 := q.file(t, resident, map[string]any{"categoryId": categoryID(t, e, seed.CategorySanitation), "description": "垃圾没清"}).ID
		at(2 * time.Minute) // r1 claimed in time
		q.must(t, staff, "claimRequest", r1, "", nil)
		at(8 * time.Minute) // t0+10m: r2 claimed late (acknowledge is 5 minutes)
		q.must(t, staff, "claimRequest", r2, "", nil)
		at(50 * time.Minute) // t0+1h: r1 contacted in time; r3 (other) filed, never claimed
		q.must(t, staff, "addRequestNote", r1, ", body: $body, contact: true", map[string]any{"body": "已联系"})
		r3 := q.file(t, resident, map[string]any{"categoryId": categoryID(t, e, seed.CategoryOther), "description": "建议加座椅"}).ID
		at(time.Hour) // t0+2h: r1 resolved, confirmed and rated 4
		q.must(t, staff, "resolveRequest", r1, ", resolution: $resolution", map[string]any{"resolution": "换了灯"})
		q.must(t, resident, "confirmRequest", r1, "", nil)
		q.must(t, resident, "rateRequest", r1, ", rating: $rating", map[string]any{"rating": 4})
		at(3 * time.Hour) // t0+5h: r2 resolved, never contacted (contact was due at t0+4h)
		q.must(t, staff, "resolveRequest", r2, ", resolution: $resolution", map[string]any{"resolution": "已清运"})
		at(time.Hour) // t0+6h: the statistics
		_ = r3

		// By hand, at t0+6h:
		// received 3; resolved 2 (r1 closed, r2 resolved); rated 1, average 4;
		// overdue now 1 (r3: acknowledge was due at t0+1h05m).
		// ACKNOWLEDGE: r1 in time, r2 late, r3 past due unmet -> 1 of 3.
		// CONTACT: r1 in time (t0+1h <= t0+4h), r2 unmet past t0+4h, r3 unmet past t0+5h -> 1 of 3.
		// RESOLVE: r1 and r2 in time; r3 not due until t0+73h -> 2 of 2.
		// DEPARTMENT_ACKNOWLEDGE: none called -> 0 of 0.
		// FOLLOW_UP: r1 confirmed at once; r2 due at t0+53h -> 1 of 1.
		// RATING: r1 rated at once -> 1 of 1.
		want := `{"received":3,"resolved":2,"averageRating":4,"rated":1,"overdueNow":1,"stages":[` +
			`{"stage":"ACKNOWLEDGE","due":3,"onTime":1,"onTimeRate":0.3333333333333333},` +
			`{"stage":"CONTACT","due":3,"onTime":1,"onTimeRate":0.3333333333333333},` +
			`{"stage":"RESOLVE","due":2,"onTime":2,"onTimeRate":1},` +
			`{"stage":"DEPARTMENT_ACKNOWLEDGE","due":0,"onTime":0,"onTimeRate":null},` +
			`{"stage":"FOLLOW_UP","due":1,"onTime":1,"onTimeRate":1},` +
			`{"stage":"RATING","due":1,"onTime":1,"onTimeRate":1}],"byCategory":[` +
			`{"category":{"code":"repair"},"received":1,"resolved":1},` +
			`{"category":{"code":"sanitation"},"received":1,"resolved":1},` +
			`{"category":{"code":"other"},"received":1,"resolved":0}]}`
		period := map[string]any{"from": t0.Add(-time.Hour), "to": t0.Add(24 * time.Hour)}
		stats := func(phone string, scope int, vars map[string]any) apitest.Response {
			v := map[string]any{"scope": apitest.ID(scope)}
			for k, x := range vars {
				v[k] = x
			}
			return e.Do(t, q.tokens[phone], statsQuery, v)
		}
		gridID, communityID := e.GridID(t, seed.GridCenxi01), e.CommunityID(t, "cenxi")
		for _, tc := range []struct {
			phone string
			scope int
		}{{staff, gridID}, {admin, gridID}, {admin, communityID}, {seed.PhoneStreetAdmin, gridID}, {seed.PhoneStreetAdmin, communityID}} {
			var got struct{ RequestStatistics json.RawMessage }
			stats(tc.phone, tc.scope, period).Must(t).Decode(t, &got)
			if string(got.RequestStatistics) != want {
				t.Errorf("%s on %d:\n got %s\nwant %s", tc.phone, tc.scope, got.RequestStatistics, want)
			}
		}
		// The period bounds which requests count (overdue now does not).
		r := stats(staff, gridID, map[string]any{"from": t0.Add(30 * time.Minute).In(localtime.Zone), "to": t0.Add(24 * time.Hour)}).Must(t)
		if r.Value("requestStatistics", "received") != 1.0 || r.Value("requestStatistics", "overdueNow") != 1.0 {
			t.Errorf("from t0+30m: %s", r)
		}
		// Staff of other places, residents and department staff may not ask.
		for _, tc := range []struct {
			phone string
			scope int
			code  string
		}{
			{seed.PhoneGridWorker, gridID, "FORBIDDEN"},
			{seed.PhoneCommunityAdmin, communityID, "FORBIDDEN"},
			{resident, gridID, "FORBIDDEN"},
			{seed.PhoneDepartmentStaff, gridID, "FORBIDDEN"},
			{staff, communityID, "FORBIDDEN"},
			{admin, e.StreetID(t, seed.StreetCode), "FORBIDDEN"},
			{"", gridID, "UNAUTHENTICATED"},
			{seed.PhoneStreetAdmin, e.ResidentID(t, resident), "BAD_USER_INPUT"},
		} {
			if r := stats(tc.phone, tc.scope, period); r.Code() != tc.code {
				t.Errorf("%s on %d: %s", tc.phone, tc.scope, r)
			}
		}
		// The street's numbers include the seed's three months of 盛光.
		r = stats(seed.PhoneStreetAdmin, e.StreetID(t, seed.StreetCode), map[string]any{"from": t0.AddDate(0, -4, 0), "to": t0.Add(time.Hour)}).Must(t)
		if n, _ := r.Value("requestStatistics", "received").(float64); n < 50 {
			t.Errorf("street: %s", r)
		}
	})
}
