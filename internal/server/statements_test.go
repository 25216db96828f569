package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/community"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/mealperiod"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/ent/requestcategory"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// These tests prove that entgql's field collection keeps a nested query to a
// fixed number of SQL statements, whatever the number of rows: each level of
// a nested connection is loaded for all its parents at once (one SELECT with
// a per-parent LIMIT, plus one grouped COUNT when totalCount is asked for),
// never once per parent row. Every query is run on two databases of very
// different sizes, a tiny street and the demo street, and must cost the same
// number of statements on both, on SQLite and on PostgreSQL.

// nestedStatements is what the street overview (nestedQuery) costs, one
// statement per level and one more per totalCount (ent runs them in another
// order; a page asks for first+1 rows, to know hasNextPage):
//
//  1. SELECT COUNT(id) FROM communities                    communities.totalCount
//  2. SELECT communities LIMIT 6                           communities.edges
//  3. SELECT community_id, COUNT(*) FROM grids             grids.totalCount of all communities at once
//     WHERE community_id IN (...) GROUP BY community_id
//  4. SELECT grids WHERE community_id IN (...) AND         grids.edges of all communities at once
//     ROW_NUMBER() OVER (PARTITION BY community_id) <= 11
//  5. SELECT grid_id, COUNT(*) FROM places ... GROUP BY    places.totalCount of all grids at once
//  6. SELECT places ... PARTITION BY grid_id ... <= 21     places.edges of all grids at once
//  7. SELECT role_assignments ... PARTITION BY grid_id     staff.edges of all grids at once
//  8. SELECT residents WHERE id IN (...) AND EXISTS (role) staff.resident of all staff at once
//
// The privacy rule on residents (anonymous viewers see those who hold a
// role) is the EXISTS inside statement 8, not a statement of its own. So a
// query costs 1 statement per connection or edge in its shape, plus 1 per
// totalCount below the root, whatever the rows: 5 communities × 9 grids ×
// 20 places cost what 1 community × 2 grids × 3 places cost. (Where a level
// finds no rows, ent skips the levels below it, so the count is a bound.)
const nestedStatements = 8

// myGridStatements is what the "my grid" screen (myGridQuery) costs:
//
//  1. SELECT grids WHERE id = $1 LIMIT 2                  node(id:); the ID names the table, no type lookup
//  2. SELECT communities WHERE id IN ($1)                 community
//  3. SELECT role_assignments WHERE role = 'GRID_LEADER'  leader (first: 1, so LIMIT 2)
//     AND grid_id IN ($1) LIMIT 2
//  4. SELECT residents WHERE id IN (...) AND EXISTS (role) leader.resident
//  5. SELECT role_assignments ... 'GRID_WORKER' LIMIT 11  workers
//  6. SELECT residents WHERE id IN (...) ...              workers.resident
//  7. SELECT role_assignments ... 'SAFETY_INFORMANT' ...  informants
//  8. SELECT residents WHERE id IN (...) ...              informants.resident
//  9. SELECT grid_id, COUNT(*) FROM places ... GROUP BY   places.totalCount
//  10. SELECT places WHERE grid_id IN ($1) LIMIT 21       places.edges
//
// Each aliased staff connection is its own eager load, so the three staff
// lists cost 2 statements each; fetching all staff once and splitting them by
// role in the client would cost 2 instead of 6, at the price of the filter.
const myGridStatements = 10

// nestedQuery is the street overview: every community with its grids, their
// places and their staff. Its complexity estimate (7378) is within the
// default limit (10000): the server runs it with its defaults.
const nestedQuery = `{
  communities(first: 5) {
    totalCount
    edges { node {
      name
      grids(first: 10) {
        totalCount
        edges { node {
          name
          places(first: 20) { totalCount edges { node { name kind } } }
          staff(first: 20) { edges { node { role resident { name } } } }
        } }
      }
    } }
  }
}`

// statementCase is a query and the number of statements it must cost on
// every data size.
type statementCase struct {
	name  string
	query string
	// vars returns the query's variables on a seeded database.
	vars func(t *testing.T, c *ent.Client) map[string]any
	// want is the exact number of statements; see the comment of each case.
	want int
	// checkDemo, when set, checks the data the query returns on the demo
	// street.
	checkDemo func(data json.RawMessage) error
	// viewer, when set, returns who asks (anonymous otherwise).
	viewer func(t *testing.T, c *ent.Client) *viewer.Viewer
	// subscription says the query is a subscription: its first event is
	// counted, over Server-Sent Events.
	subscription bool
}

// statementCases is the table of nested queries and what they cost.
var statementCases = []statementCase{
	{name: "street overview", query: nestedQuery, want: nestedStatements},
	{name: "my grid", query: myGridQuery, vars: myGridVars, want: myGridStatements, checkDemo: checkMyGridData},
	{
		// streets: count + select; communities: count + select; grids: select;
		// grid.community (a unique edge back up): select.
		name: "streets, communities, grids and back up",
		query: `{ streets(first: 5) { totalCount edges { node { name
			communities(first: 10) { totalCount edges { node { name
				grids(first: 20) { edges { node { code community { code } } } } } } } } } } }`,
		want: 6,
	},
	{
		// nodes(ids:) of every grid: grids select; places select (no
		// totalCount); households count + select. Households are hidden
		// from anonymous viewers: the rule is a predicate in both, which
		// run and find nothing. (From communities down, this is one level
		// deeper than the depth limit of 12 allows.)
		name: "places and their households",
		query: `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Grid { places(first: 20) { edges { node { name
			households(first: 3) { totalCount edges { node { unit } } } } } } } } }`,
		vars: allGridIDs,
		want: 4,
	},
	{
		// nodes(ids:) of every grid: grids select; staff select; residents
		// select; their households (a unique edge, hidden: null) select;
		// their roles (a list edge) select; the roles' grids select.
		name: "staff, their residents, households and roles",
		query: `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Grid { staff(first: 30) { edges { node { title
			resident { name household { unit } roles { role grid { code } } } } } } } } }`,
		vars: allGridIDs,
		want: 6,
	},
	{
		// role assignments are not a root connection; the community admins
		// are: communities select, roleAssignments count + select, residents.
		name: "community staff",
		query: `{ communities(first: 5) { edges { node {
			roleAssignments(first: 10) { totalCount edges { node { role title resident { name } } } } } } } }`,
		want: 4,
	},
	{
		// departments count + select; staff count + select; residents select.
		name: "departments and their staff",
		query: `{ departments(first: 50) { totalCount edges { node { name kind
			staff(first: 10) { totalCount edges { node { title resident { name } } } } } } } }`,
		want: 5,
	},
	{
		// nodes(ids:) groups the IDs by table: one select of grids, then
		// places count + select and staff select for all of them.
		name:  "nodes of many grids",
		query: `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Grid { code places(first: 5) { totalCount edges { node { name } } } staff(first: 5) { edges { node { role } } } } } }`,
		vars:  allGridIDs,
		want:  4,
	},
	{
		// Grid.residents is an edge through residents.grid_id (kept in step
		// with the household by a hook), so it batches like the others:
		// communities, grids, residents page, residents count.
		name: "grid residents",
		query: `{ communities(first: 1) { edges { node { grids(first: 20) { edges { node {
			residents(first: 5) { totalCount edges { node { name } } } } } } } } } }`,
		want: 4,
	},
	{
		// Who read my data: access records count + select (their readers,
		// one select more, are eagerly loaded when there are any: the seeds
		// have none, TestAccessLogStatements has).
		name:   "my data accesses",
		query:  `{ myDataAccesses(first: 20) { totalCount edges { node { kind path at reader { name } } } } }`,
		viewer: firstCommunityAdmin,
		want:   2,
	},
	{
		// The volunteer teams screen, as the community's admin sees it:
		// teams count + select; members (a connection since issue 12)
		// select + count for all teams at once; the members' residents
		// (a reference that is null when hidden, graph/batch.go) one select
		// for every member of every team.
		name: "volunteer teams and their members",
		query: `{ volunteerTeams(first: 10) { totalCount edges { node { name
			members(first: 20) { totalCount edges { node { joinedAt resident { name } } } } } } } }`,
		viewer: firstCommunityAdmin,
		want:   5,
		checkDemo: func(data json.RawMessage) error {
			if !regexp.MustCompile(`"members":\{"totalCount":[1-9]`).Match(data) {
				return fmt.Errorf("the admin sees no team's members")
			}
			return nil
		},
	},
	{
		// A grid's open help requests (a connection since issue 12), the
		// first event of the subscription, as the community's admin sees
		// it: subscribing checks the viewer's right to the grid (grid
		// select); each event checks it again (grid select) and reads the
		// page: requests count + select, their offers select for all; and
		// the stream reads the cursor of now (the latest event's number).
		name: "a grid's open help requests",
		query: `subscription($id: ID!) { gridHelpRequests(gridId: $id, first: 10) { requests { totalCount
			edges { node { title requesterName offers { status } } } } } }`,
		vars:         myGridVars,
		viewer:       firstCommunityAdmin,
		subscription: true,
		want:         6,
		checkDemo: func(data json.RawMessage) error {
			if strings.Contains(string(data), `"totalCount":0`) {
				return fmt.Errorf("the demo's first grid has open help requests")
			}
			return nil
		},
	},
	{
		// Help requests with their offers' volunteers, as the community's
		// admin sees them: requests count + select, offers select for all,
		// and the volunteers (references that are null when hidden,
		// graph/batch.go) one select for every offer of every request.
		name: "help requests and their volunteers",
		query: `{ helpRequests(first: 20) { totalCount edges { node { title
			offers { status volunteer { name } } } } } }`,
		viewer: firstCommunityAdmin,
		want:   4,
		checkDemo: func(data json.RawMessage) error {
			if !strings.Contains(string(data), `"volunteer":{"name"`) {
				return fmt.Errorf("the admin sees no volunteer")
			}
			return nil
		},
	},
	{
		// A community's requests, as its admin sees them: requests count +
		// select; their subjects and filers (references that are null when
		// hidden, graph/batch.go) one select each for the whole page.
		name: "requests with their subjects and filers",
		query: `{ requests(first: 20) { totalCount edges { node { status
			subject { name } filer { name } } } } }`,
		viewer: firstCommunityAdmin,
		want:   4,
		checkDemo: func(data json.RawMessage) error {
			if !strings.Contains(string(data), `"filer":{"name"`) {
				return fmt.Errorf("the admin sees no filer")
			}
			return nil
		},
	},
	{
		// The canteen's orders, as the community's admin sees them: orders
		// count + select; beneficiaries and orderers one select each.
		name: "meal orders with their beneficiaries",
		query: `{ mealOrders(first: 20) { totalCount edges { node { status
			beneficiary { name } orderedBy { name } } } } }`,
		viewer: firstCommunityAdmin,
		want:   4,
		checkDemo: func(data json.RawMessage) error {
			if !strings.Contains(string(data), `"beneficiary":{"name"`) {
				return fmt.Errorf("the admin sees no beneficiary")
			}
			return nil
		},
	},
	{
		// The kitchen's day, as the community's admin sees it: canteen select
		// (the right to it), the day's orders select, their items select, the
		// grids select; each grid's deliveries (a connection since issue 12)
		// are paged from those orders, with no statement per grid.
		name: "a canteen kitchen's deliveries by grid",
		query: `query($c: ID!, $d: String!) { canteenKitchen(canteenId: $c, date: $d) { periods { meals }
			deliveries { grid { code } orders(first: 1) { totalCount pageInfo { hasNextPage }
			edges { node { recipientName deliveryAddress } } } } } }`,
		vars:   firstKitchenDay,
		viewer: firstCommunityAdmin,
		want:   4,
		checkDemo: func(data json.RawMessage) error {
			if !regexp.MustCompile(`"orders":\{"totalCount":[1-9]`).Match(data) {
				return fmt.Errorf("no grid has deliveries")
			}
			return nil
		},
	},
}

// firstCommunityAdmin returns the admin of the first community created (the
// viewer who may see its volunteer teams' members and follow its grids).
func firstCommunityAdmin(t *testing.T, c *ent.Client) *viewer.Viewer {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	com, err := c.Community.Query().Order(ent.Asc(community.FieldID)).FirstID(ctx)
	if err != nil {
		t.Fatalf("look up the first community: %v", err)
	}
	admin, err := c.RoleAssignment.Query().Where(roleassignment.RoleEQ(roleassignment.RoleCOMMUNITY_ADMIN),
		roleassignment.CommunityID(com)).Order(ent.Asc(roleassignment.FieldID)).First(ctx)
	if err != nil {
		t.Fatalf("look up the first community's admin: %v", err)
	}
	return &viewer.Viewer{ResidentID: admin.ResidentID, Roles: []viewer.Role{{Role: viewer.CommunityAdmin, CommunityID: com}}}
}

// myGridVars returns the variables of myGridQuery: the ID of the first grid
// created (shengguang-01 on the demo street).
func myGridVars(t *testing.T, c *ent.Client) map[string]any {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	id, err := c.Grid.Query().Order(ent.Asc(grid.FieldID)).FirstID(ctx)
	if err != nil {
		t.Fatalf("look up the first grid: %v", err)
	}
	return map[string]any{"id": fmt.Sprint(id)}
}

// allGridIDs returns every grid's ID (at most 100) as variable ids.
func allGridIDs(t *testing.T, c *ent.Client) map[string]any {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	ids, err := c.Grid.Query().Order(ent.Asc(grid.FieldID)).Limit(maxPageSize).IDs(ctx)
	if err != nil {
		t.Fatalf("look up the grids: %v", err)
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprint(id)
	}
	return map[string]any{"ids": out}
}

// countedAPI is Linli's HTTP handler over a database whose SQL statements
// are counted (and, for failure messages, recorded).
type countedAPI struct {
	client  *ent.Client
	counter *storetest.CountingDriver
	log     *statementLog
	handler http.Handler
	// viewers are who "Authorization: Test <n>" signs in as: viewers[n].
	viewers *viewerList
}

// viewerList is the viewers a countedAPI's requests may sign in as.
type viewerList struct {
	mu   sync.Mutex
	list []*viewer.Viewer
}

// add returns the Authorization header that signs in as v.
func (l *viewerList) add(v *viewer.Viewer) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, v)
	return fmt.Sprintf("Test %d", len(l.list)-1)
}

// authenticate is an Options.Authenticate: "Test <n>" is viewers[n], no
// header is anonymous.
func (l *viewerList) authenticate(r *http.Request) (context.Context, error) {
	var n int
	if _, err := fmt.Sscanf(r.Header.Get("Authorization"), "Test %d", &n); err != nil {
		return r.Context(), nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return viewer.NewContext(r.Context(), l.list[n]), nil
}

// newCountedAPI wraps s's driver in a CountingDriver and builds the client
// and the handler over it. The store keeps its own client; both share the
// connection pool, which the store closes.
func newCountedAPI(s *store.Store) *countedAPI {
	counter := storetest.NewCountingDriver(s.Driver)
	log := &statementLog{}
	client := ent.NewClient(ent.Driver(dialect.DebugWithContext(counter, log.record)))
	client.Use(store.Timestamps(testclock.Start))
	viewers := &viewerList{}
	return &countedAPI{
		client:  client,
		counter: counter,
		log:     log,
		viewers: viewers,
		handler: New(Options{
			Schema:       testSchema(client, testclock.Start),
			Authenticate: viewers.authenticate,
			Logger:       slog.New(slog.DiscardHandler),
			// nodes(ids:) of all 39 demo grids with their staff's
			// residents, households and roles estimates 11779.
			MaxComplexity: 20000,
		}),
	}
}

// run sends query over HTTP and returns its data and the number of SQL
// statements it cost; any error fails the test.
func (a *countedAPI) run(t *testing.T, query string, vars map[string]any) (json.RawMessage, int) {
	return a.runAs(t, "", query, vars)
}

// runAs is run with the given Authorization header ("" for none).
func (a *countedAPI) runAs(t *testing.T, authorization, query string, vars map[string]any) (json.RawMessage, int) {
	t.Helper()
	a.counter.Reset()
	a.log.reset()
	req := postQuery(query, vars)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	r := serve(t, a.handler, req)
	n := int(a.counter.Count())
	if r.status != http.StatusOK || len(r.Errors) != 0 {
		t.Fatalf("query failed: %d %s", r.status, r.raw)
	}
	return r.Data, n
}

// subscribe opens the subscription over Server-Sent Events and returns its
// first event's data and the number of SQL statements it cost until then.
func (a *countedAPI) subscribe(t *testing.T, authorization, query string, vars map[string]any) (json.RawMessage, int) {
	t.Helper()
	srv := httptest.NewServer(a.handler)
	defer srv.Close()
	a.counter.Reset()
	a.log.reset()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp := postSSE(t, srv, string(b), authorization)
	defer resp.Body.Close()
	stream := &sseStream{t: t, resp: resp, r: bufio.NewReader(resp.Body)}
	ev := stream.next()
	n := int(a.counter.Count())
	var r response
	if err := json.Unmarshal([]byte(ev.data), &r); ev.event != "next" || err != nil || len(r.Errors) != 0 {
		t.Fatalf("subscription failed: %s %s", ev.event, ev.data)
	}
	return r.Data, n
}

// statementLog records the statements sent through a driver.
type statementLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *statementLog) record(_ context.Context, v ...any) {
	line := fmt.Sprint(v...)
	if !strings.HasPrefix(line, "driver.Query") && !strings.HasPrefix(line, "driver.Exec") &&
		!strings.Contains(line, ".Query: ") && !strings.Contains(line, ".Exec: ") {
		return // transaction begin/commit lines
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
}

func (l *statementLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = nil
}

func (l *statementLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for i, line := range l.lines {
		fmt.Fprintf(&b, "  %2d. %s\n", i+1, line)
	}
	return b.String()
}

// dataSize is one of the databases the statement counts are compared on.
type dataSize struct {
	name string
	seed func(ctx context.Context, c *ent.Client) error
}

// demoStreet is the name of the largest data size: seed.Demo's street.
const demoStreet = "demo street"

var dataSizes = []dataSize{
	{"tiny street", seedTinyStreet},
	{demoStreet, func(ctx context.Context, c *ent.Client) error {
		_, err := seed.Demo(ctx, c, testclock.Start())
		return err
	}},
}

// seedTinyStreet writes the smallest map on which every level of the
// queries above has rows: 1 street, 1 community, 2 grids with 3 places
// each, a household per place, a leader, 2 workers and 6 informants per
// grid (living in the grid), one community admin and one department with
// one member of staff.
func seedTinyStreet(ctx context.Context, c *ent.Client) error {
	st, err := c.Street.Create().SetCode("tiny").SetName("小街道").Save(ctx)
	if err != nil {
		return err
	}
	com, err := c.Community.Create().SetCode("tiny-c").SetName("小社区").SetStreet(st).Save(ctx)
	if err != nil {
		return err
	}
	resident := func(name string) (*ent.Resident, error) {
		return c.Resident.Create().SetName(name).Save(ctx)
	}
	for g := 1; g <= 2; g++ {
		gr, err := c.Grid.Create().SetCode(fmt.Sprintf("tiny-%02d", g)).SetName(fmt.Sprintf("第%d网格", g)).
			SetNumber(g).SetCommunity(com).Save(ctx)
		if err != nil {
			return err
		}
		var home *ent.Household
		for p := 1; p <= 3; p++ {
			pl, err := c.Place.Create().SetGrid(gr).SetKind(place.KindSelfBuiltHouse).
				SetName(fmt.Sprintf("%d号自建房", p)).SetAddress(fmt.Sprintf("小街%d-%d号", g, p)).Save(ctx)
			if err != nil {
				return err
			}
			if home, err = c.Household.Create().SetPlace(pl).Save(ctx); err != nil {
				return err
			}
		}
		staff := []struct {
			role roleassignment.Role
			n    int
		}{
			{roleassignment.RoleGRID_LEADER, 1},
			{roleassignment.RoleGRID_WORKER, 2},
			{roleassignment.RoleSAFETY_INFORMANT, 6},
		}
		for _, s := range staff {
			for i := range s.n {
				r, err := c.Resident.Create().SetName(fmt.Sprintf("%s %d-%d", s.role, g, i)).
					SetHousehold(home).Save(ctx)
				if err != nil {
					return err
				}
				if _, err := c.RoleAssignment.Create().SetRole(s.role).SetResident(r).SetGrid(gr).Save(ctx); err != nil {
					return err
				}
			}
		}
	}
	admin, err := resident("社区工作者")
	if err != nil {
		return err
	}
	if _, err := c.RoleAssignment.Create().SetRole(roleassignment.RoleCOMMUNITY_ADMIN).
		SetResident(admin).SetCommunity(com).Save(ctx); err != nil {
		return err
	}
	dep, err := c.Department.Create().SetCode("tiny-d").SetName("小部门").SetStreet(st).Save(ctx)
	if err != nil {
		return err
	}
	member, err := resident("部门联络员")
	if err != nil {
		return err
	}
	if _, err = c.RoleAssignment.Create().SetRole(roleassignment.RoleDEPARTMENT_STAFF).
		SetResident(member).SetDepartment(dep).Save(ctx); err != nil {
		return err
	}
	if err := seedTinyRedNeighbor(ctx, c, com); err != nil {
		return err
	}
	if err := seedTinyRequests(ctx, c, com); err != nil {
		return err
	}
	return seedTinyCanteen(ctx, c, com)
}

// seedTinyRequests writes two requests in the community's first grid, each
// filed by one resident about another.
func seedTinyRequests(ctx context.Context, c *ent.Client, com *ent.Community) error {
	pl, err := c.Place.Query().Where(place.HasGridWith(grid.CommunityID(com.ID))).Order(ent.Asc(place.FieldID)).First(ctx)
	if err != nil {
		return err
	}
	cat, err := c.RequestCategory.Create().SetCode("tiny-repair").SetName("维修").
		SetFirstRole(requestcategory.FirstRoleGRID_WORKER).Save(ctx)
	if err != nil {
		return err
	}
	at := testclock.Start()
	for i := range 2 {
		filer, err := c.Resident.Create().SetName(fmt.Sprintf("居民%d", i)).Save(ctx)
		if err != nil {
			return err
		}
		subject, err := c.Resident.Create().SetName(fmt.Sprintf("邻居%d", i)).Save(ctx)
		if err != nil {
			return err
		}
		if err := c.Request.Create().SetCategoryID(cat.ID).SetDescription("路灯坏了").SetPlaceID(pl.ID).
			SetGridID(pl.GridID).SetFilerID(filer.ID).SetSubjectID(subject.ID).SetCreatedAt(at).SetUpdatedAt(at).
			SetAcknowledgeDueAt(at.Add(time.Hour)).SetContactDueAt(at.Add(2 * time.Hour)).
			SetResolveDueAt(at.Add(24 * time.Hour)).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// seedTinyCanteen writes the smallest canteen whose kitchen view has rows
// at every level: one lunch menu of one dish, and two home deliveries to
// each grid of the community.
func seedTinyCanteen(ctx context.Context, c *ent.Client, com *ent.Community) error {
	ct, err := c.Canteen.Create().SetCommunityID(com.ID).SetName("小食堂").SetAddress("小街1号").
		SetOpeningHours("每日").Save(ctx)
	if err != nil {
		return err
	}
	lunch, err := c.MealPeriod.Create().SetCanteenID(ct.ID).SetKind(mealperiod.KindLUNCH).SetServesFrom("11:00").
		SetServesUntil("12:30").SetOrderCutoff("10:00").SetCutoffDaysBefore(0).SetCapacity(20).Save(ctx)
	if err != nil {
		return err
	}
	m, err := c.Menu.Create().SetCanteenID(ct.ID).SetPeriodID(lunch.ID).SetDate("2026-12-01").SetCapacity(20).Save(ctx)
	if err != nil {
		return err
	}
	dish, err := c.MenuItem.Create().SetMenuID(m.ID).SetName("米饭").SetPrice(100).Save(ctx)
	if err != nil {
		return err
	}
	places, err := c.Place.Query().Where(place.HasGridWith(grid.CommunityID(com.ID))).Order(ent.Asc(place.FieldID)).All(ctx)
	if err != nil {
		return err
	}
	for i, pl := range places {
		if i%3 == 2 {
			continue // two of each grid's three places
		}
		r, err := c.Resident.Create().SetName(fmt.Sprintf("长者 %d", i)).Save(ctx)
		if err != nil {
			return err
		}
		o, err := c.MealOrder.Create().SetCanteenID(ct.ID).SetCommunityID(com.ID).SetMenuID(m.ID).
			SetDate(m.Date).SetPeriod(mealorder.PeriodLUNCH).SetBeneficiaryID(r.ID).SetOrderedByID(r.ID).
			SetRecipientName(r.Name).SetFulfillment(mealorder.FulfillmentDELIVERY).SetTier(mealorder.TierREGULAR).
			SetListPrice(100).SetSubsidy(0).SetCreditMinutes(0).SetCreditValue(0).SetAmountPaid(100).
			SetPickupCode(fmt.Sprintf("%06d", i)).SetDeliveryAddress(pl.Address).SetDeliveryGridID(pl.GridID).Save(ctx)
		if err != nil {
			return err
		}
		if err := c.MealOrderItem.Create().SetOrderID(o.ID).SetMenuItemID(dish.ID).SetName(dish.Name).
			SetQuantity(1).SetUnitPrice(dish.Price).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// firstKitchenDay returns the canteen and day of the first home delivery
// written (variables c and d of the kitchen query).
func firstKitchenDay(t *testing.T, c *ent.Client) map[string]any {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	o, err := c.MealOrder.Query().Where(mealorder.FulfillmentEQ(mealorder.FulfillmentDELIVERY), mealorder.DeliveryGridIDNotNil()).
		Order(ent.Asc(mealorder.FieldID)).First(ctx)
	if err != nil {
		t.Fatalf("look up the first delivery: %v", err)
	}
	return map[string]any{"c": fmt.Sprint(o.CanteenID), "d": o.Date}
}

// seedTinyRedNeighbor writes the smallest Red Neighbor on which every level
// of the queries above has rows: a volunteer team of two, and two open help
// requests in the community's first grid with an offer each.
func seedTinyRedNeighbor(ctx context.Context, c *ent.Client, com *ent.Community) error {
	g, err := c.Grid.Query().Where(grid.CommunityID(com.ID)).Order(ent.Asc(grid.FieldID)).First(ctx)
	if err != nil {
		return err
	}
	team, err := c.VolunteerTeam.Create().SetCommunityID(com.ID).SetName("小队").Save(ctx)
	if err != nil {
		return err
	}
	at := testclock.Start()
	var volunteers []int
	for i := range 2 {
		r, err := c.Resident.Create().SetName(fmt.Sprintf("志愿者%d", i)).Save(ctx)
		if err != nil {
			return err
		}
		volunteers = append(volunteers, r.ID)
		if err := c.VolunteerTeamMember.Create().SetTeamID(team.ID).SetResidentID(r.ID).SetJoinedAt(at).Exec(ctx); err != nil {
			return err
		}
	}
	elder, err := c.Resident.Create().SetName("长者").Save(ctx)
	if err != nil {
		return err
	}
	for i, v := range volunteers {
		r, err := c.HelpRequest.Create().SetRequesterID(elder.ID).SetRequesterName(elder.Name).SetCreatedByID(elder.ID).
			SetGridID(g.ID).SetCommunityID(com.ID).SetKind("SHOPPING").SetTitle(fmt.Sprintf("买菜%d", i)).
			SetLocation("小街1-1号").SetWindowStart(at.Add(time.Duration(i+1) * time.Hour)).
			SetWindowEnd(at.Add(time.Duration(i+3) * time.Hour)).SetMinutes(60).Save(ctx)
		if err != nil {
			return err
		}
		if err := c.HelpOffer.Create().SetHelpRequestID(r.ID).SetVolunteerID(v).SetCreatedAt(at).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func TestStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		// counts[case][size] is the number of statements of each case on
		// each size, 0 where it failed.
		counts := make([][]int, len(statementCases))
		for i := range counts {
			counts[i] = make([]int, len(dataSizes))
		}
		for si, size := range dataSizes {
			if si > 0 {
				s = storetest.Open(t, backendOf(s)) // every size on a fresh database
			}
			api := newCountedAPI(s)
			ctx := viewer.SystemContext(context.Background())
			if err := size.seed(ctx, api.client); err != nil {
				t.Fatalf("%s: seed: %v", size.name, err)
			}
			for ci, tc := range statementCases {
				t.Run(tc.name+"/"+size.name, func(t *testing.T) {
					var vars map[string]any
					if tc.vars != nil {
						vars = tc.vars(t, api.client)
					}
					var authorization string
					if tc.viewer != nil {
						authorization = api.viewers.add(tc.viewer(t, api.client))
					}
					var data json.RawMessage
					var n int
					if tc.subscription {
						data, n = api.subscribe(t, authorization, tc.query, vars)
					} else {
						data, n = api.runAs(t, authorization, tc.query, vars)
					}
					if tc.checkDemo != nil && size.name == demoStreet {
						if err := tc.checkDemo(data); err != nil {
							t.Errorf("wrong answer: %v\n%s", err, data)
						}
					}
					want := tc.want
					if n != want {
						t.Errorf("%d statements, want %d:\n%s", n, want, api.log)
						return
					}
					counts[ci][si] = n
					t.Logf("%d statements", n)
				})
			}
		}
		for ci, tc := range statementCases {
			c := counts[ci]
			if c[0] == 0 || c[1] == 0 {
				continue // failed above
			}
			if c[0] != c[1] {
				t.Errorf("%s: %d statements on the %s, %d on the %s: the count grows with the data",
					tc.name, c[0], dataSizes[0].name, c[1], dataSizes[1].name)
			}
		}
	})
}

// backendOf returns the backend s runs on.
func backendOf(s *store.Store) storetest.Backend {
	if s.Dialect == dialect.Postgres {
		return storetest.Postgres
	}
	return storetest.SQLite
}

// TestAccessLogStatements: a community admin's screen of grid residents
// with their personal details reads the details of many residents and
// writes the access log in one INSERT; the residents' accesses are then
// listed in a constant number of statements.
func TestAccessLogStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		api := newCountedAPI(s)
		ctx := viewer.SystemContext(context.Background())
		if err := dataSizes[1].seed(ctx, api.client); err != nil {
			t.Fatal(err)
		}
		admin := api.viewers.add(firstCommunityAdmin(t, api.client))
		data, n := api.runAs(t, admin, `{ communities(first: 1) { edges { node { grids(first: 20) { edges { node {
			residents(first: 5) { totalCount edges { node { name personalInfo { phone } } } } } } } } } } }`, nil)
		// communities, grids, residents, personal details, residents
		// count, and the access log's INSERT.
		inserts := strings.Count(api.log.String(), "INSERT INTO")
		if n != 6 || inserts != 1 {
			t.Fatalf("%d statements (%d INSERTs), want 6 with one INSERT:\n%s", n, inserts, api.log)
		}
		read := strings.Count(string(data), `"phone"`)
		logged, err := api.client.AccessRecord.Query().Count(ctx)
		// The admin's own details are not logged; the details of the one
		// resident more that each grid's page fetches (to know hasNextPage)
		// are, though they are not sent: at most one per grid (20).
		if err != nil || read < 2 || logged < read-1 || logged > read-1+20 {
			t.Errorf("%d personal details read, %d logged (%v)", read, logged, err)
		}
		subject, err := api.client.AccessRecord.Query().FirstX(ctx).QuerySubject().Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		person := api.viewers.add(&viewer.Viewer{ResidentID: subject.ID})
		_, n = api.runAs(t, person, `{ myDataAccesses(first: 20) { totalCount edges { node { kind path at reader { name } } } } }`, nil)
		if n != 3 {
			t.Errorf("myDataAccesses with entries: %d statements, want 3:\n%s", n, api.log)
		}
	})
}
