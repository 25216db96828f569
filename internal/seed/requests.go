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
	{CategoryRepair, "維修", "公共設施、樓道燈、水管、門禁等損壞", requestcategory.FirstRoleGRID_WORKER,
		[]form.Field{{Name: "spot", Label: "具體位置（樓層、單元）", Type: form.Text, Required: true}},
		[]string{"樓道燈壞了好幾天，晚上上下樓很黑", "單元門禁刷卡沒反應", "小區路燈不亮", "公共水管漏水，地面一直濕"}},
	{CategorySanitation, "環境衛生", "垃圾清運、衛生死角、積水", requestcategory.FirstRoleGRID_WORKER, nil,
		[]string{"垃圾桶滿了沒人清運", "巷子裡有積水發臭", "綠化帶裡堆了很多建築垃圾"}},
	{CategorySafetyHazard, "安全隱患", "消防通道堵塞、電動車違規充電、危險建築", requestcategory.FirstRoleSAFETY_INFORMANT, nil,
		[]string{"有人在樓道裡給電動車充電", "消防通道被車堵住了", "自建房外牆有磚塊鬆動"}},
	{CategoryDispute, "噪音及鄰里糾紛", "噪音擾民、鄰里矛盾，需要調解", requestcategory.FirstRoleGRID_LEADER, nil,
		[]string{"樓上裝修晚上十點還在施工", "鄰居佔用公共走廊堆放雜物", "樓下店鋪音響聲音太大"}},
	{CategoryElderlyHelp, "助老服務", "獨居老人探訪、代辦、陪同就醫", requestcategory.FirstRoleGRID_WORKER,
		[]form.Field{{Name: "escort", Label: "需要陪同外出", Type: form.Boolean}},
		[]string{"老人家腿腳不便，想請人陪同去醫院複診", "獨居老人家裡的燈泡需要更換", "想申請居家養老上門服務"}},
	{CategoryProperty, "紅管家物業服務", "無物業小區的物業類服務（大物業）", requestcategory.FirstRoleRED_STEWARD,
		[]form.Field{{Name: "compound", Label: "小區名稱", Type: form.Text, Required: true}},
		[]string{"小區化糞池堵塞", "樓頂防水層破損漏水", "小區大門損壞關不上"}},
	{CategoryOther, "其他", "其他訴求和建議", requestcategory.FirstRoleGRID_WORKER, nil,
		[]string{"建議在小區裡增加休息座椅", "想了解社區食堂的開放時間", "希望社區組織反詐騙宣傳"}},
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
			events = append(events, ev{kind: requestevent.KindNOTE, actor: owner, at: t, contact: true, body: "已電話聯繫並上門查看，正在安排處理。"})
		}
	}
	withDept := state == request.StatusWITH_DEPARTMENT || (state == request.StatusCLOSED && h.rng.IntN(4) == 0)
	if withDept && r.ContactedAt != nil {
		called := r.ContactedAt.Add(time.Hour)
		due := called.Add(d.DepartmentAcknowledge)
		r.DepartmentID, r.DepartmentCalledAt, r.DepartmentAcknowledgeDueAt = &h.dept, &called, &due
		r.DepartmentReason = "需要執法部門到場處理"
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
		r.ResolvedAt, r.FollowUpDueAt, r.Resolution = &t, &fu, "已處理完畢，請您確認。"
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
		r.RatedAt, r.Rating, r.RatingComment = &t, &rating, []string{"", "", "", "辛苦了", "處理得有點慢", "很及時，謝謝網格員", "態度很好"}[rating]
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
		create.SetAnswers([]form.Answer{{Name: "spot", Value: fmt.Sprintf("%d單元%d樓", 1+h.rng.IntN(3), 1+h.rng.IntN(7))}})
	case CategoryProperty:
		create.SetAnswers([]form.Answer{{Name: "compound", Value: "本小區"}})
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
			SetBody(appeal.StageName(stage)+" 超時"))
	}
	return h.c.RequestEvent.CreateBulk(builders...).Exec(ctx)
}

// clockOf is the running stage of a seeded request.
func clockOf(r *ent.Request) (request.ClockStage, time.Time, bool) {
	return appeal.RunningStage(r)
}
