// Package apitest tests Linli's API end to end, the way an app uses it: over
// HTTP, with JSON bodies and bearer tokens, against the real GraphQL schema,
// the real sign-in service and the real privacy rules, on a fresh database
// of either backend.
//
// New starts an Env: an httptest server in front of server.New and
// graph.NewSchema, a sign-in service with a settable clock (Clock), an SMS
// gateway that keeps every code it is given (CodeInbox) and can be told to
// fail, an in-memory rate limiter (or Redis with a private key prefix), and
// a fixed signing secret (Secret) so that tests can forge tokens. Everything
// is closed when the test ends.
//
// A typical test:
//
//	func TestMe(t *testing.T) {
//		apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
//			token := e.TokenFor(t, seed.PhoneGridLeader)
//			r := e.Do(t, token, `{ me { name } }`, nil).Must(t)
//			if r.Value("me", "name") != "黃志強" {
//				t.Errorf("me: %s", r)
//			}
//		})
//	}
//
// or, to share one seeded database among Envs with their own clocks and
// rate limiters, storetest.Each with New and SeedDemo.
//
// Requests come from 127.0.0.1, so every request of an Env counts against
// the same per-address rate limits; the memory limiter reads Env.Clock, so
// tests move past a limit's window with Clock.Advance instead of sleeping.
//
// The suites of this package (sign-in, tokens, the authorization matrix,
// PIPL) are the acceptance tests of the sign-in issue; later issues add
// their own suites with this harness.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/community"
	"github.com/jimei-linli/linli/ent/department"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/ent/street"
	"github.com/jimei-linli/linli/graph"
	"github.com/jimei-linli/linli/internal/app"
	"github.com/jimei-linli/linli/internal/auth"
	"github.com/jimei-linli/linli/internal/config"
	"github.com/jimei-linli/linli/internal/ratelimit"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/server"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// EnvRedis names the Redis server that suites using WithRedisLimiter run
// against, e.g. redis://127.0.0.1:6379/0. Unset, those suites are skipped.
const EnvRedis = storetest.EnvRedis

// Secret is the signing secret of every Env: access tokens are HS256 JWTs
// signed with it, and tests forge tokens with it.
var Secret = []byte("apitest-signing-secret-0123456789-abcdef")

// The claims every Env's access tokens carry, and how long they live.
const (
	Issuer         = "linli"
	Audience       = "linli-app"
	AccessTokenTTL = 15 * time.Minute
)

// Env is a running Linli API over one database, with the knobs tests turn.
type Env struct {
	// Store is the database the server runs on.
	Store *store.Store
	// Client is Store.Client. Reading through it needs SystemCtx (or a
	// viewer's context): privacy rules apply to it as to the API.
	Client *ent.Client
	// URL is the server's base URL (http://127.0.0.1:port); GraphQL is at
	// URL + "/graphql".
	URL string
	// Clock is the Env's one clock: the business clock of every service
	// behind the schema (deadlines, cut-offs, slots), of the demo seed's
	// "today", the sign-in service, the access tokens, the websockets'
	// token expiry and the memory rate limiter. It starts at
	// testclock.Start() (or WithClockStart) and moves only when a test
	// moves it.
	Clock *Clock
	// Services are the services the server serves, built by internal/app
	// as serve builds them.
	Services *app.Services
	// Codes receives the sign-in codes the service sends.
	Codes *CodeInbox
	// Auth is the sign-in service the server authenticates with.
	Auth *auth.Service
	// Tokens signs and verifies the access tokens (with Secret).
	Tokens *auth.Tokens
	// Policy is the sign-in policy in force (auth.DefaultPolicy unless
	// WithPolicy changed it).
	Policy auth.Policy
	// Limiter is the rate limiter in force.
	Limiter ratelimit.Limiter
	// HTTP is the client requests go through.
	HTTP *http.Client
	// Hub, Relay and Outbox are the server's real-time backbone (an
	// in-process broker); the relay runs, and tests may Flush it.
	Hub    *realtime.Hub
	Relay  *realtime.Relay
	Outbox *realtime.Outbox

	logs *logBuffer
}

// Option changes how New builds an Env.
type Option func(*options)

type options struct {
	policy     auth.Policy
	start      time.Time
	redisURL   string
	limiter    ratelimit.Limiter
	serverOpts func(*server.Options)
	// creditMinutes is the time bank's configured credit
	// (LINLI_TIMEBANK_CREDIT_MINUTES).
	creditMinutes int
}

// WithTimeBankCredit configures the time bank as
// LINLI_TIMEBANK_CREDIT_MINUTES does: residents may owe up to minutes
// (0, no debt, by default).
func WithTimeBankCredit(minutes int) Option {
	return func(o *options) { o.creditMinutes = minutes }
}

// WithPolicy replaces the sign-in policy (auth.DefaultPolicy by default).
func WithPolicy(p auth.Policy) Option {
	return func(o *options) { o.policy = p }
}

// WithClockStart starts the Env's clock at start instead of the run's fixed
// instant, testclock.Start().
func WithClockStart(start time.Time) Option {
	return func(o *options) { o.start = start }
}

// WithRedisLimiter keeps rate limits in the Redis server at url, under a key
// prefix no other Env uses (removed when the test ends). Redis counts in
// real time: Clock.Advance does not end its windows.
func WithRedisLimiter(url string) Option {
	return func(o *options) { o.redisURL = url }
}

// WithLimiter uses l as the rate limiter.
func WithLimiter(l ratelimit.Limiter) Option {
	return func(o *options) { o.limiter = l }
}

// WithServerOptions lets f change the server's options (e.g. Production or
// the query limits) before the server starts. Schema, Authenticate and
// Logger are already set.
func WithServerOptions(f func(*server.Options)) Option {
	return func(o *options) { o.serverOpts = f }
}

// RedisURL returns the Redis server named by LINLI_TEST_REDIS_URL, and skips
// the test when it is not set.
func RedisURL(t testing.TB) string {
	t.Helper()
	return storetest.RedisURL(t)
}

// redisPrefixes numbers the Redis key prefixes of this process.
var redisPrefixes atomic.Int64

// New starts the API over s (usually from storetest.Each) and stops it when
// the test ends. The database is left as it is: call SeedDemo for the demo
// street.
func New(t testing.TB, s *store.Store, opts ...Option) *Env {
	t.Helper()
	o := options{policy: auth.DefaultPolicy, start: testclock.Start()}
	for _, opt := range opts {
		opt(&o)
	}
	e := &Env{
		Store:  s,
		Client: s.Client,
		Clock:  NewClock(o.start),
		Codes:  NewCodeInbox(),
		Policy: o.policy,
		logs:   &logBuffer{},
	}
	s.UseClock(e.Clock.Now) // the timestamps ent writes follow the Env's clock too
	switch {
	case o.limiter != nil:
		e.Limiter = o.limiter
	case o.redisURL != "":
		e.Limiter = newRedisLimiter(t, o.redisURL)
	default:
		e.Limiter = ratelimit.NewMemory(e.Clock.Now)
	}
	var err error
	e.Tokens, err = auth.NewTokens(Secret, Issuer, Audience, AccessTokenTTL, e.Clock.Now)
	if err != nil {
		t.Fatalf("apitest: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e.startRealtime(t, logger)
	e.Auth, err = auth.NewService(auth.Config{
		Client: s.Client, Tokens: e.Tokens, Sender: e.Codes, Limiter: e.Limiter,
		Policy: o.policy, Secret: Secret, Now: e.Clock.Now, Outbox: e.Outbox,
	})
	if err != nil {
		t.Fatalf("apitest: %v", err)
	}
	// The services as serve builds them (internal/app), from the default
	// configuration with the test's time-bank credit.
	cfg := config.Defaults()
	cfg.TimeBankCreditMinutes = o.creditMinutes
	e.Services = app.New(cfg, app.Parts{Client: s.Client, Now: e.Clock.Now, Hub: e.Hub, Outbox: e.Outbox, Auth: e.Auth, Limiter: e.Limiter})
	sopts := server.Options{
		Schema:           graph.NewSchema(e.Services),
		Authenticate:     e.Auth.Authenticate,
		AuthenticateInit: server.AuthenticateInitToken(e.Auth.AuthenticateToken),
		Now:              e.Clock.Now,
		WatchSession:     realtime.WatchSession(e.Hub),
		Ready:            s.Ping,
		Logger:           logger,
	}
	if o.serverOpts != nil {
		o.serverOpts(&sopts)
	}
	srv := httptest.NewServer(server.New(sopts))
	e.URL = srv.URL
	e.HTTP = srv.Client()
	e.HTTP.Timeout = 30 * time.Second
	t.Cleanup(func() {
		srv.Close()
		if logs := e.logs.tail(8 << 10); t.Failed() && logs != "" {
			t.Logf("apitest: server log (last 8 KiB):\n%s", logs)
		}
	})
	return e
}

// startRealtime runs a hub and a relay over an in-process broker until t ends.
func (e *Env) startRealtime(t testing.TB, logger *slog.Logger) {
	broker := realtime.NewMemory()
	e.Hub = realtime.NewHub(logger)
	e.Relay = realtime.NewRelay(e.Store, broker, logger)
	e.Outbox = realtime.NewOutbox(e.Relay, e.Clock.Now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { e.Hub.Run(ctx, broker); done <- struct{}{} }()
	go func() { e.Relay.Run(ctx); done <- struct{}{} }()
	for broker.Subscribers() == 0 {
		time.Sleep(time.Millisecond)
	}
	t.Cleanup(func() { cancel(); <-done; <-done })
}

// newRedisLimiter connects to the Redis server at url and returns a limiter
// under a fresh key prefix; the keys and the connection go when t ends.
func newRedisLimiter(t testing.TB, url string) ratelimit.Limiter {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("apitest: %s: %v", EnvRedis, err)
	}
	c := redis.NewClient(opt)
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		t.Fatalf("apitest: Redis at %s: %v", url, err)
	}
	prefix := fmt.Sprintf("linli-apitest:%d:%d:%d:", os.Getpid(), time.Now().UnixNano(), redisPrefixes.Add(1))
	t.Cleanup(func() {
		iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		c.Close()
	})
	return ratelimit.NewRedis(c, prefix)
}

// Logs returns what the server has logged so far (warnings and errors:
// internal errors, panics).
func (e *Env) Logs() string { return e.logs.String() }

// EachDemo runs fn on every backend (storetest.Each: SQLite, and PostgreSQL
// when LINLI_TEST_DATABASE_URL is set), each time with a new Env over a
// fresh database seeded with the demo street.
func EachDemo(t *testing.T, fn func(t *testing.T, e *Env), opts ...Option) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := New(t, s, opts...)
		e.SeedDemo(t)
		fn(t, e)
	})
}

// SeedDemo loads the demo street (seed.Demo) as the system, with "today"
// the day of the Env's clock.
func (e *Env) SeedDemo(t testing.TB) {
	t.Helper()
	if _, err := seed.Demo(e.SystemCtx(), e.Client, e.Clock.Now()); err != nil {
		t.Fatalf("apitest: seed: %v", err)
	}
}

// SystemCtx returns a context acting as the system, which privacy rules
// allow everything: for setting up and checking data behind the API's back.
func (e *Env) SystemCtx() context.Context {
	return viewer.SystemContext(context.Background())
}

// ---------------------------------------------------------------------------
// Requests

// Response is the answer to one GraphQL request.
type Response struct {
	// Status is the HTTP status.
	Status int
	// Header is the HTTP response header.
	Header http.Header
	// Body is the raw body.
	Body []byte
	// Data is the "data" member (null or absent: empty or "null").
	Data json.RawMessage `json:"data"`
	// Errors is the "errors" member.
	Errors []Error `json:"errors"`
	// Elapsed is how long the request took, sending to last byte.
	Elapsed time.Duration
}

// Error is one GraphQL error.
type Error struct {
	// Message is the message shown to clients.
	Message string `json:"message"`
	// Path is the response path of the field that failed.
	Path []any `json:"path"`
	// Extensions carries the error's code.
	Extensions ErrorExtensions `json:"extensions"`
}

// ErrorExtensions are the extensions of a GraphQL error.
type ErrorExtensions struct {
	// Code is the stable error code (internal/apperr).
	Code string `json:"code"`
	// Field names the input at fault, when the error is about one.
	Field string `json:"field"`
}

// Code returns the code of the first error, or "" when there is none.
func (r Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Extensions.Code
}

// Codes returns the code of every error, in order.
func (r Response) Codes() []string {
	codes := make([]string, len(r.Errors))
	for i, e := range r.Errors {
		codes[i] = e.Extensions.Code
	}
	return codes
}

// Field returns extensions.field of the first error, or "".
func (r Response) Field() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Extensions.Field
}

// Message returns the message of the first error, or "".
func (r Response) Message() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Message
}

// Decode unmarshals Data into v, failing the test if it cannot.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("apitest: decode data: %v\n%s", err, r)
	}
}

// Must fails the test unless the request answered 200 without errors, and
// returns r.
func (r Response) Must(t testing.TB) Response {
	t.Helper()
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("apitest: request failed: %s", r)
	}
	return r
}

// MustFail fails the test unless the first error has the given code, and
// returns r.
func (r Response) MustFail(t testing.TB, code string) Response {
	t.Helper()
	if r.Code() != code {
		t.Fatalf("apitest: want error %s, got %s", code, r)
	}
	return r
}

// Value returns the value in Data at path, a sequence of object keys
// (strings) and list indexes (ints), decoded as encoding/json decodes into
// any; nil when the path does not lead anywhere.
func (r Response) Value(path ...any) any {
	var v any
	if err := json.Unmarshal(r.Data, &v); err != nil {
		return nil
	}
	return Dig(v, path...)
}

// Dig walks a value decoded into any along path (object keys and list
// indexes); nil when the path does not lead anywhere.
func Dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		default:
			return nil
		}
	}
	return v
}

// String shows the status and the body, for failure messages.
func (r Response) String() string {
	body := r.Body
	if len(body) > 4096 {
		body = append(body[:4096:4096], "…"...)
	}
	return fmt.Sprintf("HTTP %d: %s", r.Status, body)
}

// Do posts query with vars to /graphql, with `Authorization: Bearer token`
// unless token is empty (an anonymous request).
func (e *Env) Do(t testing.TB, token, query string, vars map[string]any) Response {
	t.Helper()
	authorization := ""
	if token != "" {
		authorization = "Bearer " + token
	}
	return e.DoAuthorization(t, authorization, query, vars)
}

// DoAuthorization posts query with vars to /graphql with the given
// Authorization header value (none when empty), for tests of malformed
// credentials.
func (e *Env) DoAuthorization(t testing.TB, authorization, query string, vars map[string]any) Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatalf("apitest: marshal request: %v", err)
	}
	h := http.Header{}
	if authorization != "" {
		h.Set("Authorization", authorization)
	}
	return e.Post(t, h, body)
}

// Post sends body as a JSON POST to /graphql with the extra headers h and
// decodes the answer (asking for application/graphql-response+json unless h
// names an Accept). A body that is not JSON (say, from the HTTP server
// refusing the request) is kept in Body with Data and Errors empty.
func (e *Env) Post(t testing.TB, h http.Header, body []byte) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("apitest: %v", err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	if req.Header.Get("Accept") == "" {
		// As urql and Apollo Client ask: the GraphQL-over-HTTP media type,
		// whose request errors have 4xx statuses.
		req.Header.Set("Accept", "application/graphql-response+json, application/json;q=0.9")
	}
	start := time.Now()
	resp, err := e.HTTP.Do(req)
	if err != nil {
		t.Fatalf("apitest: POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("apitest: read the response: %v", err)
	}
	r := Response{Status: resp.StatusCode, Header: resp.Header, Body: raw, Elapsed: time.Since(start)}
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "application/graphql-response+json") {
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("apitest: the response is not GraphQL JSON: %v\n%s", err, r)
		}
	}
	return r
}

// ---------------------------------------------------------------------------
// Signing in

// RequestCode runs requestSignInCode for phone, fails the test unless it
// succeeds, and returns the code the gateway received.
func (e *Env) RequestCode(t testing.TB, phone string) string {
	t.Helper()
	e.Do(t, "", `mutation($p: String!) { requestSignInCode(phone: $p) { expiresAt } }`,
		map[string]any{"p": phone}).Must(t)
	return e.Codes.Code(t, phone)
}

// SignIn signs in the way an app does: requestSignInCode, the code from the
// inbox, then signIn accepting the current privacy notice. It returns the
// access and refresh tokens. A phone Linli does not know becomes a new
// resident. Code requests for one phone are limited to one a minute: to sign
// the same phone in again, Clock.Advance(time.Minute) first.
func (e *Env) SignIn(t testing.TB, phone string) (access, refresh string) {
	t.Helper()
	code := e.RequestCode(t, phone)
	r := e.Do(t, "", SignInMutation, map[string]any{
		"phone": phone, "code": code, "notice": e.Policy.PrivacyNoticeVersion,
	}).Must(t)
	var out struct {
		SignIn struct{ AccessToken, RefreshToken string }
	}
	r.Decode(t, &out)
	if out.SignIn.AccessToken == "" || out.SignIn.RefreshToken == "" {
		t.Fatalf("apitest: signIn gave no tokens: %s", r)
	}
	return out.SignIn.AccessToken, out.SignIn.RefreshToken
}

// SignInMutation is the signIn mutation the harness sends, with variables
// phone, code and notice.
const SignInMutation = `mutation($phone: String!, $code: String!, $notice: String!) {
  signIn(phone: $phone, code: $code, acceptPrivacyNotice: $notice) {
    accessToken refreshToken expiresAt resident { id name }
  }
}`

// TokenFor returns an access token for the resident with phone under a new
// session, without the sign-in flow (auth.Service.TokenFor): the fast path
// for tests that need many viewers.
func (e *Env) TokenFor(t testing.TB, phone string) string {
	t.Helper()
	token, err := e.Auth.TokenFor(context.Background(), phone)
	if err != nil {
		t.Fatalf("apitest: token for %s: %v", phone, err)
	}
	return token
}

// DemoTokens returns an access token for every demo account
// (seed.DemoAccounts), by phone, each under its own session. The demo street
// must be seeded.
func (e *Env) DemoTokens(t testing.TB) map[string]string {
	t.Helper()
	tokens := make(map[string]string, len(seed.DemoAccounts))
	for _, a := range seed.DemoAccounts {
		tokens[a.Phone] = e.TokenFor(t, a.Phone)
	}
	return tokens
}

// ---------------------------------------------------------------------------
// IDs and counts, read as the system

// ID returns an entity ID as the API writes it (a GraphQL ID is a string).
func ID(id int) string { return strconv.Itoa(id) }

// MissingID returns an ID of the same type as id (the same global-ID range)
// that no row has: what "not found" looks like for that type.
func MissingID(id int) int { return id>>32<<32 + 1<<31 }

// ResidentID returns the ID of the live resident who signs in with phone.
func (e *Env) ResidentID(t testing.TB, phone string) int {
	t.Helper()
	id, err := e.Client.Resident.Query().
		Where(resident.HasPersonalInfoWith(personalinfo.Phone(phone)), resident.DeletedAtIsNil()).
		OnlyID(e.SystemCtx())
	if err != nil {
		t.Fatalf("apitest: resident with phone %s: %v", phone, err)
	}
	return id
}

// PersonalInfoID returns the ID of the personal details with phone.
func (e *Env) PersonalInfoID(t testing.TB, phone string) int {
	t.Helper()
	id, err := e.Client.PersonalInfo.Query().Where(personalinfo.Phone(phone)).OnlyID(e.SystemCtx())
	if err != nil {
		t.Fatalf("apitest: personal info with phone %s: %v", phone, err)
	}
	return id
}

// HouseholdID returns the household of the resident with the given ID, or 0
// when they are in none.
func (e *Env) HouseholdID(t testing.TB, residentID int) int {
	t.Helper()
	r, err := e.Client.Resident.Get(e.SystemCtx(), residentID)
	if err != nil {
		t.Fatalf("apitest: resident %d: %v", residentID, err)
	}
	if r.HouseholdID == nil {
		return 0
	}
	return *r.HouseholdID
}

// PlaceID returns the place of the household with the given ID.
func (e *Env) PlaceID(t testing.TB, householdID int) int {
	t.Helper()
	h, err := e.Client.Household.Get(e.SystemCtx(), householdID)
	if err != nil {
		t.Fatalf("apitest: household %d: %v", householdID, err)
	}
	return h.PlaceID
}

// GridOfPlace returns the grid of the place with the given ID.
func (e *Env) GridOfPlace(t testing.TB, placeID int) int {
	t.Helper()
	p, err := e.Client.Place.Get(e.SystemCtx(), placeID)
	if err != nil {
		t.Fatalf("apitest: place %d: %v", placeID, err)
	}
	return p.GridID
}

// StreetID returns the ID of the street with the given code (e.g. seed.StreetCode).
func (e *Env) StreetID(t testing.TB, code string) int {
	t.Helper()
	id, err := e.Client.Street.Query().Where(street.Code(code)).OnlyID(e.SystemCtx())
	if err != nil {
		t.Fatalf("apitest: street %s: %v", code, err)
	}
	return id
}

// CommunityID returns the ID of the community with the given code.
func (e *Env) CommunityID(t testing.TB, code string) int {
	t.Helper()
	id, err := e.Client.Community.Query().Where(community.Code(code)).OnlyID(e.SystemCtx())
	if err != nil {
		t.Fatalf("apitest: community %s: %v", code, err)
	}
	return id
}

// GridID returns the ID of the grid with the given code (e.g. seed.GridShengguang01).
func (e *Env) GridID(t testing.TB, code string) int {
	t.Helper()
	id, err := e.Client.Grid.Query().Where(grid.Code(code)).OnlyID(e.SystemCtx())
	if err != nil {
		t.Fatalf("apitest: grid %s: %v", code, err)
	}
	return id
}

// DepartmentID returns the ID of the department with the given code.
func (e *Env) DepartmentID(t testing.TB, code string) int {
	t.Helper()
	id, err := e.Client.Department.Query().Where(department.Code(code)).OnlyID(e.SystemCtx())
	if err != nil {
		t.Fatalf("apitest: department %s: %v", code, err)
	}
	return id
}

// RoleID returns the ID of the role assignment of the given role (e.g.
// "GRID_LEADER") held by the resident who signs in with phone.
func (e *Env) RoleID(t testing.TB, phone, role string) int {
	t.Helper()
	id, err := e.Client.RoleAssignment.Query().
		Where(roleassignment.RoleEQ(roleassignment.Role(role)),
			roleassignment.HasResidentWith(resident.HasPersonalInfoWith(personalinfo.Phone(phone)))).
		OnlyID(e.SystemCtx())
	if err != nil {
		t.Fatalf("apitest: %s role of %s: %v", role, phone, err)
	}
	return id
}

// Counts returns the number of rows of every table, read as the system: a
// refused mutation must leave them as they were.
func (e *Env) Counts(t testing.TB) map[string]int {
	t.Helper()
	ctx := e.SystemCtx()
	c := e.Client
	counts := map[string]func(context.Context) (int, error){
		"streets":          c.Street.Query().Count,
		"communities":      c.Community.Query().Count,
		"grids":            c.Grid.Query().Count,
		"places":           c.Place.Query().Count,
		"households":       c.Household.Query().Count,
		"residents":        c.Resident.Query().Count,
		"personal_infos":   c.PersonalInfo.Query().Count,
		"departments":      c.Department.Query().Count,
		"role_assignments": c.RoleAssignment.Query().Count,
		"sign_in_codes":    c.SignInCode.Query().Count,
		"sessions":         c.Session.Query().Count,
		"consents":         c.Consent.Query().Count,
		"audit_records":    c.AuditRecord.Query().Count,
		"events":           c.Event.Query().Count,
		"notifications":    c.Notification.Query().Count,
		"broadcasts":       c.Broadcast.Query().Count,
		"devices":          c.Device.Query().Count,
		"push_deliveries":  c.PushDelivery.Query().Count,
	}
	out := make(map[string]int, len(counts))
	for name, count := range counts {
		n, err := count(ctx)
		if err != nil {
			t.Fatalf("apitest: count %s: %v", name, err)
		}
		out[name] = n
	}
	return out
}

// ---------------------------------------------------------------------------
// Clock

// Clock is a settable clock: it stands still until a test moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// ---------------------------------------------------------------------------
// Code inbox

// Message is one sign-in code the service handed to the gateway.
type Message struct {
	// Phone is the phone in canonical form.
	Phone string
	// Code is the code.
	Code string
	// ExpiresAt is when the service says the code expires.
	ExpiresAt time.Time
	// Delivered is false when the gateway was failing: the resident never
	// got the code.
	Delivered bool
	// Text is the SMS, in the language of its recipient (auth.CodeText).
	Text string
}

// CodeInbox is the SMS gateway of an Env (an auth.CodeSender): it keeps
// every code it is given, per phone, and fails on demand.
type CodeInbox struct {
	mu   sync.Mutex
	msgs map[string][]Message
	fail error
}

var _ auth.CodeSender = (*CodeInbox)(nil)

// NewCodeInbox returns an empty inbox that delivers.
func NewCodeInbox() *CodeInbox { return &CodeInbox{msgs: map[string][]Message{}} }

// SendCode implements auth.CodeSender: it records the code and fails with
// the error set by FailWith, if any.
func (b *CodeInbox) SendCode(ctx context.Context, phone, code string, expiresAt time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs[phone] = append(b.msgs[phone], Message{Phone: phone, Code: code, ExpiresAt: expiresAt, Delivered: b.fail == nil,
		Text: auth.CodeText(ctx, code, expiresAt)})
	return b.fail
}

// FailWith makes the gateway fail every send with err from now on; nil
// makes it deliver again.
func (b *CodeInbox) FailWith(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = err
}

// Last returns the last code handed over for phone (canonical form),
// delivered or not.
func (b *CodeInbox) Last(phone string) (Message, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.msgs[phone]
	if len(m) == 0 {
		return Message{}, false
	}
	return m[len(m)-1], true
}

// Code returns the last code delivered to phone, failing the test if none was.
func (b *CodeInbox) Code(t testing.TB, phone string) string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.msgs[phone]
	for i := len(m) - 1; i >= 0; i-- {
		if m[i].Delivered {
			return m[i].Code
		}
	}
	t.Fatalf("apitest: no sign-in code was delivered to %s", phone)
	return ""
}

// Delivered returns how many codes were delivered to phone.
func (b *CodeInbox) Delivered(phone string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, m := range b.msgs[phone] {
		if m.Delivered {
			n++
		}
	}
	return n
}

// ---------------------------------------------------------------------------

// logBuffer is the server's log sink, shared by concurrent requests.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail returns the last n bytes of the log.
func (b *logBuffer) tail(n int) string {
	s := b.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}
