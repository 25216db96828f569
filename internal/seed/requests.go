package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestcategory"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/appeal"
	"github.com/jimei-linli/linli/internal/appeal/form"
)

// Request category codes of the demo catalogue.
const (
	CategoryRepair       = "repair"
	CategorySanitation   = "sanitation"
	CategorySafetyHazard = "safety-hazard"
	CategoryDispute      = "dispute"
	CategoryElderlyHelp  = "elderly-help"
	CategoryProperty     = "property"
	CategoryOther        = "other"
)

// requestCategories is the demo street's request catalogue.
var requestCategories = []struct {
	code, name, description string
	firstRole               requestcategory.FirstRole
	fields                  []form.Field
	// says are what residents write in this category.
	says []string
}{
	{CategoryRepair, "维修", "公共设施、楼道灯、水管、门禁等损坏", requestcategory.FirstRoleGRID_WORKER,
		[]form.Field{{Name: "spot", Label: "具体位置（楼层、单元）", Type: form.Text, Required: true}},
		[]string{"楼道灯坏了好几天，晚上上下楼很黑", "单元门禁刷卡没反应", "小区路灯不亮", "公共水管漏水，地面一直湿"}},
	{CategorySanitation, "环境卫生", "垃圾清运、卫生死角、积水", requestcategory.FirstRoleGRID_WORKER, nil,
		[]string{"垃圾桶满了没人清运", "巷子里有积水发臭", "绿化带里堆了很多建筑垃圾"}},
	{CategorySafetyHazard, "安全隐患", "消防通道堵塞、电动车违规充电、危险建筑", requestcategory.FirstRoleSAFETY_INFORMANT, nil,
		[]string{"有人在楼道里给电动车充电", "消防通道被车堵住了", "自建房外墙有砖块松动"}},
	{CategoryDispute, "噪音及邻里纠纷", "噪音扰民、邻里矛盾，需要调解", requestcategory.FirstRoleGRID_LEADER, nil,
		[]string{"楼上装修晚上十点还在施工", "邻居占用公共走廊堆放杂物", "楼下店铺音响声音太大"}},
	{CategoryElderlyHelp, "助老服务", "独居老人探访、代办、陪同就医", requestcategory.FirstRoleGRID_WORKER,
		[]form.Field{{Name: "escort", Label: "需要陪同外出", Type: form.Boolean}},
		[]string{"老人家腿脚不便，想请人陪同去医院复诊", "独居老人家里的灯泡需要更换", "想申请居家养老上门服务"}},
	{CategoryProperty, "红管家物业服务", "无物业小区的物业类服务（大物业）", requestcategory.FirstRoleRED_STEWARD,
		[]form.Field{{Name: "compound", Label: "小区名称", Type: form.Text, Required: true}},
		[]string{"小区化粪池堵塞", "楼顶防水层破损漏水", "小区大门损坏关不上"}},
	{CategoryOther, "其他", "其他诉求和建议", requestcategory.FirstRoleGRID_WORKER, nil,
		[]string{"建议在小区里增加休息座椅", "想了解社区食堂的开放时间", "希望社区组织反诈骗宣传"}},
}

// seedRequestsPerGrid is how many requests each grid of 盛光 has in the
// last three months.
const seedRequestsPerGrid = 12

// writeRequests writes the request catalogue and three months of requests
// in every state for the grids of 盛光, with their timelines, as the 54321
// clock would have left them at the start of w.Today.
func writeRequests(ctx context.Context, c *ent.Client, w *Written) error {
	cats := make([]*ent.RequestCategory, len(requestCategories))
	at := w.Today.AddDate(0, -6, 0).UTC()
	for i, rc := range requestCategories {
		cat, err := c.RequestCategory.Create().SetCode(rc.code).SetName(rc.name).SetDescription(rc.description).
			SetFirstRole(rc.firstRole).SetFormFields(rc.fields).SetPosition(10 * (i + 1)).
			SetCreatedAt(at).SetUpdatedAt(at).Save(ctx)
		if err != nil {
			return err
		}
		cats[i] = cat
	}
	deptStaff, err := c.RoleAssignment.Query().Where(roleassignment.DepartmentID(w.Departments[DepartmentUrbanManagement])).
		Select(roleassignment.FieldResidentID).Ints(ctx)
	if err != nil || len(deptStaff) == 0 {
		return fmt.Errorf("staff of %s: %v", DepartmentUrbanManagement, err)
	}
	rng := rand.New(rand.NewPCG(54321, 5))
	h := &history{c: c, w: w, d: appeal.DefaultDeadlines, rng: rng, dept: w.Departments[DepartmentUrbanManagement], deptStaff: deptStaff[0]}
	for n := 1; ; n++ {
		code := fmt.Sprintf("%s-%02d", CommunityShengguang, n)
		gridID, ok := w.Grids[code]
		if !ok {
			break
		}
		if err := h.grid(ctx, code, gridID, cats); err != nil {
			return fmt.Errorf("%s: %w", code, err)
		}
	}
	return nil
}

// history writes seeded requests.
type history struct {
	c         *ent.Client
	w         *Written
	d         appeal.Deadlines
	rng       *rand.Rand
	dept      int
	deptStaff int
}

// grid writes the requests of one grid: the oldest closed, the newest
// waiting, and every state in between.
func (h *history) grid(ctx context.Context, code string, gridID int, cats []*ent.RequestCategory) error {
	staff, err := h.c.RoleAssignment.Query().
		Where(roleassignment.GridID(gridID), roleassignment.RoleIn(roleassignment.RoleGRID_WORKER, roleassignment.RoleGRID_LEADER)).
		Order(ent.Asc(roleassignment.FieldRole), ent.Asc(roleassignment.FieldID)).
		Select(roleassignment.FieldResidentID).Ints(ctx)
	if err != nil || len(staff) == 0 {
		return fmt.Errorf("grid staff: %v", err)
	}
	owner := staff[len(staff)-1] // a worker (roles sort GRID_LEADER first)
	filers := h.w.GridResidents[code]
	if code == GridShengguang01 {
		// The demo guardian and elder file some of them.
		filers = append([]int{h.w.Residents[PhoneGuardian], h.w.Residents[PhoneElder]}, filers...)
	}
	homes, err := h.c.Resident.Query().Where(resident.IDIn(filers...), resident.HouseholdIDNotNil()).
		WithHousehold().All(ctx)
	if err != nil {
		return err
	}
	placeOf := map[int]int{}
	for _, r := range homes {
		placeOf[r.ID] = r.Edges.Household.PlaceID
	}
	states := []request.Status{
		request.StatusSUBMITTED, request.StatusIN_PROGRESS, request.StatusWITH_DEPARTMENT, request.StatusIN_PROGRESS,
		request.StatusRESOLVED, request.StatusCONFIRMED, request.StatusRESOLVED, request.StatusCLOSED,
		request.StatusCLOSED, request.StatusCLOSED, request.StatusCLOSED, request.StatusCLOSED,
	}
	fi := 0
	for i := range seedRequestsPerGrid {
		filer := filers[fi%len(filers)]
		for placeOf[filer] == 0 {
			fi++
			filer = filers[fi%len(filers)]
		}
		fi += 1 + h.rng.IntN(3)
		// Newest first: request i was filed about 7.5 days × i ago.
		filed := h.w.Today.Add(-time.Duration(2+i*180+h.rng.IntN(150)) * time.Hour).Add(-time.Duration(h.rng.IntN(60)) * time.Minute).
			UTC() // as the service stores times: SQLite compares them as text
		ci := h.rng.IntN(len(cats))
		if err := h.request(ctx, cats[ci], requestCategories[ci].says, gridID, placeOf[filer], filer, owner, filed, states[i]); err != nil {
			return err
		}
	}
	return nil
}

// request writes one request that reached state, with its timeline.
func (h *history) request(ctx context.Context, cat *ent.RequestCategory, says []string, gridID, placeID, filer, owner int, filed time.Time, state request.Status) error {
	d := h.d
	r := &ent.Request{
		Status: state, CreatedAt: filed,
		AcknowledgeDueAt: filed.Add(d.Acknowledge), ContactDueAt: filed.Add(d.Contact), ResolveDueAt: filed.Add(d.Resolve),
	}
	late := h.rng.IntN(6) == 0 // one in six misses its deadlines
	stageTime := func(from time.Time, limit time.Duration) time.Time {
		f := 0.2 + 0.6*h.rng.Float64()
		if late {
			f = 1.2 + h.rng.Float64()
		}
		return from.Add(time.Duration(f * float64(limit))).Truncate(time.Minute)
	}
	type ev struct {
		kind     requestevent.Kind
		actor    int
		at       time.Time
		body     string
		internal bool
		contact  bool
	}
	events := []ev{{kind: requestevent.KindFILED, actor: filer, at: filed}}
	if state != request.StatusSUBMITTED {
		t := stageTime(filed, d.Acknowledge)
		r.ClaimedAt, r.OwnerID = &t, &owner
		events = append(events, ev{kind: requestevent.KindCLAIMED, actor: owner, at: t})
		if state != request.StatusIN_PROGRESS || h.rng.IntN(2) == 0 {
			t := stageTime(filed, d.Contact)
			r.ContactedAt = &t
			events = append(events, ev{kind: requestevent.KindNOTE, actor: owner, at: t, contact: true, body: "已电话联系并上门查看，正在安排处理。"})
		}
	}
	withDept := state == request.StatusWITH_DEPARTMENT || (state == request.StatusCLOSED && h.rng.IntN(4) == 0)
	if withDept && r.ContactedAt != nil {
		called := r.ContactedAt.Add(time.Hour)
		due := called.Add(d.DepartmentAcknowledge)
		r.DepartmentID, r.DepartmentCalledAt, r.DepartmentAcknowledgeDueAt = &h.dept, &called, &due
		r.DepartmentReason = "需要执法部门到场处理"
		events = append(events, ev{kind: requestevent.KindDEPARTMENT_CALLED, actor: owner, at: called, body: r.DepartmentReason})
		ack := stageTime(called, d.DepartmentAcknowledge)
		if ack.Before(h.w.Today) {
			r.DepartmentAcknowledgedAt = &ack
			events = append(events, ev{kind: requestevent.KindDEPARTMENT_ACKNOWLEDGED, actor: h.deptStaff, at: ack})
		}
	}
	switch state {
	case request.StatusRESOLVED, request.StatusCONFIRMED, request.StatusCLOSED:
		t := stageTime(filed, d.Resolve)
		if r.DepartmentAcknowledgedAt != nil && t.Before(*r.DepartmentAcknowledgedAt) {
			t = r.DepartmentAcknowledgedAt.Add(3 * time.Hour)
		}
		fu := t.Add(d.FollowUp)
		r.ResolvedAt, r.FollowUpDueAt, r.Resolution = &t, &fu, "已处理完毕，请您确认。"
		events = append(events, ev{kind: requestevent.KindRESOLVED, actor: owner, at: t, body: r.Resolution})
	}
	switch state {
	case request.StatusCONFIRMED, request.StatusCLOSED:
		t := stageTime(*r.ResolvedAt, d.FollowUp)
		rd := t.Add(d.Rating)
		r.ConfirmedAt, r.RatingDueAt = &t, &rd
		events = append(events, ev{kind: requestevent.KindCONFIRMED, actor: filer, at: t})
	}
	if state == request.StatusCLOSED {
		t := stageTime(*r.ConfirmedAt, d.Rating)
		rating := 5 - h.rng.IntN(3)
		if late {
			rating = 2 + h.rng.IntN(2)
		}
		r.RatedAt, r.Rating, r.RatingComment = &t, &rating, []string{"", "", "", "辛苦了", "处理得有点慢", "很及时，谢谢网格员", "态度很好"}[rating]
		events = append(events, ev{kind: requestevent.KindRATED, actor: filer, at: t, body: r.RatingComment})
	}
	// The clock as it stands at the start of today.
	stage, due, ok := clockOf(r)
	var level int
	var next *time.Time
	if ok {
		level, next = d.Ladder(stage, due, h.w.Today)
	}
	updated := events[len(events)-1].at
	if escalated := due.Add(time.Duration(level-1) * d.Of(stage)); level > 0 && escalated.After(updated) {
		updated = escalated
	}
	create := h.c.Request.Create().SetCategoryID(cat.ID).SetDescription(says[h.rng.IntN(len(says))]).
		SetPlaceID(placeID).SetGridID(gridID).SetFilerID(filer).SetSubjectID(filer).
		SetUrgency([]request.Urgency{request.UrgencyNORMAL, request.UrgencyNORMAL, request.UrgencyNORMAL, request.UrgencyURGENT}[h.rng.IntN(4)]).
		SetStatus(state).SetCreatedAt(filed).SetUpdatedAt(updated).
		SetAcknowledgeDueAt(r.AcknowledgeDueAt).SetContactDueAt(r.ContactDueAt).SetResolveDueAt(r.ResolveDueAt).
		SetNillableClaimedAt(r.ClaimedAt).SetNillableContactedAt(r.ContactedAt).SetNillableResolvedAt(r.ResolvedAt).
		SetNillableFollowUpDueAt(r.FollowUpDueAt).SetNillableConfirmedAt(r.ConfirmedAt).
		SetNillableRatingDueAt(r.RatingDueAt).SetNillableRatedAt(r.RatedAt).SetNillableRating(r.Rating).
		SetRatingComment(r.RatingComment).SetResolution(r.Resolution).SetNillableOwnerID(r.OwnerID).
		SetNillableDepartmentID(r.DepartmentID).SetDepartmentReason(r.DepartmentReason).
		SetNillableDepartmentCalledAt(r.DepartmentCalledAt).SetNillableDepartmentAcknowledgeDueAt(r.DepartmentAcknowledgeDueAt).
		SetNillableDepartmentAcknowledgedAt(r.DepartmentAcknowledgedAt).
		SetEscalationLevel(level).SetNillableNextEscalationAt(next)
	if ok {
		create.SetClockStage(stage).SetClockDueAt(due)
	}
	switch cat.Code {
	case CategoryRepair:
		create.SetAnswers([]form.Answer{{Name: "spot", Value: fmt.Sprintf("%d单元%d楼", 1+h.rng.IntN(3), 1+h.rng.IntN(7))}})
	case CategoryProperty:
		create.SetAnswers([]form.Answer{{Name: "compound", Value: "本小区"}})
	}
	saved, err := create.Save(ctx)
	if err != nil {
		return err
	}
	builders := make([]*ent.RequestEventCreate, 0, len(events)+level)
	for _, e := range events {
		builders = append(builders, h.c.RequestEvent.Create().SetRequestID(saved.ID).SetKind(e.kind).
			SetActorID(e.actor).SetCreatedAt(e.at).SetBody(e.body).SetInternal(e.internal).SetContact(e.contact))
	}
	for l := 1; l <= level; l++ {
		at := due.Add(time.Duration(l-1) * d.Of(stage))
		builders = append(builders, h.c.RequestEvent.Create().SetRequestID(saved.ID).SetKind(requestevent.KindESCALATED).
			SetStage(requestevent.Stage(stage)).SetLevel(l).SetCreatedAt(at).
			SetBody(appeal.StageName(stage)+" 超时"))
	}
	return h.c.RequestEvent.CreateBulk(builders...).Exec(ctx)
}

// clockOf is the running stage of a seeded request.
func clockOf(r *ent.Request) (request.ClockStage, time.Time, bool) {
	return appeal.RunningStage(r)
}
