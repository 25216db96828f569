package apitest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/requestcategory"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/notify"
	"github.com/jimei-linli/linli/internal/seed"
)

// requestFields is what the request tests read of a request.
const requestFields = `id status urgency anonymous description reopenCount rating clockStage escalationLevel overdue
	contactedAt resolution owner { id } subject { id } filer { id } grid { id } category { code } department { code }
	answers { name value }`

const fileMutation = `mutation($in: FileRequestInput!) { fileRequest(input: $in) { ` + requestFields + ` } }`

// requestView is what requestFields decodes to.
type requestView struct {
	ID, Status, Urgency, Description, ClockStage, Resolution string
	Anonymous, Overdue                                       bool
	ReopenCount, EscalationLevel                             int
	Rating                                                   *int
	ContactedAt                                              *string
	Owner, Subject, Filer, Grid                              *struct{ ID string }
	Category                                                 struct{ Code string }
	Department                                               *struct{ Code string }
	Answers                                                  []struct{ Name, Value string }
}

// requests drives the request mutations of one Env as the demo accounts.
type requests struct {
	e      *apitest.Env
	tokens map[string]string
}

func newRequests(t *testing.T, e *apitest.Env) *requests {
	return &requests{e: e, tokens: e.DemoTokens(t)}
}

// categoryID returns the ID of the demo category with code.
func categoryID(t *testing.T, e *apitest.Env, code string) string {
	t.Helper()
	id, err := e.Client.RequestCategory.Query().Where(requestcategory.Code(code)).OnlyID(e.SystemCtx())
	if err != nil {
		t.Fatalf("category %s: %v", code, err)
	}
	return apitest.ID(id)
}

// file files a request as phone and returns it.
func (q *requests) file(t *testing.T, phone string, in map[string]any) requestView {
	t.Helper()
	var out struct{ FileRequest requestView }
	q.e.Do(t, q.tokens[phone], fileMutation, map[string]any{"in": in}).Must(t).Decode(t, &out)
	return out.FileRequest
}

// do runs one request mutation (name(id: $id, args...)) as phone.
func (q *requests) do(t *testing.T, phone, name, id, args string, vars map[string]any) apitest.Response {
	t.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	vars["id"] = id
	decl := "$id: ID!"
	for k, v := range vars {
		if k == "id" {
			continue
		}
		switch v.(type) {
		case int:
			decl += fmt.Sprintf(", $%s: Int!", k)
		case bool:
			decl += fmt.Sprintf(", $%s: Boolean!", k)
		default:
			if strings.HasSuffix(k, "Id") {
				decl += fmt.Sprintf(", $%s: ID!", k)
			} else {
				decl += fmt.Sprintf(", $%s: String!", k)
			}
		}
	}
	sel := requestFields
	if name == "addRequestNote" {
		sel = "id kind body internal contact"
	}
	return q.e.Do(t, q.tokens[phone], fmt.Sprintf(`mutation(%s) { %s(id: $id%s) { %s } }`, decl, name, args, sel), vars)
}

// must runs a mutation that must succeed and returns the request.
func (q *requests) must(t *testing.T, phone, name, id, args string, vars map[string]any) requestView {
	t.Helper()
	var out map[string]requestView
	q.do(t, phone, name, id, args, vars).Must(t).Decode(t, &out)
	return out[name]
}

// refused runs a mutation that must fail with code and checks that it
// wrote nothing at all.
func (q *requests) refused(t *testing.T, code, phone, name, id, args string, vars map[string]any) {
	t.Helper()
	before := q.snapshot(t, id)
	r := q.do(t, phone, name, id, args, vars)
	r.MustFail(t, code)
	if after := q.snapshot(t, id); after != before {
		t.Errorf("%s by %s was refused but wrote:\n%s\n->\n%s", name, phone, before, after)
	}
}

// snapshot renders what a change to request id would touch.
func (q *requests) snapshot(t *testing.T, id string) string {
	t.Helper()
	ctx := q.e.SystemCtx()
	var rid int
	fmt.Sscan(id, &rid)
	r, err := q.e.Client.Request.Get(ctx, rid)
	if err != nil {
		t.Fatal(err)
	}
	counts := q.e.Counts(t)
	events, _ := q.e.Client.RequestEvent.Query().Count(ctx)
	row, _ := json.Marshal(r)
	return fmt.Sprintf("%s events=%d notifications=%d outbox=%d", row, events, counts["notifications"], counts["events"])
}

// timeline returns the kinds of the timeline entries phone sees, in order,
// with "(internal)" after internal notes.
func (q *requests) timeline(t *testing.T, phone, id string) []string {
	t.Helper()
	var out struct {
		Node struct {
			Timeline struct {
				Edges []struct {
					Node struct {
						Kind     string
						Internal bool
						Actor    *struct{ ID string }
					}
				}
			}
		}
	}
	q.e.Do(t, q.tokens[phone], `query($id: ID!) { node(id: $id) { ... on Request {
		timeline(first: 100) { edges { node { kind internal actor { id } } } } } } }`, map[string]any{"id": id}).Must(t).Decode(t, &out)
	var kinds []string
	for _, e := range out.Node.Timeline.Edges {
		k := e.Node.Kind
		if e.Node.Internal {
			k += "(internal)"
		}
		kinds = append(kinds, k)
	}
	return kinds
}

// lastNotification returns the title of phone's newest notification about
// subject, or "".
func lastNotification(t *testing.T, e *apitest.Env, phone, subject string) string {
	t.Helper()
	var id int
	fmt.Sscan(subject, &id)
	n, err := e.Client.Notification.Query().
		Where(notification.ResidentID(e.ResidentID(t, phone)), notification.SubjectID(id)).
		Order(ent.Desc(notification.FieldID)).First(e.SystemCtx())
	if ent.IsNotFound(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return notify.TitleIn(i18n.Default, n)
}

func TestRequestLifecycle(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		q := newRequests(t, e)
		elder := apitest.ID(e.ResidentID(t, seed.PhoneElder))
		guardian := apitest.ID(e.ResidentID(t, seed.PhoneGuardian))
		leader := apitest.ID(e.ResidentID(t, seed.PhoneGridLeader))
		worker := apitest.ID(e.ResidentID(t, seed.PhoneGridWorker))

		// The son files for his mother; her home's grid gets it.
		r := q.file(t, seed.PhoneGuardian, map[string]any{
			"categoryId": categoryID(t, e, seed.CategoryRepair), "description": "  妈妈家的楼道灯坏了  ",
			"forResidentId": elder, "urgency": "URGENT", "answers": []map[string]any{{"name": "spot", "value": "2单元3楼"}},
		})
		id := r.ID
		if r.Status != "SUBMITTED" || r.ClockStage != "ACKNOWLEDGE" || r.Subject.ID != elder || r.Filer.ID != guardian ||
			r.Grid.ID != apitest.ID(e.GridID(t, seed.GridShengguang01)) || r.Description != "妈妈家的楼道灯坏了" ||
			r.Owner != nil || len(r.Answers) != 1 || r.Urgency != "URGENT" {
			t.Fatalf("filed %+v", r)
		}
		for _, staff := range []string{seed.PhoneGridLeader, seed.PhoneGridWorker} {
			if got := lastNotification(t, e, staff, id); !strings.Contains(got, "维修") || !strings.Contains(got, "紧急") {
				t.Errorf("grid staff %s was told %q", staff, got)
			}
		}
		if got := lastNotification(t, e, seed.PhoneSafetyInformant, id); got != "" {
			t.Errorf("a safety informant heard of a repair: %q", got)
		}

		// Wrong moves change nothing.
		q.refused(t, "FORBIDDEN", seed.PhoneGuardian, "claimRequest", id, "", nil)
		q.refused(t, "CONFLICT", seed.PhoneGridWorker, "resolveRequest", id, ", resolution: $resolution", map[string]any{"resolution": "好了"})
		q.refused(t, "CONFLICT", seed.PhoneGuardian, "confirmRequest", id, "", nil)
		q.refused(t, "NOT_FOUND", seed.PhoneOtherResident, "claimRequest", id, "", nil)

		r = q.must(t, seed.PhoneGridWorker, "claimRequest", id, "", nil)
		if r.Status != "IN_PROGRESS" || r.Owner.ID != worker || r.ClockStage != "CONTACT" {
			t.Fatalf("claimed %+v", r)
		}
		if got := lastNotification(t, e, seed.PhoneGuardian, id); got == "" {
			t.Error("the requester was not told of the claim")
		}
		q.refused(t, "CONFLICT", seed.PhoneGridLeader, "claimRequest", id, "", nil)

		q.must(t, seed.PhoneGridWorker, "addRequestNote", id, ", body: $body, internal: true", map[string]any{"body": "住户说晚上才在家"})
		q.must(t, seed.PhoneGridWorker, "addRequestNote", id, ", body: $body, contact: true", map[string]any{"body": "已电话联系，明早上门"})
		r = q.must(t, seed.PhoneGridWorker, "handOverRequest", id, ", toId: $toId, note: $note", map[string]any{"toId": leader, "note": "需要网格长协调"})
		if r.Owner.ID != leader || r.ClockStage != "RESOLVE" || r.ContactedAt == nil {
			t.Fatalf("handed over %+v", r)
		}
		q.refused(t, "BAD_USER_INPUT", seed.PhoneGridLeader, "handOverRequest", id, ", toId: $toId", map[string]any{"toId": guardian})
		q.refused(t, "FORBIDDEN", seed.PhoneGuardian, "addRequestNote", id, ", body: $body", map[string]any{"body": "催一下"})

		r = q.must(t, seed.PhoneGridLeader, "resolveRequest", id, ", resolution: $resolution", map[string]any{"resolution": "已更换灯泡"})
		if r.Status != "RESOLVED" || r.ClockStage != "FOLLOW_UP" {
			t.Fatalf("resolved %+v", r)
		}
		// The mother herself reopens it; then it is resolved again.
		r = q.must(t, seed.PhoneElder, "reopenRequest", id, ", reason: $reason", map[string]any{"reason": "灯还是不亮"})
		if r.Status != "IN_PROGRESS" || r.ReopenCount != 1 || r.ClockStage != "RESOLVE" {
			t.Fatalf("reopened %+v", r)
		}
		q.must(t, seed.PhoneGridLeader, "resolveRequest", id, ", resolution: $resolution", map[string]any{"resolution": "换了线路"})
		q.refused(t, "CONFLICT", seed.PhoneGuardian, "rateRequest", id, ", rating: $rating", map[string]any{"rating": 5})
		q.refused(t, "FORBIDDEN", seed.PhoneGridLeader, "confirmRequest", id, "", nil)
		r = q.must(t, seed.PhoneGuardian, "confirmRequest", id, "", nil)
		if r.Status != "CONFIRMED" || r.ClockStage != "RATING" {
			t.Fatalf("confirmed %+v", r)
		}
		q.refused(t, "BAD_USER_INPUT", seed.PhoneGuardian, "rateRequest", id, ", rating: $rating", map[string]any{"rating": 6})
		r = q.must(t, seed.PhoneGuardian, "rateRequest", id, ", rating: $rating, comment: $comment", map[string]any{"rating": 5, "comment": "很及时"})
		if r.Status != "CLOSED" || r.Rating == nil || *r.Rating != 5 || r.ClockStage != "" || r.Overdue {
			t.Fatalf("rated %+v", r)
		}
		q.refused(t, "CONFLICT", seed.PhoneGuardian, "rateRequest", id, ", rating: $rating", map[string]any{"rating": 1})

		// The requester's side sees the timeline without the internal notes
		// (the hand-over is one); staff see everything.
		all := []string{"FILED", "CLAIMED", "NOTE(internal)", "NOTE", "HANDED_OVER(internal)", "RESOLVED", "REOPENED", "RESOLVED", "CONFIRMED", "RATED"}
		if got := q.timeline(t, seed.PhoneGridWorker, id); strings.Join(got, " ") != strings.Join(all, " ") {
			t.Errorf("staff timeline %v", got)
		}
		public := []string{"FILED", "CLAIMED", "NOTE", "RESOLVED", "REOPENED", "RESOLVED", "CONFIRMED", "RATED"}
		for _, who := range []string{seed.PhoneGuardian, seed.PhoneElder} {
			if got := q.timeline(t, who, id); strings.Join(got, " ") != strings.Join(public, " ") {
				t.Errorf("timeline of %s: %v", who, got)
			}
		}

		// The mother's data export holds the request and its public timeline.
		var exp struct{ ExportMyData struct{ JSON string } }
		e.Do(t, q.tokens[seed.PhoneElder], `mutation { exportMyData { json } }`, nil).Must(t).Decode(t, &exp)
		if doc := exp.ExportMyData.JSON; !strings.Contains(doc, "妈妈家的楼道灯坏了") || !strings.Contains(doc, "已电话联系，明早上门") ||
			strings.Contains(doc, "住户说晚上才在家") {
			t.Errorf("the export: %s", doc)
		}
	})
}

func TestRequestDepartmentPath(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		q := newRequests(t, e)
		dept := apitest.ID(e.DepartmentID(t, seed.DepartmentUrbanManagement))
		other, err := e.Client.Department.Query().Where().Order(ent.Desc("id")).FirstID(e.SystemCtx())
		if err != nil {
			t.Fatal(err)
		}
		r := q.file(t, seed.PhoneGuardian, map[string]any{"categoryId": categoryID(t, e, seed.CategorySanitation), "description": "巷子里有人乱倒建筑垃圾"})
		id := r.ID
		q.must(t, seed.PhoneGridWorker, "claimRequest", id, "", nil)
		// Department staff see nothing of it before it is called to them.
		q.refused(t, "NOT_FOUND", seed.PhoneDepartmentStaff, "acknowledgeRequest", id, "", nil)
		q.refused(t, "FORBIDDEN", seed.PhoneGuardian, "callDepartment", id, ", departmentId: $departmentId, reason: $reason",
			map[string]any{"departmentId": dept, "reason": "x"})
		r = q.must(t, seed.PhoneGridWorker, "callDepartment", id, ", departmentId: $departmentId, reason: $reason",
			map[string]any{"departmentId": dept, "reason": "需要执法队清运并查处"})
		if r.Status != "WITH_DEPARTMENT" || r.Department.Code != seed.DepartmentUrbanManagement || r.ClockStage != "DEPARTMENT_ACKNOWLEDGE" {
			t.Fatalf("called %+v", r)
		}
		if got := lastNotification(t, e, seed.PhoneDepartmentStaff, id); got == "" {
			t.Error("the department was not told")
		}
		q.refused(t, "CONFLICT", seed.PhoneGridWorker, "callDepartment", id, ", departmentId: $departmentId, reason: $reason",
			map[string]any{"departmentId": apitest.ID(other), "reason": "再叫一个"})
		// The department sees the request, not who filed it or whom it is for.
		var seen struct{ Node *requestView }
		e.Do(t, q.tokens[seed.PhoneDepartmentStaff], `query($id: ID!) { node(id: $id) { ... on Request { `+requestFields+` } } }`,
			map[string]any{"id": id}).Must(t).Decode(t, &seen)
		if seen.Node == nil || seen.Node.Filer != nil || seen.Node.Subject != nil || seen.Node.Description == "" {
			t.Fatalf("the department sees %+v", seen.Node)
		}
		q.refused(t, "CONFLICT", seed.PhoneDepartmentStaff, "resolveRequest", id, ", resolution: $resolution", map[string]any{"resolution": "已清运"})
		// The requester's phone reaches the department only while it works
		// on the request (after its report, until it is resolved).
		contact := func(phone string) any {
			return e.Do(t, q.tokens[phone], `query($id: ID!) { node(id: $id) { ... on Request { contact { name phone } } } }`,
				map[string]any{"id": id}).Must(t).Value("node", "contact")
		}
		if c := contact(seed.PhoneDepartmentStaff); c != nil {
			t.Errorf("before its report the department sees %v", c)
		}
		if c := contact(seed.PhoneGridWorker); apitest.Dig(c, "phone") != seed.PhoneGuardian {
			t.Errorf("the grid worker sees %v", c)
		}
		r = q.must(t, seed.PhoneDepartmentStaff, "acknowledgeRequest", id, "", nil)
		if c := contact(seed.PhoneDepartmentStaff); apitest.Dig(c, "phone") != seed.PhoneGuardian || apitest.Dig(c, "name") == nil {
			t.Errorf("after its report the department sees %v", c)
		}

		if r.ClockStage != "RESOLVE" {
			t.Fatalf("acknowledged %+v", r)
		}
		q.refused(t, "CONFLICT", seed.PhoneDepartmentStaff, "acknowledgeRequest", id, "", nil)
		q.must(t, seed.PhoneDepartmentStaff, "addRequestNote", id, ", body: $body", map[string]any{"body": "明天上午清运"})
		r = q.must(t, seed.PhoneDepartmentStaff, "resolveRequest", id, ", resolution: $resolution", map[string]any{"resolution": "已清运并警告"})
		if r.Status != "RESOLVED" {
			t.Fatalf("resolved %+v", r)
		}
		if c := contact(seed.PhoneDepartmentStaff); c != nil {
			t.Errorf("after resolving it the department still sees %v", c)
		}
		// Reopened, it goes back to the grid: the department may no longer
		// resolve it.
		q.must(t, seed.PhoneGuardian, "reopenRequest", id, ", reason: $reason", map[string]any{"reason": "又有人倒了"})
		q.refused(t, "FORBIDDEN", seed.PhoneDepartmentStaff, "resolveRequest", id, ", resolution: $resolution", map[string]any{"resolution": "x"})
		want := "FILED CLAIMED DEPARTMENT_CALLED DEPARTMENT_ACKNOWLEDGED NOTE RESOLVED REOPENED"
		if got := strings.Join(q.timeline(t, seed.PhoneGuardian, id), " "); got != want {
			t.Errorf("timeline %s", got)
		}
	})
}

func TestRequestFilingRules(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		q := newRequests(t, e)
		repair := categoryID(t, e, seed.CategoryRepair)
		other := categoryID(t, e, seed.CategoryOther)
		before := e.Counts(t)
		for name, tc := range map[string]struct {
			phone string
			in    map[string]any
			code  string
		}{
			"too long":         {seed.PhoneGuardian, map[string]any{"categoryId": other, "description": strings.Repeat("灯", 2001)}, "BAD_USER_INPUT"},
			"empty":            {seed.PhoneGuardian, map[string]any{"categoryId": other, "description": "  "}, "BAD_USER_INPUT"},
			"missing answer":   {seed.PhoneGuardian, map[string]any{"categoryId": repair, "description": "灯坏了"}, "BAD_USER_INPUT"},
			"unknown answer":   {seed.PhoneGuardian, map[string]any{"categoryId": other, "description": "x", "answers": []map[string]any{{"name": "floor", "value": "3"}}}, "BAD_USER_INPUT"},
			"not a dependent":  {seed.PhoneGuardian, map[string]any{"categoryId": other, "description": "x", "forResidentId": apitest.ID(e.ResidentID(t, seed.PhoneOtherResident))}, "FORBIDDEN"},
			"bad photo":        {seed.PhoneGuardian, map[string]any{"categoryId": other, "description": "x", "photoUrls": []string{"file:///etc/passwd"}}, "BAD_USER_INPUT"},
			"half a location":  {seed.PhoneGuardian, map[string]any{"categoryId": other, "description": "x", "latitude": 24.6}, "BAD_USER_INPUT"},
			"signed out":       {"", map[string]any{"categoryId": other, "description": "x"}, "UNAUTHENTICATED"},
			"unknown category": {seed.PhoneGuardian, map[string]any{"categoryId": apitest.ID(apitest.MissingID(e.ResidentID(t, seed.PhoneGuardian))), "description": "x"}, "NOT_FOUND"},
		} {
			t.Run(name, func(t *testing.T) {
				e.Do(t, q.tokens[tc.phone], fileMutation, map[string]any{"in": tc.in}).MustFail(t, tc.code)
			})
		}
		if after := e.Counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("refused filings wrote: %v -> %v", before, after)
		}
		// A resident without a household must say where.
		access, _ := e.SignIn(t, "13700000200")
		e.Do(t, access, fileMutation, map[string]any{"in": map[string]any{"categoryId": other, "description": "x"}}).MustFail(t, "BAD_USER_INPUT")
		place := apitest.ID(e.PlaceID(t, e.HouseholdID(t, e.ResidentID(t, seed.PhoneOtherResident))))
		var out struct{ FileRequest requestView }
		e.Do(t, access, fileMutation, map[string]any{"in": map[string]any{"categoryId": other, "description": "路灯不亮", "placeId": place,
			"latitude": 24.58, "longitude": 118.1, "photoUrls": []string{"https://img.example.cn/1.jpg"}}}).Must(t).Decode(t, &out)
		if out.FileRequest.Grid.ID != apitest.ID(e.GridID(t, seed.GridCenxi01)) {
			t.Errorf("filed into grid %v", out.FileRequest.Grid)
		}
	})
}

func TestRequestAnonymity(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		q := newRequests(t, e)
		r := q.file(t, seed.PhoneGuardian, map[string]any{"categoryId": categoryID(t, e, seed.CategorySafetyHazard),
			"description": "楼道里有人给电动车充电", "anonymous": true})
		guardian := apitest.ID(e.ResidentID(t, seed.PhoneGuardian))
		// The safety informant handles hazards first: told, may claim, sees
		// the request but not who filed it.
		if got := lastNotification(t, e, seed.PhoneSafetyInformant, r.ID); got == "" {
			t.Error("the safety informant was not told of a hazard")
		}
		const read = `query($id: ID!) { node(id: $id) { ... on Request { filer { id } timeline(first: 10) { edges { node { kind actor { id } } } } } } }`
		for phone, sees := range map[string]bool{
			seed.PhoneSafetyInformant: false, seed.PhoneGridLeader: true, seed.PhoneGridWorker: true,
			seed.PhoneCommunityAdmin: true, seed.PhoneStreetAdmin: true, seed.PhoneGuardian: true,
		} {
			res := e.Do(t, q.tokens[phone], read, map[string]any{"id": r.ID}).Must(t)
			filer, actor := res.Value("node", "filer"), res.Value("node", "timeline", "edges", 0, "node", "actor")
			if sees != (filer != nil) || sees != (actor != nil) {
				t.Errorf("%s sees filer %v and actor %v", phone, filer, actor)
			}
			if sees && apitest.Dig(filer, "id") != guardian {
				t.Errorf("%s sees filer %v", phone, filer)
			}
		}
		// Its contact details are for the grid's staff and the filer.
		for phone, sees := range map[string]bool{seed.PhoneSafetyInformant: false, seed.PhoneGridWorker: true, seed.PhoneGuardian: true} {
			c := e.Do(t, q.tokens[phone], `query($id: ID!) { node(id: $id) { ... on Request { contact { name phone } } } }`,
				map[string]any{"id": r.ID}).Must(t).Value("node", "contact")
			if sees != (apitest.Dig(c, "phone") == seed.PhoneGuardian) {
				t.Errorf("%s sees contact %v", phone, c)
			}
		}
		got := q.must(t, seed.PhoneSafetyInformant, "claimRequest", r.ID, "", nil)
		if got.Owner == nil || got.Owner.ID != apitest.ID(e.ResidentID(t, seed.PhoneSafetyInformant)) {
			t.Errorf("claimed by the informant: %+v", got)
		}
		// A repair is not the informant's.
		repair := q.file(t, seed.PhoneGuardian, map[string]any{"categoryId": categoryID(t, e, seed.CategoryOther), "description": "想了解食堂时间"})
		q.refused(t, "NOT_FOUND", seed.PhoneSafetyInformant, "claimRequest", repair.ID, "", nil)
	})
}

func TestRequestCategories(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		const create = `mutation($code: String!, $in: RequestCategoryInput!) { createRequestCategory(code: $code, input: $in) { id code name firstRole active formFields { name label type required } } }`
		in := map[string]any{"name": "宠物扰民", "firstRole": "GRID_LEADER", "formFields": []map[string]any{{"name": "kind", "label": "宠物种类", "type": "TEXT", "required": true}}}
		e.Do(t, tokens[seed.PhoneCommunityAdmin], create, map[string]any{"code": "pets", "in": in}).MustFail(t, "FORBIDDEN")
		e.Do(t, "", create, map[string]any{"code": "pets", "in": in}).MustFail(t, "UNAUTHENTICATED")
		r := e.Do(t, tokens[seed.PhoneStreetAdmin], create, map[string]any{"code": "pets", "in": in}).Must(t)
		if r.Value("createRequestCategory", "formFields", 0, "type") != "TEXT" || r.Value("createRequestCategory", "active") != true {
			t.Errorf("created %s", r)
		}
		e.Do(t, tokens[seed.PhoneStreetAdmin], create, map[string]any{"code": "pets", "in": in}).MustFail(t, "CONFLICT")
		bad := map[string]any{"name": "x", "firstRole": "GRID_LEADER", "formFields": []map[string]any{{"name": "a", "label": "A", "type": "TEXT"}, {"name": "a", "label": "B", "type": "TEXT"}}}
		e.Do(t, tokens[seed.PhoneStreetAdmin], create, map[string]any{"code": "dup", "in": bad}).MustFail(t, "BAD_USER_INPUT")
		id := r.Value("createRequestCategory", "id")
		const update = `mutation($id: ID!, $in: RequestCategoryInput!) { updateRequestCategory(id: $id, input: $in) { id active } }`
		e.Do(t, tokens[seed.PhoneStreetAdmin], update, map[string]any{"id": id, "in": map[string]any{"name": "宠物扰民", "firstRole": "GRID_WORKER", "active": false}}).Must(t)
		// Anyone reads the catalogue; an inactive category takes no requests.
		list := e.Do(t, "", `{ requestCategories(first: 20, orderBy: {field: POSITION}) { totalCount edges { node { code active } } } }`, nil).Must(t)
		if n, _ := list.Value("requestCategories", "totalCount").(float64); int(n) != 8 {
			t.Errorf("catalogue %s", list)
		}
		e.Do(t, tokens[seed.PhoneGuardian], fileMutation, map[string]any{"in": map[string]any{"categoryId": id, "description": "狗叫"}}).MustFail(t, "BAD_USER_INPUT")
	})
}

// escalations returns the (stage, level) of the escalations of request id.
func escalations(t *testing.T, e *apitest.Env, id int) []string {
	t.Helper()
	evs, err := e.Client.RequestEvent.Query().
		Where(requestevent.RequestID(id), requestevent.KindEQ(requestevent.KindESCALATED)).
		Order(ent.Asc(requestevent.FieldID)).All(e.SystemCtx())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, fmt.Sprintf("%s/%d", *ev.Stage, *ev.Level))
	}
	return out
}
