package apitest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/consent"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/ent/session"
	"github.com/jimei-linli/linli/ent/signincode"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

const (
	requestCodeMutation = `mutation($p: String!) { requestSignInCode(phone: $p) { phone expiresAt } }`
	refreshMutation     = `mutation($r: String!) { refreshSession(refreshToken: $r) { accessToken refreshToken expiresAt resident { id } } }`
	meQuery             = `{ me { id name household { id } personalInfo { phone } roles { role } } }`
	nodeQuery           = `query($id: ID!) { node(id: $id) { id } }`
)

// signIn runs signIn with the given code and accepted notice version.
func signIn(t *testing.T, e *apitest.Env, phone, code, notice string) apitest.Response {
	t.Helper()
	return e.Do(t, "", apitest.SignInMutation, map[string]any{"phone": phone, "code": code, "notice": notice})
}

// wrongCode returns a code that differs from code in every digit.
func wrongCode(code string) string {
	b := []byte(code)
	for i, c := range b {
		b[i] = '0' + (c-'0'+1)%10
	}
	return string(b)
}

// tokensOf returns the tokens of a signIn or refreshSession answer.
func tokensOf(t *testing.T, r apitest.Response, field string) (access, refresh string) {
	t.Helper()
	access, _ = r.Value(field, "accessToken").(string)
	refresh, _ = r.Value(field, "refreshToken").(string)
	if access == "" || refresh == "" {
		t.Fatalf("%s gave no tokens: %s", field, r)
	}
	return access, refresh
}

// unauthenticated fails the test unless token no longer works: HTTP 401
// with UNAUTHENTICATED.
func unauthenticated(t *testing.T, e *apitest.Env, token, what string) {
	t.Helper()
	if r := e.Do(t, token, meQuery, nil); r.Status != 401 || r.Code() != "UNAUTHENTICATED" {
		t.Errorf("%s still works (want 401 UNAUTHENTICATED): %s", what, r)
	}
}

// works fails the test unless token is accepted and identifies someone.
func works(t *testing.T, e *apitest.Env, token, what string) {
	t.Helper()
	if r := e.Do(t, token, meQuery, nil); r.Status != 200 || len(r.Errors) > 0 || r.Value("me", "id") == nil {
		t.Errorf("%s does not work: %s", what, r)
	}
}

// residentExists reports, as the system, whether a live resident signs in
// with phone.
func residentExists(t *testing.T, e *apitest.Env, phone string) bool {
	t.Helper()
	ok, err := e.Client.Resident.Query().
		Where(resident.HasPersonalInfoWith(personalinfo.Phone(phone)), resident.DeletedAtIsNil()).Exist(e.SystemCtx())
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		start := time.Now()
		apitest.New(t, s).SeedDemo(t)
		// Every subtest starts its own Env over the seeded database: its own
		// clock, inbox and rate limiter. They use phones of their own.

		// Not parallel, so it runs before the others: it revokes a role.
		t.Run("a revoked role stops working on the next request", func(t *testing.T) {
			e := apitest.New(t, s)
			leader := e.TokenFor(t, seed.PhoneGridLeader)
			admin := e.TokenFor(t, seed.PhoneCommunityAdmin)
			elderInfo := apitest.ID(e.PersonalInfoID(t, seed.PhoneElder))
			if r := e.Do(t, leader, nodeQuery, map[string]any{"id": elderInfo}); r.Value("node", "id") != elderInfo {
				t.Fatalf("the grid leader does not see the elder's details to begin with: %s", r)
			}
			role := apitest.ID(e.RoleID(t, seed.PhoneGridLeader, "GRID_LEADER"))
			r := e.Do(t, admin, `mutation($id: ID!) { revokeRole(id: $id) }`, map[string]any{"id": role}).Must(t)
			if r.Value("revokeRole") != role {
				t.Errorf("revokeRole answered %s", r)
			}
			// The same access token, the next request.
			if r := e.Do(t, leader, nodeQuery, map[string]any{"id": elderInfo}); r.Code() != "NOT_FOUND" {
				t.Errorf("the former grid leader still sees the elder's details: %s", r)
			}
			elder := apitest.ID(e.ResidentID(t, seed.PhoneElder))
			if r := e.Do(t, leader, nodeQuery, map[string]any{"id": elder}); r.Code() != "NOT_FOUND" {
				t.Errorf("the former grid leader still sees the elder: %s", r)
			}
			if r := e.Do(t, leader, meQuery, nil).Must(t); len(r.Value("me", "roles").([]any)) != 0 {
				t.Errorf("me still lists roles: %s", r)
			}
		})

		t.Run("the full flow", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			r := e.Do(t, "", `{ privacyNoticeVersion }`, nil).Must(t)
			version := e.Policy.PrivacyNoticeVersion
			if r.Value("privacyNoticeVersion") != version {
				t.Errorf("privacyNoticeVersion = %s, want %s", r, version)
			}
			now := e.Clock.Now()
			r = e.Do(t, "", requestCodeMutation, map[string]any{"p": "+86 139-0000-0006"}).Must(t)
			if r.Value("requestSignInCode", "phone") != seed.PhoneGuardian {
				t.Errorf("the phone is not in canonical form: %s", r)
			}
			if exp, _ := time.Parse(time.RFC3339, fmt.Sprint(r.Value("requestSignInCode", "expiresAt"))); !exp.Equal(now.Add(5 * time.Minute)) {
				t.Errorf("the code expires at %v, want %v", exp, now.Add(5*time.Minute))
			}
			code := e.Codes.Code(t, seed.PhoneGuardian)
			if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
				t.Errorf("the code %q is not 6 digits", code)
			}
			stored, err := e.Client.SignInCode.Query().Where(signincode.Phone(seed.PhoneGuardian)).Only(e.SystemCtx())
			if err != nil || stored.CodeHash == code || len(stored.CodeHash) < 32 {
				t.Errorf("the code is not stored hashed: %+v, %v", stored, err)
			}
			r = signIn(t, e, "+8613900000006", code, version).Must(t)
			access, refresh := tokensOf(t, r, "signIn")
			if access == refresh {
				t.Error("the access and refresh tokens are the same")
			}
			rid := apitest.ID(e.ResidentID(t, seed.PhoneGuardian))
			if r.Value("signIn", "resident", "id") != rid || r.Value("signIn", "resident", "name") != "陈志明" {
				t.Errorf("signIn names the wrong resident: %s", r)
			}
			if exp, _ := time.Parse(time.RFC3339, fmt.Sprint(r.Value("signIn", "expiresAt"))); !exp.Equal(now.Add(apitest.AccessTokenTTL)) {
				t.Errorf("the access token expires at %v, want %v", exp, now.Add(apitest.AccessTokenTTL))
			}
			r = e.Do(t, access, meQuery, nil).Must(t)
			if r.Value("me", "id") != rid || r.Value("me", "personalInfo", "phone") != seed.PhoneGuardian || r.Value("me", "household") == nil {
				t.Errorf("me: %s", r)
			}
			// The answer is the same for a phone Linli does not know.
			r = e.Do(t, "", requestCodeMutation, map[string]any{"p": "13700000020"}).Must(t)
			if r.Value("requestSignInCode", "phone") != "13700000020" || r.Value("requestSignInCode", "expiresAt") == nil {
				t.Errorf("an unknown phone gets a different answer: %s", r)
			}
		})

		t.Run("bad input", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			if r := e.Do(t, "", requestCodeMutation, map[string]any{"p": "12345"}); r.Code() != "BAD_USER_INPUT" {
				t.Errorf("requestSignInCode(12345): %s", r)
			}
			if r := signIn(t, e, "not a phone", "123456", e.Policy.PrivacyNoticeVersion); r.Code() != "BAD_USER_INPUT" {
				t.Errorf("signIn with a bad phone: %s", r)
			}
			e.RequestCode(t, "13700000021")
			if r := signIn(t, e, "13700000021", "12345", e.Policy.PrivacyNoticeVersion); r.Code() != "BAD_USER_INPUT" {
				t.Errorf("signIn with a 5-digit code: %s", r)
			}
		})

		t.Run("an unknown phone becomes an unverified resident who sees public data only", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			const p = "13700000001"
			if residentExists(t, e, p) {
				t.Fatalf("%s is known before it signs in", p)
			}
			access, _ := e.SignIn(t, p)
			// Other subtests write too: count this phone's rows only.
			ctx := e.SystemCtx()
			rid := e.ResidentID(t, p)
			nConsents, _ := e.Client.Consent.Query().Where(consent.ResidentID(rid)).Count(ctx)
			nSessions, _ := e.Client.Session.Query().Where(session.ResidentID(rid)).Count(ctx)
			nRoles, _ := e.Client.RoleAssignment.Query().Where(roleassignment.ResidentID(rid)).Count(ctx)
			if nConsents != 1 || nSessions != 1 || nRoles != 0 || e.HouseholdID(t, rid) != 0 {
				t.Errorf("the new resident has %d consents, %d sessions, %d roles, household %d; want 1, 1, 0, none",
					nConsents, nSessions, nRoles, e.HouseholdID(t, rid))
			}
			r := e.Do(t, access, meQuery, nil).Must(t)
			if r.Value("me", "household") != nil || r.Value("me", "personalInfo", "phone") != p ||
				len(r.Value("me", "roles").([]any)) != 0 || r.Value("me", "name") != "居民0001" {
				t.Errorf("me: %s", r)
			}
			r = e.Do(t, access, `{ communities { totalCount } }`, nil).Must(t)
			if r.Value("communities", "totalCount") != float64(5) {
				t.Errorf("the new resident does not see the map: %s", r)
			}
			for what, id := range map[string]int{
				"the elder":               e.ResidentID(t, seed.PhoneElder),
				"the elder's details":     e.PersonalInfoID(t, seed.PhoneElder),
				"the elder's household":   e.HouseholdID(t, e.ResidentID(t, seed.PhoneElder)),
				"the grid worker's phone": e.PersonalInfoID(t, seed.PhoneGridWorker),
			} {
				if r := e.Do(t, access, nodeQuery, map[string]any{"id": apitest.ID(id)}); r.Code() != "NOT_FOUND" {
					t.Errorf("the new resident reads %s: %s", what, r)
				}
			}
			grid := e.GridID(t, seed.GridShengguang01)
			r = e.Do(t, access, `query($g: ID!) { node(id: $g) { ... on Grid { residents(first: 100) { totalCount edges { node { name roles { role } personalInfo { phone } } } } } } }`,
				map[string]any{"g": apitest.ID(grid)}).Must(t)
			staff, err := e.Client.Resident.Query().Where(resident.GridID(grid), resident.HasRoles()).Count(e.SystemCtx())
			if err != nil {
				t.Fatal(err)
			}
			if r.Value("node", "residents", "totalCount") != float64(staff) {
				t.Errorf("the new resident sees %v residents of shengguang-01, want its %d staff", r.Value("node", "residents", "totalCount"), staff)
			}
			edges, _ := r.Value("node", "residents", "edges").([]any)
			for i := range edges {
				if roles, _ := apitest.Dig(edges[i], "node", "roles").([]any); len(roles) == 0 || apitest.Dig(edges[i], "node", "personalInfo") != nil {
					t.Errorf("the new resident sees %v", edges[i])
				}
			}
		})

		t.Run("6 wrong codes lock", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			const p = "13700000002"
			code := e.RequestCode(t, p)
			for i := 1; i <= 5; i++ {
				if r := signIn(t, e, p, wrongCode(code), e.Policy.PrivacyNoticeVersion); r.Code() != "UNAUTHENTICATED" {
					t.Errorf("wrong code %d: %s", i, r)
				}
			}
			if r := signIn(t, e, p, code, e.Policy.PrivacyNoticeVersion); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("the right code after 5 wrong ones: want UNAUTHENTICATED, got %s", r)
			}
			if residentExists(t, e, p) {
				t.Error("a locked code opened an account")
			}
			// The lock is the code's: a new one works.
			e.Clock.Advance(time.Minute)
			code = e.RequestCode(t, p)
			signIn(t, e, p, code, e.Policy.PrivacyNoticeVersion).Must(t)
		})

		t.Run("4 wrong codes do not lock", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			const p = "13700000003"
			code := e.RequestCode(t, p)
			for range 4 {
				signIn(t, e, p, wrongCode(code), e.Policy.PrivacyNoticeVersion).MustFail(t, "UNAUTHENTICATED")
			}
			signIn(t, e, p, code, e.Policy.PrivacyNoticeVersion).Must(t)
		})

		t.Run("a code expires after 5 minutes", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			code := e.RequestCode(t, "13700000004")
			e.Clock.Advance(5*time.Minute - time.Second)
			signIn(t, e, "13700000004", code, e.Policy.PrivacyNoticeVersion).Must(t)

			code = e.RequestCode(t, "13700000005")
			e.Clock.Advance(5 * time.Minute)
			if r := signIn(t, e, "13700000005", code, e.Policy.PrivacyNoticeVersion); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("a 5-minute-old code works: %s", r)
			}
		})

		t.Run("a code works once", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			const p = "13700000006"
			code := e.RequestCode(t, p)
			signIn(t, e, p, code, e.Policy.PrivacyNoticeVersion).Must(t)
			if r := signIn(t, e, p, code, e.Policy.PrivacyNoticeVersion); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("a used code works again: %s", r)
			}
		})

		t.Run("a new code invalidates the old one", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			const p = "13700000007"
			old := e.RequestCode(t, p)
			if r := e.Do(t, "", requestCodeMutation, map[string]any{"p": p}); r.Code() != "RATE_LIMITED" {
				t.Errorf("a second code within the minute: %s", r)
			}
			e.Clock.Advance(time.Minute)
			code := e.RequestCode(t, p)
			if code == old {
				t.Skip("the two random codes are equal (one chance in a million)")
			}
			if r := signIn(t, e, p, old, e.Policy.PrivacyNoticeVersion); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("the old code works: %s", r)
			}
			signIn(t, e, p, code, e.Policy.PrivacyNoticeVersion).Must(t)
		})

		t.Run("the privacy notice must be the current one, and is recorded", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			const p = "13700000008"
			code := e.RequestCode(t, p)
			for _, notice := range []string{"2020-01-01", ""} {
				r := signIn(t, e, p, code, notice)
				if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Message(), e.Policy.PrivacyNoticeVersion) {
					t.Errorf("notice %q: want BAD_USER_INPUT naming the current version, got %s", notice, r)
				}
			}
			if residentExists(t, e, p) {
				t.Error("a sign-in refused for the notice opened an account")
			}
			signIn(t, e, p, code, e.Policy.PrivacyNoticeVersion).Must(t)
			consents, err := e.Client.Consent.Query().Where(consent.ResidentID(e.ResidentID(t, p))).All(e.SystemCtx())
			if err != nil {
				t.Fatal(err)
			}
			if len(consents) != 1 || consents[0].NoticeVersion != e.Policy.PrivacyNoticeVersion || !consents[0].AcceptedAt.Equal(e.Clock.Now()) {
				t.Errorf("consents: %+v", consents)
			}
		})

		t.Run("refreshSession rotates; a reused refresh token ends the family", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			a1, r1 := e.SignIn(t, "13700000009")
			r := e.Do(t, "", refreshMutation, map[string]any{"r": r1}).Must(t)
			a2, r2 := tokensOf(t, r, "refreshSession")
			if a2 == a1 || r2 == r1 {
				t.Fatal("refreshSession gave the same tokens back")
			}
			works(t, e, a2, "the new access token")
			// The old refresh token again: it leaked (RFC 9700 §4.14.2).
			if r := e.Do(t, "", refreshMutation, map[string]any{"r": r1}); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("the old refresh token works again: %s", r)
			}
			if r := e.Do(t, "", refreshMutation, map[string]any{"r": r2}); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("the new refresh token survives the reuse of the old: %s", r)
			}
			unauthenticated(t, e, a2, "the new access token, after the reuse")
			unauthenticated(t, e, a1, "the old access token, after the reuse")
			if r := e.Do(t, "", refreshMutation, map[string]any{"r": "not-a-refresh-token"}); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("a made-up refresh token: %s", r)
			}
		})

		t.Run("a refresh token expires after 30 days unused", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			_, r1 := e.SignIn(t, "13700000010")
			e.Clock.Advance(30*24*time.Hour - time.Second)
			r := e.Do(t, "", refreshMutation, map[string]any{"r": r1}).Must(t)
			a2, r2 := tokensOf(t, r, "refreshSession")
			works(t, e, a2, "the access token from the refresh on day 29")
			e.Clock.Advance(30 * 24 * time.Hour)
			if r := e.Do(t, "", refreshMutation, map[string]any{"r": r2}); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("a refresh token unused for 30 days works: %s", r)
			}
		})

		t.Run("an access token expires", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			access := e.TokenFor(t, seed.PhoneVolunteer)
			e.Clock.Advance(apitest.AccessTokenTTL - time.Second)
			works(t, e, access, "an access token a second before it expires")
			e.Clock.Advance(time.Second)
			unauthenticated(t, e, access, "an expired access token")
		})

		t.Run("signOut ends this session at once, not others", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			const p = "13700000011"
			aA, rA := e.SignIn(t, p)
			e.Clock.Advance(time.Minute)
			aB, rB := e.SignIn(t, p)
			if r := e.Do(t, aA, `mutation { signOut }`, nil).Must(t); r.Value("signOut") != true {
				t.Errorf("signOut: %s", r)
			}
			unauthenticated(t, e, aA, "the signed-out access token")
			if r := e.Do(t, "", refreshMutation, map[string]any{"r": rA}); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("the signed-out refresh token: %s", r)
			}
			works(t, e, aB, "the other session's access token")
			e.Do(t, "", refreshMutation, map[string]any{"r": rB}).Must(t)
			if r := e.Do(t, "", `mutation { signOut }`, nil); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("anonymous signOut: %s", r)
			}
		})

		t.Run("signOutEverywhere ends every session", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			const p = "13700000012"
			aA, rA := e.SignIn(t, p)
			e.Clock.Advance(time.Minute)
			aB, rB := e.SignIn(t, p)
			aC := e.TokenFor(t, p)
			someoneElse := e.TokenFor(t, seed.PhoneCanteenStaff)
			if r := e.Do(t, aB, `mutation { signOutEverywhere }`, nil).Must(t); r.Value("signOutEverywhere") != true {
				t.Errorf("signOutEverywhere: %s", r)
			}
			for what, token := range map[string]string{"session A": aA, "session B": aB, "session C": aC} {
				unauthenticated(t, e, token, what)
			}
			for what, token := range map[string]string{"session A": rA, "session B": rB} {
				if r := e.Do(t, "", refreshMutation, map[string]any{"r": token}); r.Code() != "UNAUTHENTICATED" {
					t.Errorf("the refresh token of %s: %s", what, r)
				}
			}
			works(t, e, someoneElse, "another resident's session")
		})

		// 30 aliases: the most a document may have (server.Limits.Aliases);
		// more is refused whole, before anything runs.
		aliasCodeRequests := func(t *testing.T, e *apitest.Env, p string) {
			var b strings.Builder
			b.WriteString("mutation {")
			// The same phone written three ways counts as one.
			forms := []string{p, "+86" + p, p[:3] + " " + p[3:7] + " " + p[7:]}
			for i := range 30 {
				fmt.Fprintf(&b, " a%d: requestSignInCode(phone: %q) { expiresAt }", i, forms[i%len(forms)])
			}
			b.WriteString(" }")
			r := e.Do(t, "", b.String(), nil)
			if r.Status != 200 {
				t.Fatalf("the aliased document was refused as a whole: %s", r)
			}
			if n := e.Codes.Delivered(p); n != 1 {
				t.Errorf("%d codes sent for 30 aliased requests; want 1", n)
			}
			if len(r.Errors) != 29 {
				t.Errorf("%d errors for 30 aliased requests; want 29", len(r.Errors))
			}
			for _, err := range r.Errors {
				if err.Extensions.Code != "RATE_LIMITED" {
					t.Errorf("an aliased request failed with %s: %s", err.Extensions.Code, err.Message)
				}
			}
			if n, _ := e.Client.SignInCode.Query().Where(signincode.Phone(p)).Count(e.SystemCtx()); n != 1 {
				t.Errorf("%d codes stored; want 1", n)
			}
		}
		aliasSignIns := func(t *testing.T, e *apitest.Env, p string) {
			code := e.RequestCode(t, p)
			var b strings.Builder
			b.WriteString("mutation {")
			for i := range 30 {
				c := wrongCode(code)
				if i == 5 {
					c = code // the right code, as the 6th try: too late
				}
				fmt.Fprintf(&b, " a%d: signIn(phone: %q, code: %q, acceptPrivacyNotice: %q) { accessToken }", i, p, c, e.Policy.PrivacyNoticeVersion)
			}
			b.WriteString(" }")
			r := e.Do(t, "", b.String(), nil)
			if r.Status != 200 {
				t.Fatalf("the aliased document was refused as a whole: %s", r)
			}
			counts := map[string]int{}
			for _, err := range r.Errors {
				counts[err.Extensions.Code]++
			}
			if len(r.Errors) != 30 || counts["UNAUTHENTICATED"]+counts["RATE_LIMITED"] != 30 {
				t.Errorf("want 30 errors, UNAUTHENTICATED or RATE_LIMITED; got %v", counts)
			}
			if counts["UNAUTHENTICATED"] > e.Policy.SignInsPerPhone.Max {
				t.Errorf("%d sign-ins were tried; the limit per phone is %d", counts["UNAUTHENTICATED"], e.Policy.SignInsPerPhone.Max)
			}
			if strings.Contains(string(r.Body), "accessToken\":\"") || residentExists(t, e, p) {
				t.Errorf("an aliased sign-in succeeded: %s", r)
			}
			c, err := e.Client.SignInCode.Query().Where(signincode.Phone(p)).Only(e.SystemCtx())
			if err != nil {
				t.Fatal(err)
			}
			if c.Attempts > e.Policy.MaxCodeAttempts {
				t.Errorf("%d wrong codes counted against the code; at most %d may be", c.Attempts, e.Policy.MaxCodeAttempts)
			}
		}

		t.Run("30 aliased code requests send one code", func(t *testing.T) {
			t.Parallel()
			aliasCodeRequests(t, apitest.New(t, s), "13700000013")
		})
		t.Run("30 aliased code requests send one code (Redis)", func(t *testing.T) {
			t.Parallel()
			aliasCodeRequests(t, apitest.New(t, s, apitest.WithRedisLimiter(apitest.RedisURL(t))), "13700000014")
		})
		t.Run("30 aliased sign-ins try at most 5 codes", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			const p = "13700000015"
			aliasSignIns(t, e, p)
			// Past the rate limits, the right code still fails: it is locked.
			e.Clock.Advance(time.Hour)
			if r := signIn(t, e, p, e.Codes.Code(t, p), e.Policy.PrivacyNoticeVersion); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("the right code after the storm: %s", r)
			}
		})
		t.Run("30 aliased sign-ins try at most 5 codes (Redis)", func(t *testing.T) {
			t.Parallel()
			aliasSignIns(t, apitest.New(t, s, apitest.WithRedisLimiter(apitest.RedisURL(t))), "13700000016")
		})

		t.Run("an SMS gateway failure is a clear error and the code does not work", func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, s)
			const p = "13700000017"
			e.Codes.FailWith(errors.New("smsgw 10.9.8.7: upstream answered 502"))
			r := e.Do(t, "", requestCodeMutation, map[string]any{"p": p})
			if r.Code() != "INTERNAL" || !strings.Contains(r.Message(), "could not be sent") {
				t.Errorf("want INTERNAL saying the code could not be sent, got %s", r)
			}
			if strings.Contains(string(r.Body), "10.9.8.7") || strings.Contains(string(r.Body), "502") {
				t.Errorf("the gateway's error reaches the client: %s", r)
			}
			m, ok := e.Codes.Last(p)
			if !ok || m.Delivered {
				t.Fatalf("the gateway was not asked, or delivered: %+v", m)
			}
			if r := signIn(t, e, p, m.Code, e.Policy.PrivacyNoticeVersion); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("the undelivered code works: %s", r)
			}
			e.Codes.FailWith(nil)
			e.Clock.Advance(time.Minute)
			code := e.RequestCode(t, p)
			signIn(t, e, p, code, e.Policy.PrivacyNoticeVersion).Must(t)
		})

		t.Cleanup(func() { t.Logf("%s: sign-in suite in %v", s.Dialect, time.Since(start).Round(time.Millisecond)) })
	})
}
