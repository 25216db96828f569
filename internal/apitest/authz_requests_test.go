package apitest_test

import (
	"fmt"
	"testing"

	"github.com/jimei-linli/linli/ent/requestcategory"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/internal/seed"
)

// The requests' rows of the authorization matrix: a request is seen by its
// filer, the resident it is for and their guardian, its grid's leader and
// workers (and the holders of its category's first role), its community's
// admins, the street's admins, and the department it was called to. Its
// timeline shows internal notes to staff only.
func init() {
	readMatrix = append(readMatrix,
		// The elder's own request (07, shengguang-01): her guardian (06) too.
		matrixRow{"request:elder", "node", "", "01 02 03 04 06 07"},
		matrixRow{"request:elder", "nodes", "", "01 02 03 04 06 07"},
		matrixRow{"request:elder", "Query.requests", "", "01 02 03 04 06 07"},
		// Filed by the guardian for her.
		matrixRow{"request:forElder", "node", "", "01 02 03 04 06 07"},
		matrixRow{"request:forElder", "Query.requests", "", "01 02 03 04 06 07"},
		// A hazard: the safety informant (05) handles hazards first.
		matrixRow{"request:hazard", "node", "", "01 02 03 04 05 06"},
		matrixRow{"request:hazard", "Query.requests", "", "01 02 03 04 05 06"},
		// Called to the urban management department (11).
		matrixRow{"request:dept", "node", "", "01 02 03 04 06 11"},
		matrixRow{"request:dept", "nodes", "", "01 02 03 04 06 11"},
		matrixRow{"request:dept", "Query.requests", "", "01 02 03 04 06 11"},
		// 岑西's resident's request: nobody of 盛光 but the street admin.
		matrixRow{"request:other", "node", "", "01 12"},
		matrixRow{"request:other", "Query.requests", "", "01 12"},
		// Timeline entries: internal notes for staff only.
		matrixRow{"requestEvent:internal", "node", "", "01 02 03 04"},
		matrixRow{"requestEvent:internal", "nodes", "", "01 02 03 04"},
		matrixRow{"requestEvent:internal", "Request.timeline", "request:elder", "01 02 03 04"},
		matrixRow{"requestEvent:public", "node", "", "01 02 03 04 06 07"},
		matrixRow{"requestEvent:public", "Request.timeline", "request:elder", "01 02 03 04 06 07"},
		matrixRow{"requestEvent:deptFiled", "node", "", "01 02 03 04 06 11"},
		matrixRow{"requestEvent:deptFiled", "Request.timeline", "request:dept", "01 02 03 04 06 11"},
		matrixRow{"request:dept", "RequestEvent.request", "requestEvent:deptFiled", "01 02 03 04 06 11"},
		// The catalogue is public.
		matrixRow{"requestCategory", "node", "", "all"},
		matrixRow{"requestCategory", "Query.requestCategories", "", "all"},
		matrixRow{"requestCategory", "Request.category", "request:elder", "01 02 03 04 06 07"},
	)
	probes["Query.requests"] = rootConnection("requests")
	probes["Query.requestCategories"] = rootConnection("requestCategories")
	probes["Request.timeline"] = probe{edge: true,
		query: `query($a: ID!) { node(id: $a) { ... on Request { timeline(first: 100) { edges { node { id } } } } } }`}
	probes["RequestEvent.request"] = edge("RequestEvent", "request")
	probes["Request.category"] = edge("Request", "category")
	worldParts = append(worldParts, requestWorld)
}

// requestWorld files the matrix's requests through the API.
func requestWorld(t *testing.T, w *world) {
	ctx := w.e.SystemCtx()
	category := func(code string) string {
		id, err := w.e.Client.RequestCategory.Query().Where(requestcategory.Code(code)).OnlyID(ctx)
		if err != nil {
			t.Fatalf("category %s: %v", code, err)
		}
		return str(id)
	}
	do := func(viewer, query string, vars map[string]any, path ...any) int {
		t.Helper()
		r := w.e.Do(t, w.tokens[viewer], query, vars).Must(t)
		var id int
		fmt.Sscan(fmt.Sprint(r.Value(path...)), &id)
		return id
	}
	const file = `mutation($in: FileRequestInput!) { fileRequest(input: $in) { id } }`
	fileAs := func(viewer string, in map[string]any) int {
		return do(viewer, file, map[string]any{"in": in}, "fileRequest", "id")
	}
	w.ids["requestCategory"] = must(t)(w.e.Client.RequestCategory.Query().Where(requestcategory.Code(seed.CategoryOther)).OnlyID(ctx))
	w.ids["request:elder"] = fileAs("07", map[string]any{"categoryId": category(seed.CategoryOther), "description": "想了解食堂时间"})
	w.ids["request:forElder"] = fileAs("06", map[string]any{"categoryId": category(seed.CategoryElderlyHelp), "description": "陪同妈妈复诊",
		"forResidentId": str(w.id(t, "resident:elder"))})
	w.ids["request:hazard"] = fileAs("06", map[string]any{"categoryId": category(seed.CategorySafetyHazard), "description": "消防通道被堵", "anonymous": true})
	w.ids["request:dept"] = fileAs("06", map[string]any{"categoryId": category(seed.CategorySanitation), "description": "建筑垃圾"})
	w.ids["request:other"] = fileAs("12", map[string]any{"categoryId": category(seed.CategoryOther), "description": "路灯不亮"})

	elder := map[string]any{"id": str(w.ids["request:elder"])}
	do("04", `mutation($id: ID!) { claimRequest(id: $id) { id } }`, elder)
	w.ids["requestEvent:internal"] = do("04", `mutation($id: ID!) { addRequestNote(id: $id, body: "住户不在家", internal: true) { id } }`, elder, "addRequestNote", "id")
	w.ids["requestEvent:public"] = do("04", `mutation($id: ID!) { addRequestNote(id: $id, body: "明天上门", contact: true) { id } }`, elder, "addRequestNote", "id")
	dept := map[string]any{"id": str(w.ids["request:dept"]), "d": str(w.id(t, "department"))}
	do("04", `mutation($id: ID!) { claimRequest(id: $id) { id } }`, map[string]any{"id": dept["id"]})
	do("04", `mutation($id: ID!, $d: ID!) { callDepartment(id: $id, departmentId: $d, reason: "需要执法") { id } }`, dept)
	w.ids["requestEvent:deptFiled"] = must(t)(w.e.Client.RequestEvent.Query().
		Where(requestevent.RequestID(w.ids["request:dept"]), requestevent.KindEQ(requestevent.KindFILED)).OnlyID(ctx))
}

// must returns a function that returns id, failing the test on err.
func must(t *testing.T) func(id int, err error) int {
	return func(id int, err error) int {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
}
