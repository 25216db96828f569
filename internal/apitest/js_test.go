package apitest_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

// jsDir holds the JavaScript clients the tests below run (package.json and
// its lockfile; node_modules is installed from the lockfile by the first test
// that needs it).
const jsDir = "testdata/js"

// installs remembers, per directory, the outcome of installing its npm
// packages in this test process.
var installs sync.Map // dir → *npmInstall

type npmInstall struct {
	once sync.Once
	err  error
	out  []byte
}

// npmCI installs the packages of dir's package-lock.json into
// dir/node_modules with `npm ci`, once per test process and only when
// node_modules is missing or older than the lockfile, so that a fresh clone
// (or a changed lockfile) gets exactly the locked versions. It skips the test
// when node or npm is not installed.
func npmCI(t *testing.T, dir string) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	v, _ := installs.LoadOrStore(dir, &npmInstall{})
	in := v.(*npmInstall)
	in.once.Do(func() {
		lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
		if err != nil {
			in.err = err
			return
		}
		if inst, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil && !inst.ModTime().Before(lock.ModTime()) {
			return
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		in.out, in.err = cmd.CombinedOutput()
	})
	if in.err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, in.err, in.out)
	}
}

// node runs the script in jsDir with node and the given environment and
// returns its standard output, after installing jsDir's packages (npmCI).
func node(t *testing.T, script string, env ...string) []byte {
	t.Helper()
	npmCI(t, jsDir)
	cmd := exec.Command("node", script)
	cmd.Dir = jsDir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node %s: %v\n%s", script, err, stderr)
	}
	return out
}

// TestUrqlPagesWithoutDuplicates pages the 194 residents of 盛光 grid 01
// ten at a time through urql's default cache, which keys each page by a
// djb2 hash of the query and its variables: with cursors that collide, a
// page is answered from the cache as an earlier one and the scroll loops.
func TestUrqlPagesWithoutDuplicates(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		grid := e.GridID(t, seed.GridShengguang01)
		want := e.Do(t, e.TokenFor(t, seed.PhoneGridLeader),
			`query($g: ID!) { node(id: $g) { ... on Grid { residents { totalCount } } } }`,
			map[string]any{"g": apitest.ID(grid)}).Must(t).Value("node", "residents", "totalCount")
		if want != float64(194) {
			t.Fatalf("grid %s has %v residents, the test wants 194", seed.GridShengguang01, want)
		}
		out := node(t, "urql_paging.mjs", "LINLI_URL="+e.URL+"/graphql",
			"LINLI_TOKEN="+e.TokenFor(t, seed.PhoneGridLeader), "LINLI_GRID="+apitest.ID(grid))
		var got struct{ IDs []string }
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("urql_paging.mjs printed %q: %v", out, err)
		}
		seen := map[string]bool{}
		for _, id := range got.IDs {
			if seen[id] {
				t.Errorf("resident %s came twice", id)
			}
			seen[id] = true
		}
		if len(seen) != 194 {
			t.Errorf("urql paged %d distinct residents (%d in all), want 194", len(seen), len(got.IDs))
		}
	})
}

// TestTamperedCursorIsBadUserInput: a cursor that was edited is refused as
// the client's error, at the root and inside a node (where ent loads the
// edge with its parent), never as an internal one.
func TestTamperedCursorIsBadUserInput(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		token := e.TokenFor(t, seed.PhoneGridLeader)
		grid := apitest.ID(e.GridID(t, seed.GridShengguang01))
		const q = `query($g: ID!, $after: Cursor) { node(id: $g) { ... on Grid { residents(first: 10, after: $after) {
			pageInfo { endCursor } edges { node { id } } } } } }`
		r := e.Do(t, token, q, map[string]any{"g": grid}).Must(t)
		end, _ := r.Value("node", "residents", "pageInfo", "endCursor").(string)
		if end == "" {
			t.Fatalf("no end cursor: %s", r)
		}
		e.Do(t, token, q, map[string]any{"g": grid, "after": end}).Must(t)
		b := []byte(end)
		b[len(b)/2] ^= 1
		for _, bad := range []string{string(b), end[:len(end)-2], "gaFpzgAAAAE"} {
			e.Do(t, token, q, map[string]any{"g": grid, "after": bad}).MustFail(t, "BAD_USER_INPUT")
			e.Do(t, token, `query($after: Cursor) { communities(first: 1, after: $after) { totalCount } }`,
				map[string]any{"after": bad}).MustFail(t, "BAD_USER_INPUT")
		}
	})
}

// TestGraphQLOverHTTPAudit runs graphql-http's audit of the GraphQL over
// HTTP spec against the server: no MUST fails and no SHOULD warns, also
// those about the response's media type and its status codes
// (application/graphql-response+json's 4xx, application/json's 200).
func TestGraphQLOverHTTPAudit(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		var results []struct{ ID, Name, Status, Reason string }
		out := node(t, "http_audit.mjs", "LINLI_URL="+e.URL+"/graphql")
		if err := json.Unmarshal(out, &results); err != nil {
			t.Fatalf("http_audit.mjs printed %q: %v", out, err)
		}
		if len(results) < 50 {
			t.Fatalf("the audit ran only %d checks", len(results))
		}
		counts := map[string]int{}
		for _, r := range results {
			counts[r.Status]++
			switch r.Status {
			case "error":
				t.Errorf("MUST fails: %s: %s", r.Name, r.Reason)
			case "warn":
				t.Errorf("SHOULD warns: %s: %s", r.Name, r.Reason)
			}
		}
		t.Logf("graphql-http audit: %d ok, %d warnings, %d errors", counts["ok"], counts["warn"], counts["error"])
	})
}

// TestAPQWithApolloLink: Apollo Client's PersistedQueryLink works against
// the server. The first client sends the query's hash, is told
// PERSISTED_QUERY_NOT_FOUND and sends the text; a second client then sends
// only the hash, and gets the data.
func TestAPQWithApolloLink(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		type sent struct {
			WithText bool
			Hash     *string
		}
		type run struct {
			Sent       []sent
			TotalCount int
		}
		var got struct{ First, Second run }
		out := node(t, "apq.mjs", "LINLI_URL="+e.URL+"/graphql")
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("apq.mjs printed %q: %v", out, err)
		}
		f, s := got.First, got.Second
		if len(f.Sent) != 2 || f.Sent[0].WithText || !f.Sent[1].WithText || f.Sent[0].Hash == nil {
			t.Errorf("first client sent %+v, want the hash alone and then with the text", f.Sent)
		}
		if len(s.Sent) != 1 || s.Sent[0].WithText || s.Sent[0].Hash == nil {
			t.Errorf("second client sent %+v, want the hash alone", s.Sent)
		}
		if f.TotalCount != 5 || s.TotalCount != 5 {
			t.Errorf("totalCount %d and %d, want 5", f.TotalCount, s.TotalCount)
		}
	})
}

// tsClientDir is the typed TypeScript sample client (clients/ts).
const tsClientDir = "../../clients/ts"

// TestTypeScriptClientTypeChecks generates the sample client's types from
// the committed SDL (GraphQL Code Generator, which also validates its
// operations against the schema) and type-checks it with tsc --noEmit: a
// schema change that breaks what an app wrote against it fails here.
func TestTypeScriptClientTypeChecks(t *testing.T) {
	npmCI(t, tsClientDir)
	for _, args := range [][]string{
		{"exec", "--offline", "--", "graphql-codegen", "--config", "codegen.ts", "--silent"},
		{"exec", "--offline", "--", "tsc", "--noEmit", "-p", "tsconfig.json"},
	} {
		cmd := exec.Command("npm", args...)
		cmd.Dir = tsClientDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm %s in %s: %v\n%s", strings.Join(args, " "), tsClientDir, err, out)
		}
	}
}
