package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/helpoffer"
	"github.com/jimei-linli/linli/ent/helprequest"
	"github.com/jimei-linli/linli/ent/ledgertransfer"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/ent/volunteertask"
	"github.com/jimei-linli/linli/ent/volunteertaskassignment"
	"github.com/jimei-linli/linli/internal/timebank"
)

// volunteerTeams are the street's nine volunteer teams (集美热心人队伍), by
// community code.
var volunteerTeams = []struct{ community, name, description string }{
	{CommunityShengguang, "盛光银发助老队", "陪老人买菜、就医、聊天"},
	{CommunityShengguang, "盛光红邻维修队", "小家电、水电的简单维修"},
	{CommunityShengguang, "盛光平安巡逻队", "夜间巡查楼道与消防通道"},
	{"cenxi", "岑西助学队", "放学后陪孩子写作业"},
	{"cenxi", "岑西环保队", "垃圾分类督导、清理小广告"},
	{"xunjiang", "浔江文明劝导队", "路口文明出行劝导"},
	{"xunjiang", "浔江台风应急队", "台风前后的转移与搬运"},
	{"aoyuan", "鳌园文艺队", "南音、芗剧演出与排练"},
	{"dashe", "大社龙舟志愿队", "龙舟赛的秩序与后勤"},
}

// seedHelp is one help request of the demo's history, in shengguang-01.
type seedHelp struct {
	requester string // a demo phone, or "" for the grid's n-th resident
	nth       int
	kind      helprequest.Kind
	title     string
	daysAgo   int
	minutes   int
	status    helprequest.Status
}

// demoHelp: the demo elder asked for help before and asks again today; the
// demo volunteer answered most and earned time for them.
var demoHelp = []seedHelp{
	{PhoneElder, 0, helprequest.KindSHOPPING, "帮忙买一周的菜", 21, 60, helprequest.StatusCOMPLETED},
	{PhoneElder, 0, helprequest.KindCLINIC_ESCORT, "陪同去社区卫生服务中心复诊", 14, 120, helprequest.StatusCOMPLETED},
	{"", 20, helprequest.KindSMALL_REPAIR, "厨房水龙头漏水", 10, 45, helprequest.StatusCOMPLETED},
	{"", 30, helprequest.KindCARRYING, "帮忙把旧沙发搬下楼", 6, 30, helprequest.StatusCOMPLETED},
	{"", 40, helprequest.KindTUTORING, "孩子数学作业辅导", 2, 90, helprequest.StatusMATCHED},
	{PhoneElder, 0, helprequest.KindCLINIC_ESCORT, "明天上午陪我去医院拿药", 0, 90, helprequest.StatusOPEN},
}

// writeRedNeighbor writes the volunteer teams with their members (the
// volunteers of each community, shared out among its teams), the help
// requests of shengguang-01 and the ledger they left: the demo volunteer
// earned time for the completed ones and gave some to the pool.
func writeRedNeighbor(ctx context.Context, c *ent.Client, w *Written) error {
	at := w.Today.AddDate(0, -2, 0)
	teams := map[string][]int{}
	for _, t := range volunteerTeams {
		team, err := c.VolunteerTeam.Create().SetCommunityID(w.Communities[t.community]).
			SetName(t.name).SetDescription(t.description).SetCreatedAt(at).SetUpdatedAt(at).Save(ctx)
		if err != nil {
			return err
		}
		teams[t.community] = append(teams[t.community], team.ID)
	}
	codes := map[int]string{}
	for code, id := range w.Communities {
		codes[id] = code
	}
	roles, err := c.RoleAssignment.Query().
		Where(roleassignment.RoleIn(roleassignment.RoleVOLUNTEER, roleassignment.RoleRED_STEWARD)).
		WithGrid().Order(roleassignment.ByID()).All(ctx)
	if err != nil {
		return err
	}
	var members []*ent.VolunteerTeamMemberCreate
	joined := map[[2]int]bool{}
	for i, r := range roles {
		community := 0
		if r.Edges.Grid != nil {
			community = r.Edges.Grid.CommunityID
		} else if r.CommunityID != nil {
			community = *r.CommunityID
		}
		ts := teams[codes[community]]
		if len(ts) == 0 {
			continue
		}
		team := ts[i%len(ts)]
		if r.ResidentID == w.Residents[PhoneVolunteer] {
			team = ts[0]
		}
		if joined[[2]int{team, r.ResidentID}] {
			continue
		}
		joined[[2]int{team, r.ResidentID}] = true
		members = append(members, c.VolunteerTeamMember.Create().SetTeamID(team).
			SetResidentID(r.ResidentID).SetJoinedAt(at.AddDate(0, 0, i%30)))
	}
	for start := 0; start < len(members); start += batchSize {
		if err := c.VolunteerTeamMember.CreateBulk(members[start:min(start+batchSize, len(members))]...).Exec(ctx); err != nil {
			return err
		}
	}
	if err := writeDemoHelp(ctx, c, w); err != nil {
		return err
	}
	return writeDemoTasks(ctx, c, w)
}

// writeDemoTasks writes two volunteer tasks of 盛光社区 dispatched by its
// admin: one done last week by the demo volunteer and a neighbor (credited
// from the pool), one for tomorrow waiting for the demo volunteer's answer.
func writeDemoTasks(ctx context.Context, c *ent.Client, w *Written) error {
	community := w.Communities[CommunityShengguang]
	grid := w.Grids[GridShengguang01]
	admin := w.Residents[PhoneCommunityAdmin]
	volunteer := w.Residents[PhoneVolunteer]
	others, err := c.RoleAssignment.Query().
		Where(roleassignment.RoleEQ(roleassignment.RoleVOLUNTEER), roleassignment.GridID(grid),
			roleassignment.ResidentIDNEQ(volunteer)).
		Order(roleassignment.ByID()).Select(roleassignment.FieldResidentID).Ints(ctx)
	if err != nil || len(others) == 0 {
		return fmt.Errorf("a second volunteer of %s: %v", GridShengguang01, err)
	}
	pool, err := timebank.PoolAccount(ctx, c, community, w.Today)
	if err != nil {
		return err
	}
	start := w.Today.AddDate(0, 0, -7).Add(14 * time.Hour)
	done, err := c.VolunteerTask.Create().SetCommunityID(community).SetGridID(grid).SetCreatedByID(admin).
		SetTitle("重阳节敬老活动布置").SetLocation("红邻客厅").SetWindowStart(start).SetWindowEnd(start.Add(3 * time.Hour)).
		SetMinutes(120).SetNeeded(2).SetAccepted(2).SetStatus(volunteertask.StatusDONE).
		SetCreatedAt(start.AddDate(0, 0, -3)).SetUpdatedAt(start.Add(2 * time.Hour)).Save(ctx)
	if err != nil {
		return err
	}
	for _, id := range []int{volunteer, others[0]} {
		who, err := c.Resident.Get(ctx, id)
		if err != nil {
			return err
		}
		out := start.Add(2 * time.Hour)
		a, err := c.VolunteerTaskAssignment.Create().SetTaskID(done.ID).SetVolunteerID(id).SetVolunteerName(who.Name).
			SetStatus(volunteertaskassignment.StatusDONE).SetDispatchedAt(done.CreatedAt).
			SetRespondedAt(done.CreatedAt.Add(time.Hour)).SetCheckedInAt(start).SetCheckedOutAt(out).
			SetCreditedMinutes(120).Save(ctx)
		if err != nil {
			return err
		}
		account, err := timebank.ResidentAccount(ctx, c, id, out)
		if err != nil {
			return err
		}
		posted, err := timebank.Post(ctx, c, timebank.Posting{
			Kind: ledgertransfer.KindTASK, From: pool, To: account, Minutes: 120,
			Memo: "志愿服务110: " + done.Title, Key: fmt.Sprintf("task:%d", a.ID), SubjectID: a.ID, At: out,
		})
		if err != nil {
			return err
		}
		if err := c.VolunteerTaskAssignment.UpdateOneID(a.ID).SetTransferID(posted.Transfer.ID).Exec(ctx); err != nil {
			return err
		}
	}
	tomorrow := w.Today.AddDate(0, 0, 1).Add(9 * time.Hour)
	open, err := c.VolunteerTask.Create().SetCommunityID(community).SetGridID(grid).SetCreatedByID(admin).
		SetTitle("社区义诊: 引导长者排队").SetLocation("盛光社区卫生服务站").
		SetWindowStart(tomorrow).SetWindowEnd(tomorrow.Add(3 * time.Hour)).SetMinutes(90).
		SetCreatedAt(w.Today.Add(8 * time.Hour)).SetUpdatedAt(w.Today.Add(8 * time.Hour)).Save(ctx)
	if err != nil {
		return err
	}
	who, err := c.Resident.Get(ctx, volunteer)
	if err != nil {
		return err
	}
	return c.VolunteerTaskAssignment.Create().SetTaskID(open.ID).SetVolunteerID(volunteer).SetVolunteerName(who.Name).
		SetDispatchedAt(open.CreatedAt).Exec(ctx)
}

// writeDemoHelp writes demoHelp and pays the completed requests from the
// community's pool to the demo volunteer.
func writeDemoHelp(ctx context.Context, c *ent.Client, w *Written) error {
	grid := w.Grids[GridShengguang01]
	community := w.Communities[CommunityShengguang]
	volunteer := w.Residents[PhoneVolunteer]
	pool, err := timebank.PoolAccount(ctx, c, community, w.Today.AddDate(0, -2, 0))
	if err != nil {
		return err
	}
	for i, h := range demoHelp {
		requester := w.Residents[h.requester]
		if h.requester == "" {
			requester = w.GridResidents[GridShengguang01][h.nth]
		}
		who, err := c.Resident.Get(ctx, requester)
		if err != nil {
			return err
		}
		day := w.Today.AddDate(0, 0, -h.daysAgo)
		asked := day.Add(8 * time.Hour)
		start := day.AddDate(0, 0, 1).Add(9 * time.Hour)
		create := c.HelpRequest.Create().SetRequesterID(requester).SetRequesterName(who.Name).SetCreatedByID(requester).
			SetGridID(grid).SetCommunityID(community).SetKind(h.kind).SetTitle(h.title).
			SetLocation(fmt.Sprintf("盛光社区第1网格 %d 号楼下", 3+i)).
			SetWindowStart(start).SetWindowEnd(start.Add(3 * time.Hour)).SetMinutes(h.minutes).
			SetStatus(h.status).SetCreatedAt(asked).SetUpdatedAt(asked)
		if h.status == helprequest.StatusOPEN {
			create.SetWidenAt(asked.Add(15 * time.Minute))
		} else {
			create.SetVolunteerID(volunteer)
		}
		r, err := create.Save(ctx)
		if err != nil {
			return err
		}
		if h.status == helprequest.StatusOPEN {
			continue
		}
		if err := c.HelpOffer.Create().SetHelpRequestID(r.ID).SetVolunteerID(volunteer).
			SetStatus(helpoffer.StatusACCEPTED).SetNote("我可以来").SetCreatedAt(asked.Add(5 * time.Minute)).Exec(ctx); err != nil {
			return err
		}
		if h.status != helprequest.StatusCOMPLETED {
			continue
		}
		done := start.Add(time.Duration(h.minutes) * time.Minute)
		account, err := timebank.ResidentAccount(ctx, c, volunteer, done)
		if err != nil {
			return err
		}
		posted, err := timebank.Post(ctx, c, timebank.Posting{
			Kind: ledgertransfer.KindHELP, From: pool, To: account, Minutes: h.minutes,
			Memo: fmt.Sprintf("邻呼我应: %s (%s)", h.title, who.Name), Key: fmt.Sprintf("help:%d", r.ID),
			SubjectID: r.ID, At: done,
		})
		if err != nil {
			return err
		}
		if err := c.HelpRequest.UpdateOneID(r.ID).SetCreditedMinutes(h.minutes).SetCompletedAt(done).
			SetConfirmedByID(requester).SetTransferID(posted.Transfer.ID).SetUpdatedAt(done).Exec(ctx); err != nil {
			return err
		}
	}
	// The volunteer gives half an hour back to the community.
	account, err := timebank.ResidentAccount(ctx, c, volunteer, w.Today)
	if err != nil {
		return err
	}
	_, err = timebank.Post(ctx, c, timebank.Posting{
		Kind: ledgertransfer.KindDONATION, From: account, To: pool, Minutes: 30,
		Memo: "捐给盛光社区时间池", Key: "seed:donation", CreatedByID: volunteer, At: w.Today.Add(-24 * time.Hour),
	})
	return err
}
