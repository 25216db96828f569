package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// syncBuffer is a log sink that resolvers running concurrently may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testOptions returns options over a fresh, empty SQLite database, logging
// into the returned buffer.
func testOptions(t *testing.T) (Options, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	return Options{
		Schema: testSchema(storetest.Client(t, storetest.SQLite), nil),
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, logs
}

// withFieldMiddleware builds the handler for opts with extra field
// middleware, e.g. one that panics.
func withFieldMiddleware(opts Options, mw graphql.FieldMiddleware) http.Handler {
	opts = opts.withDefaults()
	srv := newGraphQL(opts)
	srv.AroundFields(mw)
	return routes(opts, srv)
}

// response is a decoded GraphQL response.
type response struct {
	status int
	raw    string
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// code returns the code of the first error, or "".
func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	return code
}

// message returns the message of the first error, or "".
func (r response) message() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Message
}

// serve sends req to h and decodes the response.
func serve(t *testing.T, h http.Handler, req *http.Request) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := response{status: rec.Code, raw: rec.Body.String()}
	if ct := rec.Header().Get("Content-Type"); strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, graphQLResponseJSON) {
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatalf("response is not JSON: %v\n%s", err, r.raw)
		}
	}
	return r
}

// post returns a POST /graphql request with a JSON body.
func post(body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", graphQLResponseJSON)
	return req
}

// postQuery returns a POST /graphql request for query and variables.
func postQuery(query string, variables map[string]any) *http.Request {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	return post(string(b))
}

// get returns a GET /graphql request with the given URL parameters.
func get(params url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/graphql?"+params.Encode(), nil)
	req.Header.Set("Accept", graphQLResponseJSON)
	return req
}

// assertServing checks that h still answers a trivial query.
func assertServing(t *testing.T, h http.Handler) {
	t.Helper()
	r := serve(t, h, postQuery("{ __typename }", nil))
	if r.status != http.StatusOK || string(r.Data) != `{"__typename":"Query"}` || len(r.Errors) != 0 {
		t.Fatalf("server stopped serving: %d %s", r.status, r.raw)
	}
}

// introspectionQuery is what GraphiQL and code generators send.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}`

func TestBadInput(t *testing.T) {
	opts, logs := testOptions(t)
	opts.MaxBodyBytes = 4096
	h := New(opts)
	big := `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", 5000) + `"}}`
	chunked := post(big)
	chunked.ContentLength = -1 // no Content-Length: the limit is enforced while reading
	tooDeep := `{ communities(first: 1) { edges { node { street { communities(first: 1) { edges { node {
		street { communities(first: 1) { edges { node { street { communities(first: 1) { edges { node {
		street { name } } } } } } } } } } } } } } } } }`
	tooComplex := `{ communities(first: 100) { edges { node { grids(first: 100) { edges { node {
		places(first: 100) { totalCount } } } } } } } }`

	// The input path at fault (extensions.field) of the input errors below.
	inputFields := map[string]string{
		"variable of wrong type":    "$n",
		"missing variable":          "$n",
		"node(id: garbage)":         "id",
		"node(id: $id) garbage":     "id",
		"nodes(ids: [.., garbage])": "ids.1",
		"first: 1000":               "first",
		"last: -1":                  "last",
		"first: $n = 101":           "first",
		"nested first: 101":         "first",
		"first and last":            "last",
		"GET first: 1000":           "first",
	}
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		code   string
		msg    string // a substring of the first error's message
	}{
		{"malformed JSON", post(`{"query": "{ __typename }"`), 400, "BAD_USER_INPUT", "not valid JSON"},
		{"JSON syntax error", post(`{"query": x}`), 400, "BAD_USER_INPUT", "not valid JSON"},
		{"empty body", post(``), 400, "BAD_USER_INPUT", "empty"},
		{"trailing data", post(`{"query":"{ __typename }"} {}`), 400, "BAD_USER_INPUT", "one JSON object"},
		{"unknown body field", post(`{"query":"{ __typename }","qurey":"x"}`), 400, "BAD_USER_INPUT", `unknown request field "qurey"`},
		{"wrong field type", post(`{"query":"{ __typename }","variables":"x"}`), 400, "BAD_USER_INPUT", `"variables" has the wrong type`},
		{"batch", post(`[{"query":"{ __typename }"}]`), 400, "BAD_USER_INPUT", "batched"},
		{"body not an object", post(`"{ __typename }"`), 400, "BAD_USER_INPUT", "JSON object"},
		{"oversized body", post(big), 413, "BAD_USER_INPUT", "request body too large"},
		{"oversized chunked body", chunked, 413, "BAD_USER_INPUT", "request body too large"},
		{"no query", post(`{}`), 400, "GRAPHQL_VALIDATION_FAILED", "no operation provided"},
		{"parse error", postQuery(`{ communities {`, nil), 400, "GRAPHQL_PARSE_FAILED", "Expected Name"},
		{"unknown field", postQuery(`{ nope }`, nil), 400, "GRAPHQL_VALIDATION_FAILED", `Cannot query field "nope"`},
		{"mutation of an unknown field", postQuery(`mutation { launchRockets }`, nil), 400, "GRAPHQL_VALIDATION_FAILED", "launchRockets"},
		{"variable of wrong type", postQuery(`query($n: Int) { communities(first: $n) { totalCount } }`, map[string]any{"n": "x"}), 400, "BAD_USER_INPUT", "Int"},
		{"missing variable", postQuery(`query($n: Int!) { communities(first: $n) { totalCount } }`, nil), 400, "BAD_USER_INPUT", "must be defined"},
		{"unknown operation name", post(`{"query":"query A { __typename }","operationName":"B"}`), 400, "GRAPHQL_VALIDATION_FAILED", "operation B not found"},
		{"node(id: garbage)", postQuery(`{ node(id: "garbage") { id } }`, nil), 200, "BAD_USER_INPUT", `argument "id": "garbage" is not a valid ID`},
		{"node(id: $id) garbage", postQuery(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "garbage"}), 200, "BAD_USER_INPUT", "not a valid ID"},
		{"nodes(ids: [.., garbage])", postQuery(`{ nodes(ids: ["1", "garbage"]) { id } }`, nil), 200, "BAD_USER_INPUT", `argument "ids"`},
		{"node not found", postQuery(`{ node(id: "999999999999") { id } }`, nil), 200, "NOT_FOUND", "not found"},
		{"first: 1000", postQuery(`{ communities(first: 1000) { totalCount } }`, nil), 400, "BAD_USER_INPUT", "first must be between 0 and 100"},
		{"last: -1", postQuery(`{ communities(last: -1) { totalCount } }`, nil), 400, "BAD_USER_INPUT", "last must be between 0 and 100"},
		{"first: $n = 101", postQuery(`query($n: Int) { communities(first: $n) { totalCount } }`, map[string]any{"n": 101}), 400, "BAD_USER_INPUT", "first must be between 0 and 100"},
		{"nested first: 101", postQuery(`{ streets(first: 1) { edges { node { communities(first: 101) { totalCount } } } } }`, nil), 400, "BAD_USER_INPUT", "first must be between"},
		{"first in a fragment", postQuery(`{ ...Q } fragment Q on Query { communities(first: 500) { totalCount } }`, nil), 400, "BAD_USER_INPUT", "first must be between"},
		{"first and last", postQuery(`{ communities(first: 1, last: 1) { totalCount } }`, nil), 400, "BAD_USER_INPUT", "first and last"},
		{"too deep", postQuery(tooDeep, nil), 400, "BAD_USER_INPUT", "depth 17, which exceeds the limit of 15"},
		{"too complex", postQuery(tooComplex, nil), 400, "BAD_USER_INPUT", "complexity 30302, which exceeds the limit of 10000"},
		{"mutation over GET", get(url.Values{"query": {"mutation { __typename }"}}), 405, "BAD_USER_INPUT", "GET requests only allow queries"},
		{"subscription over GET", get(url.Values{"query": {"subscription S { __typename }"}, "operationName": {"S"}}), 405, "BAD_USER_INPUT", "GET requests only allow queries"},
		{"GET without query", get(nil), 400, "GRAPHQL_VALIDATION_FAILED", "no operation provided"},
		{"GET bad variables", get(url.Values{"query": {"{ __typename }"}, "variables": {"{"}}), 400, "BAD_USER_INPUT", "variables parameter"},
		{"GET first: 1000", get(url.Values{"query": {"{ communities(first: 1000) { totalCount } }"}}), 400, "BAD_USER_INPUT", "first must be between"},
		{"unsupported content type", func() *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`query=x`))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return req
		}(), 415, "BAD_USER_INPUT", "application/json"},
		{"PUT", httptest.NewRequest(http.MethodPut, "/graphql", nil), 405, "BAD_USER_INPUT", "not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := serve(t, h, tc.req)
			if r.status != tc.status || r.code() != tc.code || !strings.Contains(r.message(), tc.msg) {
				t.Errorf("got %d %s %q, want %d %s %q\n%s", r.status, r.code(), r.message(), tc.status, tc.code, tc.msg, r.raw)
			}
			for _, e := range r.Errors {
				if e.Extensions["code"] == nil {
					t.Errorf("error without a code: %s", r.raw)
				}
			}
			if tc.status != http.StatusOK && strings.Contains(r.raw, `"data"`) {
				t.Errorf("a request that was not executed has data: %s", r.raw)
			}
			if want, ok := inputFields[tc.name]; ok && (len(r.Errors) == 0 || r.Errors[0].Extensions["field"] != want) {
				t.Errorf("extensions.field: want %q\n%s", want, r.raw)
			}
			assertServing(t, h)
		})
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("bad input was logged as an internal error:\n%s", logs)
	}
}

func TestRequestBodyNeverEchoed(t *testing.T) {
	opts, _ := testOptions(t)
	h := New(opts)
	r := serve(t, h, post(`{"query": "{ __typename }", "secret-token-123": 1`))
	if r.status != http.StatusBadRequest || strings.Contains(r.raw, "secret-token-123") {
		t.Errorf("got %d %s", r.status, r.raw)
	}
}

func TestGETQuery(t *testing.T) {
	opts, _ := testOptions(t)
	h := New(opts)
	r := serve(t, h, get(url.Values{"query": {`query Q($n: Int) { communities(first: $n) { totalCount } }`}, "variables": {`{"n": 5}`}}))
	if r.status != http.StatusOK || len(r.Errors) != 0 || string(r.Data) != `{"communities":{"totalCount":0}}` {
		t.Errorf("got %d %s", r.status, r.raw)
	}
	// A query whose text merely contains the word "mutation" is a query.
	r = serve(t, h, get(url.Values{"query": {`query mutationFree { __typename }`}}))
	if r.status != http.StatusOK || len(r.Errors) != 0 {
		t.Errorf("got %d %s", r.status, r.raw)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, get(url.Values{"query": {"mutation { __typename }"}}))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" {
		t.Errorf("mutation over GET: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestOptions(t *testing.T) {
	opts, _ := testOptions(t)
	rec := httptest.NewRecorder()
	New(opts).ServeHTTP(rec, httptest.NewRequest(http.MethodOptions, "/graphql", nil))
	if rec.Code != http.StatusNoContent || !strings.Contains(rec.Header().Get("Allow"), "POST") {
		t.Errorf("OPTIONS: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestDevelopment(t *testing.T) {
	opts, _ := testOptions(t)
	h := New(opts)

	r := serve(t, h, postQuery(introspectionQuery, nil))
	if r.status != http.StatusOK || len(r.Errors) != 0 || !strings.Contains(string(r.Data), `"name":"Community"`) {
		t.Errorf("introspection: %d %.300s", r.status, r.raw)
	}
	r = serve(t, h, postQuery(`{ communitie { totalCount } }`, nil))
	if !strings.Contains(r.message(), `Did you mean "communities"?`) {
		t.Errorf("development should suggest fields: %s", r.raw)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "/graphiql/graphiql.js") {
		t.Errorf("GraphiQL: %d %.200s", rec.Code, rec.Body.String())
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") {
		t.Errorf("GraphiQL's CSP allows scripts from elsewhere: %q", csp)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/graphiql/start.js", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "createFetcher") {
		t.Errorf("GraphiQL's start.js: %d %.200s", rec.Code, rec.Body.String())
	}
}

func TestProduction(t *testing.T) {
	opts, _ := testOptions(t)
	opts.Production = true
	h := New(opts)

	for _, q := range []string{
		introspectionQuery,
		`{ __schema { queryType { name } } }`,
		`{ __type(name: "Community") { name } }`,
		`{ ...F } fragment F on Query { __schema { types { name } } }`,
	} {
		r := serve(t, h, postQuery(q, nil))
		if r.status != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" || r.message() != "introspection is disabled" {
			t.Errorf("introspection %.40q: %d %s", q, r.status, r.raw)
		}
	}
	for _, q := range []string{
		`{ communitie { totalCount } }`,
		`{ communities { totalCount edge { cursor } } }`,
		`{ communities(frist: 1) { totalCount } }`,
		`{ communities(orderBy: {field: NAM}) { totalCount } }`,
		`query($w: CommunityWhereInpt) { communities(where: $w) { totalCount } }`,
		`{ communities(where: {nameContain: "x"}) { totalCount } }`,
	} {
		r := serve(t, h, postQuery(q, nil))
		if r.status != http.StatusBadRequest || r.code() != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(r.raw, "Did you mean") {
			t.Errorf("%s: %d %s", q, r.status, r.raw)
		}
	}
	if r := serve(t, h, postQuery(`{ __typename communities { totalCount } }`, nil)); r.status != http.StatusOK || len(r.Errors) != 0 {
		t.Errorf("__typename must work in production: %d %s", r.status, r.raw)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GraphiQL in production: %d", rec.Code)
	}
}

func TestHealth(t *testing.T) {
	opts, _ := testOptions(t)
	failing := errors.New("dial tcp 10.0.0.7:5432: connection refused")
	for _, tc := range []struct {
		name   string
		path   string
		ready  func(context.Context) error
		status int
		body   string
	}{
		{"healthz", "/healthz", func(context.Context) error { return failing }, 200, "ok\n"},
		{"readyz without probe", "/readyz", nil, 200, "ready\n"},
		{"readyz ok", "/readyz", func(ctx context.Context) error { return nil }, 200, "ready\n"},
		{"readyz failing", "/readyz", func(context.Context) error { return failing }, 503, "not ready\n"},
		{"readyz slow", "/readyz", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, 503, "not ready\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := readyTimeout
			readyTimeout = 50 * time.Millisecond
			t.Cleanup(func() { readyTimeout = old })
			o := opts
			o.Ready = tc.ready
			rec := httptest.NewRecorder()
			New(o).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != tc.status || rec.Body.String() != tc.body {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tc.status, tc.body)
			}
		})
	}
}

func TestReadyzWithStore(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	h := New(Options{Schema: testSchema(s.Client, nil), Ready: s.Ping, Logger: slog.New(slog.DiscardHandler)})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("readyz with an open store: %d", rec.Code)
	}
	s.Close()
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed store: %d", rec.Code)
	}
}

func TestPanicInResolver(t *testing.T) {
	opts, logs := testOptions(t)
	h := withFieldMiddleware(opts, func(ctx context.Context, next graphql.Resolver) (any, error) {
		if graphql.GetFieldContext(ctx).Field.Name == "communities" {
			panic("secret panic detail")
		}
		return next(ctx)
	})
	r := serve(t, h, postQuery(`query Boom { communities { totalCount } }`, nil))
	if r.status != http.StatusOK || r.code() != "INTERNAL" || r.message() != "internal error" {
		t.Errorf("got %d %s", r.status, r.raw)
	}
	if strings.Contains(r.raw, "secret") {
		t.Errorf("the panic leaked: %s", r.raw)
	}
	if l := logs.String(); !strings.Contains(l, "secret panic detail") || !strings.Contains(l, "stack=") || !strings.Contains(l, "operation=Boom") {
		t.Errorf("the panic was not logged with its stack:\n%s", l)
	}
	assertServing(t, h)
}

func TestErrorsFromResolvers(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		code string
		msg  string
	}{
		{"internal", errors.New("pq: password authentication failed for user linli at 10.0.0.7"), "INTERNAL", "internal error"},
		{"wrapped apperr", fmt.Errorf("checking: %w", apperr.New(apperr.Forbidden, "only grid workers may do this")), "FORBIDDEN", "only grid workers may do this"},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), "INTERNAL", "internal error"},
		{"privacy deny", privacy.Denyf("viewer %d may not see grid 7", 3), "NOT_FOUND", "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts, logs := testOptions(t)
			h := withFieldMiddleware(opts, func(ctx context.Context, next graphql.Resolver) (any, error) {
				if graphql.GetFieldContext(ctx).Field.Name == "communities" {
					return nil, tc.err
				}
				return next(ctx)
			})
			r := serve(t, h, postQuery(`{ communities { totalCount } }`, nil))
			if r.status != http.StatusOK || r.code() != tc.code || r.message() != tc.msg {
				t.Errorf("got %d %s", r.status, r.raw)
			}
			if tc.code == "INTERNAL" {
				if strings.Contains(r.raw, "10.0.0.7") || strings.Contains(r.raw, "deadline") {
					t.Errorf("internal detail leaked: %s", r.raw)
				}
				if !strings.Contains(logs.String(), tc.err.Error()) {
					t.Errorf("internal error not logged:\n%s", logs)
				}
			}
			if strings.Contains(r.raw, "viewer 3") {
				t.Errorf("denial detail leaked: %s", r.raw)
			}
		})
	}
}

func TestRequestLog(t *testing.T) {
	opts, logs := testOptions(t)
	h := New(opts)
	serve(t, h, postQuery(`query Named { __typename }`, nil))
	l := logs.String()
	for _, want := range []string{"http request", "method=POST", "path=/graphql", "status=200", "duration_ms=", "operation=Named"} {
		if !strings.Contains(l, want) {
			t.Errorf("request log lacks %q:\n%s", want, l)
		}
	}
}
