package apitest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/auditrecord"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/session"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

const (
	exportMutation = `mutation { exportMyData { generatedAt json } }`
	deleteMutation = `mutation($c: Boolean!) { deleteMyAccount(confirm: $c) }`
)

// phoneInJSON matches a mainland mobile number as a JSON string.
var phoneInJSON = regexp.MustCompile(`"1[3-9][0-9]{9}"`)

// TestPIPL covers residents' rights over their data: a copy of everything
// (exportMyData) and deleting the account (deleteMyAccount).
func TestPIPL(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {

		t.Run("anonymous has no data to export or delete", func(t *testing.T) {
			e.Do(t, "", exportMutation, nil).MustFail(t, "UNAUTHENTICATED")
			e.Do(t, "", deleteMutation, map[string]any{"c": true}).MustFail(t, "UNAUTHENTICATED")
		})

		t.Run("exportMyData holds profile, phone, roles, consents and sessions, and no secrets", func(t *testing.T) {
			p := seed.PhoneGridLeader
			rid := e.ResidentID(t, p)
			access, refresh := e.SignIn(t, p)
			e.TokenFor(t, p) // a second session
			r := e.Do(t, access, exportMutation, nil).Must(t)
			raw, _ := r.Value("exportMyData", "json").(string)
			if r.Value("exportMyData", "generatedAt") == nil || raw == "" {
				t.Fatalf("export: %s", r)
			}
			var doc struct {
				ResidentID int `json:"residentId"`
				Profile    struct {
					ID   int
					Name string
				}
				PersonalInfo []struct{ Phone string }
				Roles        []struct{ Role string }
				Consents     []struct {
					NoticeVersion string `json:"notice_version"`
				}
				Sessions []map[string]any
			}
			if err := json.Unmarshal([]byte(raw), &doc); err != nil {
				t.Fatalf("the export is not JSON: %v\n%s", err, raw)
			}
			if doc.ResidentID != rid || doc.Profile.ID != rid || doc.Profile.Name != "黄志强" {
				t.Errorf("profile: %+v (resident %d)", doc.Profile, rid)
			}
			if len(doc.PersonalInfo) != 1 || doc.PersonalInfo[0].Phone != p {
				t.Errorf("personal info: %+v", doc.PersonalInfo)
			}
			if len(doc.Roles) != 1 || doc.Roles[0].Role != "GRID_LEADER" {
				t.Errorf("roles: %+v", doc.Roles)
			}
			if len(doc.Consents) == 0 || doc.Consents[len(doc.Consents)-1].NoticeVersion != e.Policy.PrivacyNoticeVersion {
				t.Errorf("consents: %+v", doc.Consents)
			}
			if len(doc.Sessions) < 2 {
				t.Errorf("%d sessions exported; the leader has at least 2", len(doc.Sessions))
			}
			hash := sha256.Sum256([]byte(refresh))
			for _, secret := range []string{"token_hash", "code_hash", refresh, hex.EncodeToString(hash[:]), access} {
				if strings.Contains(raw, secret) {
					t.Errorf("the export contains %.20q…", secret)
				}
			}
			// Nobody else's phone: the household's and the grid's are theirs.
			for _, ph := range phoneInJSON.FindAllString(raw, -1) {
				if ph != `"`+p+`"` {
					t.Errorf("the export contains the phone %s", ph)
				}
			}
			// Only the resident's own sessions.
			for _, s := range doc.Sessions {
				if s["resident_id"] != float64(rid) {
					t.Errorf("the export contains a session of someone else: %v", s)
				}
			}
		})

		t.Run("deleteMyAccount erases the person, ends the sessions and keeps the row", func(t *testing.T) {
			p := seed.PhoneGuardian
			ctx := e.SystemCtx()
			rid := e.ResidentID(t, p)
			hh := e.HouseholdID(t, rid)
			aA, rA := e.SignIn(t, p)
			aB := e.TokenFor(t, p)
			street := e.TokenFor(t, seed.PhoneStreetAdmin)
			worker := e.TokenFor(t, seed.PhoneGridWorker)

			before := e.Counts(t)
			r := e.Do(t, aA, deleteMutation, map[string]any{"c": false})
			if r.Code() != "BAD_USER_INPUT" {
				t.Errorf("confirm: false: want BAD_USER_INPUT, got %s", r)
			}
			if d := countDiff(before, e.Counts(t)); len(d) > 0 {
				t.Errorf("confirm: false changed rows: %v", d)
			}
			works(t, e, aA, "the token after confirm: false")

			r = e.Do(t, aA, deleteMutation, map[string]any{"c": true}).Must(t)
			if r.Value("deleteMyAccount") != true {
				t.Errorf("deleteMyAccount: %s", r)
			}
			after := e.Counts(t)
			// The guardianship of his mother ends (its event, and her
			// notification), his sign-in codes go, and the sessions end
			// (one event).
			want := map[string]int{"personal_infos": -1, "audit_records": 1, "events": 3, "notifications": 1, "sign_in_codes": -1}
			if d := countDiff(before, after); !equalCounts(d, want) {
				t.Errorf("rows changed by %v, want %v (the resident row stays)", d, want)
			}

			unauthenticated(t, e, aA, "the access token that deleted the account")
			unauthenticated(t, e, aB, "another session's access token")
			if r := e.Do(t, "", refreshMutation, map[string]any{"r": rA}); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("the refresh token after deletion: %s", r)
			}
			if n, _ := e.Client.PersonalInfo.Query().Where(personalinfo.Phone(p)).Count(ctx); n != 0 {
				t.Errorf("the phone is still stored (%d rows)", n)
			}
			row, err := e.Client.Resident.Get(ctx, rid)
			if err != nil {
				t.Fatalf("the resident row is gone: %v", err)
			}
			if row.DeletedAt == nil || row.HouseholdID != nil || row.GridID != nil || row.Name == "陈志明" {
				t.Errorf("the resident row keeps personal data: %+v", row)
			}
			if n, _ := e.Client.Session.Query().Where(session.ResidentID(rid), session.RevokedAtIsNil()).Count(ctx); n != 0 {
				t.Errorf("%d sessions are still open", n)
			}
			if n, _ := e.Client.Resident.Query().Where(resident.HouseholdID(hh), resident.ID(rid)).Count(ctx); n != 0 {
				t.Error("the household still lists the deleted resident")
			}
			audit, err := e.Client.AuditRecord.Query().
				Where(auditrecord.Action("account.delete"), auditrecord.SubjectID(rid), auditrecord.ActorID(rid)).Count(ctx)
			if err != nil || audit != 1 {
				t.Errorf("%d audit records of the deletion (%v); want 1", audit, err)
			}

			// Through the API: the street admin sees a nameless row; the
			// grid's staff no longer see anyone.
			q := `query($id: ID!) { node(id: $id) { ... on Resident { name personalInfo { phone } household { id } } } }`
			r = e.Do(t, street, q, map[string]any{"id": apitest.ID(rid)}).Must(t)
			if r.Value("node", "name") == "陈志明" || r.Value("node", "personalInfo") != nil || r.Value("node", "household") != nil {
				t.Errorf("the street admin sees the deleted resident's data: %s", r)
			}
			if r := e.Do(t, worker, q, map[string]any{"id": apitest.ID(rid)}); r.Code() != "NOT_FOUND" {
				t.Errorf("the grid worker still sees the deleted resident: %s", r)
			}

			// The phone can sign in again, as a new and unverified resident.
			e.Clock.Advance(time.Minute)
			again, _ := e.SignIn(t, p)
			r = e.Do(t, again, meQuery, nil).Must(t)
			if r.Value("me", "id") == apitest.ID(rid) || r.Value("me", "household") != nil ||
				r.Value("me", "personalInfo", "phone") != p || len(r.Value("me", "roles").([]any)) != 0 {
				t.Errorf("signing in again: %s", r)
			}
			if after2 := e.Counts(t); after2["residents"] != after["residents"]+1 {
				t.Errorf("signing in again made %d residents; want 1 new", after2["residents"]-after["residents"])
			}
		})

		t.Run("a deleted staff member loses the roles and is no longer public", func(t *testing.T) {
			p := seed.PhoneSafetyInformant
			rid := e.ResidentID(t, p)
			token := e.TokenFor(t, p)
			before := e.Counts(t)
			e.Do(t, token, deleteMutation, map[string]any{"c": true}).Must(t)
			want := map[string]int{"personal_infos": -1, "role_assignments": -1, "audit_records": 1, "events": 1}
			if d := countDiff(before, e.Counts(t)); !equalCounts(d, want) {
				t.Errorf("rows changed by %v, want %v", d, want)
			}
			if r := e.Do(t, "", nodeQuery, map[string]any{"id": apitest.ID(rid)}); r.Code() != "NOT_FOUND" {
				t.Errorf("anyone still sees the deleted informant: %s", r)
			}
		})
	})
}

// equalCounts compares two count differences.
func equalCounts(got, want map[string]int) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}
