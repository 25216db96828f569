package server

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/store/storetest"
)

// hostileDocument is a request body built to cost the server as much as a
// body within MaxBodyBytes can, and the limit that must refuse it.
type hostileDocument struct {
	name  string
	body  string // a JSON request body
	limit string // the extensions.limit of its error
}

// communitiesWhere is a query filtering communities by the variable $w.
const communitiesWhere = `query($w: CommunityWhereInput) { communities(first: 1, where: $w) { totalCount } }`

// hostileDocuments returns the corpus of issue 14 and its neighbours.
func hostileDocuments() []hostileDocument {
	deepNot := func(n int, open, close string) string {
		return strings.Repeat(open, n) + "{}" + strings.Repeat(close, n)
	}
	body := func(query, variables string) string {
		q, _ := jsonString(query)
		return `{"query":` + q + `,"variables":` + variables + `}`
	}
	manyOr := `{"or":[` + strings.TrimSuffix(strings.Repeat(`{"id":"1"},`, 30000), ",") + `]}`
	var aliases, copies strings.Builder
	for i := range 101 {
		fmt.Fprintf(&aliases, " a%d: communities(first: 1) { totalCount }", i)
	}
	for range 500 {
		copies.WriteString(" totalCount")
	}
	threeAliases := `query($w: CommunityWhereInput) { a: communities(first: 1, where: $w) { totalCount }
		b: communities(first: 1, where: $w) { totalCount } c: communities(first: 1, where: $w) { totalCount } }`
	return []hostileDocument{
		{"where nested 9,000 deep in variables", body(communitiesWhere, `{"w":`+deepNot(9000, `{"not":`, `}`)+`}`), LimitInputDepth},
		{"deep where under three aliases", body(threeAliases, `{"w":`+deepNot(9000, `{"not":`, `}`)+`}`), LimitInputDepth},
		{"where nested 900 deep in a literal", body(`{ communities(first: 1, where: `+deepNot(900, `{not: `, `}`)+`) { totalCount } }`, `{}`), LimitInputDepth},
		{"30,000 or branches", body(communitiesWhere, `{"w":`+manyOr+`}`), LimitFilterBranches},
		{"a list of 30,000 ids", body(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
			`{"ids":[`+strings.TrimSuffix(strings.Repeat(`"1",`, 30000), ",")+`]}`), LimitInputNodes},
		{"101 aliases", body(`{`+aliases.String()+` }`, `{}`), LimitAliases},
		{"500 copies of a field", body(`{ communities(first: 1) {`+copies.String()+` } }`, `{}`), LimitFieldRepeats},
		{"500 copies through fragments", body(`{ communities(first: 1) { ...A ...A ...A ...A ...A } }
			fragment A on CommunityConnection { ...B ...B ...B ...B ...B }
			fragment B on CommunityConnection { totalCount totalCount }`, `{}`), LimitFieldRepeats},
		{"20,000 tokens", body(`{`+strings.Repeat(" __typename", 20000)+` }`, `{}`), LimitTokens},
		{"11 operations", body(operations(11), `{}`), LimitOperations},
	}
}

// operations returns n named operations.
func operations(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "query Q%d { __typename } ", i)
	}
	return b.String()
}

// jsonString returns s as a JSON string literal.
func jsonString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// cost is what serving one request took: the process's CPU time and the
// memory allocated.
type cost struct {
	cpu   time.Duration
	bytes uint64
}

// measure serves req on h and returns its response and cost.
func measure(t testing.TB, h http.Handler, req *http.Request) (response, cost) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := processCPU()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	cpu := processCPU() - cpu0
	runtime.ReadMemStats(&after)
	r := response{status: rec.Code, raw: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("response is not JSON: %v\n%.300s", err, r.raw)
	}
	return r, cost{cpu: cpu, bytes: after.TotalAlloc - before.TotalAlloc}
}

// processCPU returns the user and system CPU time the process has used.
func processCPU() time.Duration {
	var u syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// maxHostileBytes is the most memory a hostile document may cost (issue 14);
// the request body itself is included.
const maxHostileBytes = 20 << 20

func TestHostileDocumentsAreRefusedOverHTTP(t *testing.T) {
	opts, _ := testOptions(t)
	h := New(opts)
	for _, doc := range hostileDocuments() {
		t.Run(doc.name, func(t *testing.T) {
			r, c := measure(t, h, post(doc.body))
			if r.code() != "BAD_USER_INPUT" || len(r.Errors) != 1 || r.Errors[0].Extensions["limit"] != doc.limit {
				t.Fatalf("%d %.300s, want BAD_USER_INPUT with limit %s", r.status, r.raw, doc.limit)
			}
			if c.bytes > maxHostileBytes {
				t.Errorf("allocated %d MB, want at most %d", c.bytes>>20, maxHostileBytes>>20)
			}
			t.Logf("%s: %v CPU, %.1f MB, %s", doc.name, c.cpu, float64(c.bytes)/(1<<20), r.message())
			assertServing(t, h)
		})
	}
}

// BenchmarkHostileDocuments prints the worst CPU time and memory a hostile
// document costs (targets: 100 ms, 20 MB).
func BenchmarkHostileDocuments(b *testing.B) {
	h := New(Options{Schema: testSchema(storetest.Client(b, storetest.SQLite), nil), Logger: slog.New(slog.DiscardHandler)})
	var worstCPU, worstBytes cost
	var cpuName, bytesName string
	for range b.N {
		for _, doc := range hostileDocuments() {
			_, c := measure(b, h, post(doc.body))
			if c.cpu > worstCPU.cpu {
				worstCPU, cpuName = c, doc.name
			}
			if c.bytes > worstBytes.bytes {
				worstBytes, bytesName = c, doc.name
			}
		}
	}
	b.ReportMetric(float64(worstCPU.cpu.Milliseconds()), "worst-cpu-ms")
	b.ReportMetric(float64(worstBytes.bytes)/(1<<20), "worst-MB")
	b.Logf("worst CPU %v (%s); worst memory %.1f MB (%s)", worstCPU.cpu, cpuName, float64(worstBytes.bytes)/(1<<20), bytesName)
}

func TestRequestLimitsAreConfigurable(t *testing.T) {
	opts, _ := testOptions(t)
	opts.Limits = Limits{Aliases: 1, InputDepth: 3}
	h := New(opts)
	for _, tc := range []struct {
		query string
		vars  map[string]any
		limit string // "" when it must run
	}{
		{`{ a: communities(first: 1) { totalCount } }`, nil, ""},
		{`{ a: communities(first: 1) { totalCount } b: communities(first: 1) { totalCount } }`, nil, LimitAliases},
		{communitiesWhere, map[string]any{"w": map[string]any{"not": map[string]any{"id": "1"}}}, ""},
		{communitiesWhere, map[string]any{"w": map[string]any{"not": map[string]any{"not": map[string]any{"id": "1"}}}}, LimitInputDepth},
	} {
		r := serve(t, h, postQuery(tc.query, tc.vars))
		if got, _ := r.firstLimit(); got != tc.limit || (tc.limit == "" && len(r.Errors) > 0) {
			t.Errorf("%s %v: %d %s, want limit %q", tc.query, tc.vars, r.status, r.raw, tc.limit)
		}
	}
}

// firstLimit returns the extensions.limit of the first error, and whether
// there is one.
func (r response) firstLimit() (string, bool) {
	if len(r.Errors) == 0 {
		return "", false
	}
	limit, ok := r.Errors[0].Extensions["limit"].(string)
	return limit, ok
}

// TestEmptyFiltersAreBadInput: an empty operand of not, and or or is the
// client's mistake, answered BAD_USER_INPUT on field where, not INTERNAL.
func TestEmptyFiltersAreBadInput(t *testing.T) {
	opts, _ := testOptions(t)
	h := New(opts)
	for _, w := range []string{`{"not":{}}`, `{"and":[{}]}`, `{"or":[{"name":"x"},{}]}`, `{"hasGridsWith":[{"not":{}}]}`} {
		q, _ := jsonString(communitiesWhere)
		r, _ := measure(t, h, post(`{"query":`+q+`,"variables":{"w":`+w+`}}`))
		if r.code() != "BAD_USER_INPUT" || len(r.Errors) != 1 || r.Errors[0].Extensions["field"] != "where" {
			t.Errorf("where %s: %d %.300s, want BAD_USER_INPUT on field where", w, r.status, r.raw)
		}
	}
	assertServing(t, h)
}
