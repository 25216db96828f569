// Package config holds Linli's configuration: every setting has a default, a
// LINLI_* environment variable and a command-line flag, and a flag wins over
// the environment, which wins over the default. The README's configuration
// table lists the same settings (a test keeps them in step).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Environment names the mode Linli runs in.
type Environment string

// The modes.
const (
	// Development turns on GraphiQL, introspection and readable logs.
	Development Environment = "development"
	// Production turns them off and logs JSON.
	Production Environment = "production"
)

// Config is Linli's configuration.
type Config struct {
	// Addr is the address the HTTP server listens on.
	Addr string
	// DatabaseURL is an SQLite file path (or ":memory:") or a postgres:// URL.
	DatabaseURL string
	// Env is development or production.
	Env Environment
	// MigrateOnStart applies pending PostgreSQL migrations when serving.
	MigrateOnStart bool
	// Demo loads the demo street when serving, if it is not there yet.
	Demo bool
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// MaxBodyBytes limits the size of a request body.
	MaxBodyBytes int64
	// MaxComplexity limits a query's complexity, counting list sizes.
	MaxComplexity int
	// MaxDepth limits how deeply a query may nest.
	MaxDepth int
	// MaxTokens, MaxOperations, MaxAliases, MaxFieldRepeats, MaxInputDepth,
	// MaxInputNodes and MaxFilterBranches bound a request's document and
	// input values (server.Limits).
	MaxTokens, MaxOperations, MaxAliases, MaxFieldRepeats int
	MaxInputDepth, MaxInputNodes, MaxFilterBranches       int
	// MaxSubscriptionsPerSocket, MaxSubscriptionsPerResident and
	// MaxSubscribesPerSecond bound websockets (server.Limits).
	MaxSubscriptionsPerSocket, MaxSubscriptionsPerResident, MaxSubscribesPerSecond int
	// ShutdownTimeout bounds how long a graceful shutdown waits for requests.
	ShutdownTimeout time.Duration
	// DrainDelay is how long serve keeps listening after SIGTERM with
	// /readyz answering 503, so load balancers stop sending it requests
	// before the listener closes.
	DrainDelay time.Duration
	// JWTSecret signs access tokens (at least 32 bytes). Development makes
	// one and keeps it beside the database; production requires it.
	JWTSecret string
	// AccessTokenTTL is how long an access token lives.
	AccessTokenTTL time.Duration
	// SMSWebhookURL is the SMS gateway sign-in codes are POSTed to; empty in
	// development means codes go to the log.
	SMSWebhookURL string
	// PushWebhookURL is the push gateway notifications for offline
	// residents' devices are POSTed to; empty means no push.
	PushWebhookURL string
	// RedisURL is the Redis shared by instances (rate limits); empty means
	// in process.
	RedisURL string
	// PrivacyNoticeVersion is the version residents accept at sign-in.
	PrivacyNoticeVersion string
	// AllowedOrigins are the browser origins that may open websockets and
	// call the API across origins (CORS).
	AllowedOrigins []string
	// TrustedProxies are the load balancers whose X-Forwarded-For names
	// the client address.
	TrustedProxies []netip.Prefix
	// GCPercent is the garbage collector's target (GOGC) for serve.
	GCPercent int
	// DebugAddr is the address of a private listener for pprof profiles
	// (and /metrics); empty turns it off.
	DebugAddr string
	// MetricsAddr is the address of a private listener for /metrics
	// alone; empty turns it off.
	MetricsAddr string
	// OTLPEndpoint is the OTLP/HTTP collector traces are exported to;
	// empty turns tracing off.
	OTLPEndpoint string
	// TraceSample is the share of new traces sampled (0 to 1).
	TraceSample float64
	// RedisPrefix starts every Redis key and the pub/sub channel, so that
	// deployments can share a Redis.
	RedisPrefix string
	// RequestDeadlines are the 54321 clock's stage deadlines by name
	// (RequestDeadlineNames).
	RequestDeadlines map[string]time.Duration
	// Retention is how long personal records are kept after they stop
	// being needed, by RetentionNames (internal/personaldata purges them).
	Retention map[string]time.Duration
	// AccessLogRetention is how long the access log (who read whose
	// sensitive records) is kept (internal/personaldata purges it).
	AccessLogRetention time.Duration
	// IdempotencyWindow is how long a used idempotency key is kept (at
	// least idempotency.MinWindow, 24 hours): a retry within it gets the
	// first call's result.
	IdempotencyWindow time.Duration
	// CareOfferTTL is how long a waitlisted person has to confirm a freed
	// care place before it is offered to the next one.
	CareOfferTTL time.Duration
	// CareCancelCutoff is how long before a care slot cancellation closes.
	CareCancelCutoff time.Duration
	// TimeBankCreditMinutes is how many minutes a resident's time-bank
	// account may owe (its balance never goes below minus this).
	TimeBankCreditMinutes int
	// HelpWidenAfter is how long a help request waits for an offer from
	// its grid's volunteers before the whole community hears of it.
	HelpWidenAfter time.Duration
	// CheckInGrace is how long before a volunteer task's window its
	// volunteers may check in.
	CheckInGrace time.Duration
}

// RequestDeadlineNames are the stages of the 54321 clock that
// LINLI_REQUEST_DEADLINES sets.
var RequestDeadlineNames = []string{"acknowledge", "contact", "resolve", "follow-up", "rating", "department-acknowledge"}

// RetentionNames name the retention windows: sign-in codes after they
// were sent, sessions after they expired, push records after they were
// delivered, notifications after they were read.
var RetentionNames = []string{"sign-in-codes", "sessions", "push-deliveries", "notifications"}

// parseDeadlines reads "name=duration,..." with names from
// RequestDeadlineNames; every name must be given once.
func parseDeadlines(v string) (map[string]time.Duration, error) {
	return parseDurations(v, RequestDeadlineNames)
}

// parseDurations reads "name=duration,..." with the given names; every
// name must be given once, with a positive duration.
func parseDurations(v string, names []string) (map[string]time.Duration, error) {
	m := map[string]time.Duration{}
	for _, part := range strings.Split(v, ",") {
		name, d, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("%q is not name=duration", part)
		}
		if !slices.Contains(names, name) {
			return nil, fmt.Errorf("unknown stage %q (stages: %s)", name, strings.Join(names, ", "))
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("stage %q is given twice", name)
		}
		dur, err := time.ParseDuration(d)
		if err != nil || dur <= 0 {
			return nil, fmt.Errorf("stage %q needs a positive duration, not %q", name, d)
		}
		m[name] = dur
	}
	for _, name := range names {
		if _, ok := m[name]; !ok {
			return nil, fmt.Errorf("stage %q is missing", name)
		}
	}
	return m, nil
}

// Production reports whether c runs in production mode.
func (c Config) Production() bool { return c.Env == Production }

// Setting describes one configuration setting: its flag, its environment
// variable, its default and what it does.
type Setting struct {
	Flag        string
	Env         string
	Default     string
	Description string
	set         func(c *Config, v string) error
}

// Settings lists every setting, in the order the README shows them.
var Settings = []Setting{
	{"addr", "LINLI_ADDR", ":8080", "Address the HTTP server listens on.",
		func(c *Config, v string) error { c.Addr = v; return nil }},
	{"database", "LINLI_DATABASE_URL", "linli.db", "An SQLite file path (created if missing; `:memory:` for a throw-away database) or a `postgres://` URL.",
		func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	{"env", "LINLI_ENV", "development", "`development` (GraphiQL, introspection, text logs) or `production` (none of them, JSON logs, secrets required).",
		func(c *Config, v string) error {
			switch Environment(v) {
			case Development, Production:
				c.Env = Environment(v)
				return nil
			}
			return fmt.Errorf("must be development or production, not %q", v)
		}},
	{"migrate", "LINLI_MIGRATE", "false", "Apply pending PostgreSQL migrations when `serve` starts (SQLite always migrates itself).",
		func(c *Config, v string) (err error) { c.MigrateOnStart, err = strconv.ParseBool(v); return err }},
	{"demo", "LINLI_DEMO", "false", "Load the demo street when `serve` starts, unless it is there already.",
		func(c *Config, v string) (err error) { c.Demo, err = strconv.ParseBool(v); return err }},
	{"log-level", "LINLI_LOG_LEVEL", "info", "Log level: `debug`, `info`, `warn` or `error`.",
		func(c *Config, v string) error {
			switch v {
			case "debug", "info", "warn", "error":
				c.LogLevel = v
				return nil
			}
			return fmt.Errorf("must be debug, info, warn or error, not %q", v)
		}},
	{"max-body-bytes", "LINLI_MAX_BODY_BYTES", "1048576", "Largest request body accepted, in bytes.",
		func(c *Config, v string) (err error) { c.MaxBodyBytes, err = positiveInt64(v); return err }},
	{"max-complexity", "LINLI_MAX_COMPLEXITY", "10000", "Largest query complexity accepted; list fields count `first` (or 100) times their selection.",
		func(c *Config, v string) (err error) { c.MaxComplexity, err = positiveInt(v); return err }},
	{"max-depth", "LINLI_MAX_DEPTH", "15", "Deepest field nesting a query may have.",
		func(c *Config, v string) (err error) { c.MaxDepth, err = positiveInt(v); return err }},
	{"max-tokens", "LINLI_MAX_TOKENS", "15000", "Most lexical tokens a GraphQL document may have.",
		func(c *Config, v string) (err error) { c.MaxTokens, err = positiveInt(v); return err }},
	{"max-operations", "LINLI_MAX_OPERATIONS", "10", "Most operations one GraphQL document may define.",
		func(c *Config, v string) (err error) { c.MaxOperations, err = positiveInt(v); return err }},
	{"max-aliases", "LINLI_MAX_ALIASES", "30", "Most aliased fields one GraphQL document may have.",
		func(c *Config, v string) (err error) { c.MaxAliases, err = positiveInt(v); return err }},
	{"max-field-repeats", "LINLI_MAX_FIELD_REPEATS", "10", "How many times one field (or alias) may be selected in one selection set, fragments included.",
		func(c *Config, v string) (err error) { c.MaxFieldRepeats, err = positiveInt(v); return err }},
	{"max-input-depth", "LINLI_MAX_INPUT_DEPTH", "10", "How deeply lists and input objects (e.g. `where` filters) may nest in one argument or variable.",
		func(c *Config, v string) (err error) { c.MaxInputDepth, err = positiveInt(v); return err }},
	{"max-input-nodes", "LINLI_MAX_INPUT_NODES", "2000", "Most input values (scalars, lists, objects) a request's arguments, or its variables, may hold.",
		func(c *Config, v string) (err error) { c.MaxInputNodes, err = positiveInt(v); return err }},
	{"max-filter-branches", "LINLI_MAX_FILTER_BRANCHES", "50", "Most boolean branches (`and`/`or` elements and `not`) one argument or variable may hold.",
		func(c *Config, v string) (err error) { c.MaxFilterBranches, err = positiveInt(v); return err }},
	{"max-subscriptions-per-socket", "LINLI_MAX_SUBSCRIPTIONS_PER_SOCKET", "20", "Most operations one websocket may run at once.",
		func(c *Config, v string) (err error) { c.MaxSubscriptionsPerSocket, err = positiveInt(v); return err }},
	{"max-subscriptions-per-resident", "LINLI_MAX_SUBSCRIPTIONS_PER_RESIDENT", "50", "Most operations one signed-in resident may run at once over all their websockets (per instance).",
		func(c *Config, v string) (err error) { c.MaxSubscriptionsPerResident, err = positiveInt(v); return err }},
	{"max-subscribes-per-second", "LINLI_MAX_SUBSCRIBES_PER_SECOND", "10", "How many subscribe (or start) messages a websocket may send a second; more are answered with an error and not run.",
		func(c *Config, v string) (err error) { c.MaxSubscribesPerSecond, err = positiveInt(v); return err }},
	{"shutdown-timeout", "LINLI_SHUTDOWN_TIMEOUT", "15s", "How long a graceful shutdown waits for requests in flight.",
		func(c *Config, v string) (err error) { c.ShutdownTimeout, err = time.ParseDuration(v); return err }},
	{"drain-delay", "LINLI_DRAIN_DELAY", "0s", "How long `serve` goes on serving after SIGINT or SIGTERM with `/readyz` answering 503 (draining), before it closes its listener and shuts down; behind a load balancer set it a little above the balancer's readiness interval times its failure threshold (e.g. `10s`).",
		func(c *Config, v string) (err error) {
			c.DrainDelay, err = time.ParseDuration(v)
			if err == nil && c.DrainDelay < 0 {
				err = errors.New("must not be negative")
			}
			return err
		}},
	{"jwt-secret", "LINLI_JWT_SECRET", "", "Secret that signs access tokens, at least 32 bytes. Required in production; development makes one and keeps it in `<database>.jwt-secret`.",
		func(c *Config, v string) error {
			if v != "" && len(v) < 32 {
				return fmt.Errorf("has %d bytes; it needs at least 32", len(v))
			}
			c.JWTSecret = v
			return nil
		}},
	{"access-token-ttl", "LINLI_ACCESS_TOKEN_TTL", "15m", "How long an access token lives.",
		func(c *Config, v string) (err error) { c.AccessTokenTTL, err = positiveDuration(v); return err }},
	{"sms-webhook-url", "LINLI_SMS_WEBHOOK_URL", "", "SMS gateway that sign-in codes are POSTed to as JSON. Required in production; development writes codes to the log.",
		func(c *Config, v string) error { c.SMSWebhookURL = v; return nil }},
	{"push-webhook-url", "LINLI_PUSH_WEBHOOK_URL", "", "Push gateway that notifications for residents with no live subscription are POSTed to as JSON, one per device, with an `Idempotency-Key` header; empty turns push off.",
		func(c *Config, v string) error {
			if v != "" {
				if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return fmt.Errorf("must be an http(s) URL, not %q", v)
				}
			}
			c.PushWebhookURL = v
			return nil
		}},
	{"redis-url", "LINLI_REDIS_URL", "", "Redis shared by all instances (`redis://host:6379/0`): real-time fan-out, rate limits and push presence; empty keeps them in process (one instance).",
		func(c *Config, v string) error { c.RedisURL = v; return nil }},
	{"redis-prefix", "LINLI_REDIS_PREFIX", "linli:", "Start of every Redis key and of the real-time pub/sub channel (`<prefix>events`), so that deployments sharing one Redis (`linli-staging:`) neither hear each other's events nor share rate limits and presence. Every instance of one deployment must use the same prefix.",
		func(c *Config, v string) error {
			if v == "" || strings.ContainsAny(v, " \t\r\n*?[]") {
				return fmt.Errorf("must be non-empty, without spaces or glob characters, not %q", v)
			}
			c.RedisPrefix = v
			return nil
		}},
	{"privacy-notice-version", "LINLI_PRIVACY_NOTICE_VERSION", "2026-11-01", "Version of the privacy notice residents accept when they sign in.",
		func(c *Config, v string) error { c.PrivacyNoticeVersion = v; return nil }},
	{"allowed-origins", "LINLI_ALLOWED_ORIGINS", "", "Comma-separated browser origins (`https://app.example.cn`, `*.example.cn`) allowed to open websockets and to call the API from pages on other origins (CORS: only these get preflights answered and `Access-Control-Allow-Origin`). Websockets with it empty: any origin in development, same-origin only in production; CORS with it empty: no other origin. Native apps send no Origin and are always allowed.",
		func(c *Config, v string) error {
			c.AllowedOrigins = nil
			for _, o := range strings.Split(v, ",") {
				if o = strings.TrimSpace(o); o != "" {
					c.AllowedOrigins = append(c.AllowedOrigins, o)
				}
			}
			return nil
		}},
	{"trusted-proxies", "LINLI_TRUSTED_PROXIES", "", "Comma-separated CIDRs (`10.0.0.0/8`) or addresses of the load balancers in front of the server. From such a peer the client address, on which rate limits count, is the rightmost `X-Forwarded-For` hop that is not itself trusted; from any other peer the header is ignored. Empty: the TCP peer is the client.",
		func(c *Config, v string) (err error) { c.TrustedProxies, err = parsePrefixes(v); return err }},
	{"gc-percent", "LINLI_GC_PERCENT", "50", "Garbage-collector target for `serve` (as GOGC): how much the heap may grow over live data before a collection. Held websockets are mostly long-lived data, so 50 keeps each idle subscription under 40 KiB for a little more collector CPU; 100 is Go's default.",
		func(c *Config, v string) (err error) { c.GCPercent, err = positiveInt(v); return err }},
	{"debug-addr", "LINLI_DEBUG_ADDR", "", "Address of a private listener for Go's pprof profiles and the Prometheus metrics (`127.0.0.1:6060`, `/debug/pprof/` and `/metrics`), for measuring memory and CPU; empty turns it off. Never expose it beyond the host.",
		func(c *Config, v string) error { c.DebugAddr = v; return nil }},
	{"metrics-addr", "LINLI_METRICS_ADDR", "", "Address of a private listener that serves only the Prometheus metrics as `/metrics` (`10.0.0.5:9090`), for a scraper that must not reach pprof; empty turns it off (`LINLI_DEBUG_ADDR` serves them too). See docs/operations.md.",
		func(c *Config, v string) error { c.MetricsAddr = v; return nil }},
	{"otlp-endpoint", "LINLI_OTLP_ENDPOINT", "", "OpenTelemetry collector that traces are exported to over OTLP/HTTP (`http://10.0.0.7:4318`): spans for each GraphQL operation, its resolvers, SQL statements and Redis commands, and a `trace_id` in request log lines; empty turns tracing off. See docs/operations.md.",
		func(c *Config, v string) error {
			if v != "" {
				if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return fmt.Errorf("must be an http(s) URL, not %q", v)
				}
			}
			c.OTLPEndpoint = v
			return nil
		}},
	{"trace-sample", "LINLI_TRACE_SAMPLE", "1", "Share of new traces sampled when tracing is on, from 0 to 1 (`0.1`: one operation in ten); a request that carries a sampled `traceparent` is always traced.",
		func(c *Config, v string) (err error) {
			c.TraceSample, err = strconv.ParseFloat(v, 64)
			if err == nil && !(c.TraceSample >= 0 && c.TraceSample <= 1) {
				err = errors.New("must be between 0 and 1")
			}
			return err
		}},
	{"request-deadlines", "LINLI_REQUEST_DEADLINES", "acknowledge=5m,contact=4h,resolve=72h,follow-up=48h,rating=24h,department-acknowledge=24h",
		"Deadlines of the 54321 clock for residents' requests: claim (acknowledge), contact or visit, resolve (these three from filing), follow-up after resolution, rating after confirmation, and a called department's report. An overdue stage escalates to the grid leader, after as long again to the community admins, then to the street admins.",
		func(c *Config, v string) (err error) { c.RequestDeadlines, err = parseDeadlines(v); return err }},
	{"retention", "LINLI_RETENTION", "sign-in-codes=24h,sessions=720h,push-deliveries=168h,notifications=2160h",
		"How long personal records are kept once they are no longer needed, then purged: sign-in codes after they were sent, sessions after they expired, push records after they were delivered, notifications after they were read.",
		func(c *Config, v string) (err error) {
			c.Retention, err = parseDurations(v, RetentionNames)
			return err
		}},
	{"access-log-retention", "LINLI_ACCESS_LOG_RETENTION", "26280h",
		"How long the access log (which member of staff read whose care notes, incidents, child records, subsidy qualifications and personal details) is kept, then purged; 26280h is three years.",
		func(c *Config, v string) (err error) { c.AccessLogRetention, err = positiveDuration(v); return err }},
	{"idempotency-window", "LINLI_IDEMPOTENCY_WINDOW", "48h",
		"How long a used idempotency key is kept, then purged: a mutation retried with the same key within it returns the first call's result and does nothing again. At least 24h.",
		func(c *Config, v string) (err error) {
			c.IdempotencyWindow, err = time.ParseDuration(v)
			if err == nil && c.IdempotencyWindow < 24*time.Hour {
				err = errors.New("must be at least 24h: a retry within a day always gets the first result")
			}
			return err
		}},
	{"care-offer-ttl", "LINLI_CARE_OFFER_TTL", "30m", "How long a waitlisted family has to confirm a freed care place before it is offered to the next one.",
		func(c *Config, v string) (err error) { c.CareOfferTTL, err = positiveDuration(v); return err }},
	{"care-cancel-cutoff", "LINLI_CARE_CANCEL_CUTOFF", "2h", "How long before a care slot begins a booking can no longer be cancelled.",
		func(c *Config, v string) (err error) { c.CareCancelCutoff, err = positiveDuration(v); return err }},
	{"timebank-credit-minutes", "LINLI_TIMEBANK_CREDIT_MINUTES", "0", "How many minutes a resident's time-bank account may owe: balances never go below minus this (0: no debt).",
		func(c *Config, v string) (err error) {
			c.TimeBankCreditMinutes, err = strconv.Atoi(v)
			if err == nil && c.TimeBankCreditMinutes < 0 {
				err = errors.New("must not be negative")
			}
			return err
		}},
	{"help-widen-after", "LINLI_HELP_WIDEN_AFTER", "15m", "How long a help request waits for an offer from its grid's volunteers before the whole community's volunteers hear of it.",
		func(c *Config, v string) (err error) { c.HelpWidenAfter, err = positiveDuration(v); return err }},
	{"checkin-grace", "LINLI_CHECKIN_GRACE", "30m", "How long before a volunteer task's window its volunteers may check in; check-in closes at the window's end, and only time served inside the window is credited.",
		func(c *Config, v string) (err error) { c.CheckInGrace, err = positiveDuration(v); return err }},
}

// Load builds the configuration from the defaults, then the environment (read
// through getenv), then the flags in args. It returns the arguments left
// after the flags. A command with flags of its own registers them in
// commandFlags.
func Load(name string, args []string, getenv func(string) string, commandFlags ...func(*flag.FlagSet)) (Config, []string, error) {
	var c Config
	for _, s := range Settings {
		v, source := s.Default, "default"
		if e := getenv(s.Env); e != "" {
			v, source = e, s.Env
		}
		if err := s.set(&c, v); err != nil {
			return Config{}, nil, fmt.Errorf("%s (from %s): %w", s.Env, source, err)
		}
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, st := range Settings {
		var v flag.Value = settingValue{c: &c, s: st}
		if st.Default == "true" || st.Default == "false" {
			v = boolValue{v} // --demo means --demo=true
		}
		fs.Var(v, st.Flag, st.Description)
	}
	for _, register := range commandFlags {
		register(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, nil, err
		}
		return Config{}, nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, fs.Args(), nil
}

func positiveInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err == nil && n <= 0 {
		err = errors.New("must be positive")
	}
	return n, err
}

// positiveDuration parses a duration that must be above zero.
func positiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err == nil && d <= 0 {
		err = errors.New("must be positive")
	}
	return d, err
}

func positiveInt64(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err == nil && n <= 0 {
		err = errors.New("must be positive")
	}
	return n, err
}

// settingValue is the flag.Value of one setting.
type settingValue struct {
	c *Config
	s Setting
}

func (v settingValue) String() string     { return "" }
func (v settingValue) Set(x string) error { return v.s.set(v.c, x) }

// boolValue lets a boolean setting be given as a bare flag.
type boolValue struct{ flag.Value }

func (boolValue) IsBoolFlag() bool { return true }

// Usage writes the settings as a help text.
func Usage(w io.Writer) {
	for _, s := range Settings {
		fmt.Fprintf(w, "  --%s (%s, default %s)\n      %s\n", s.Flag, s.Env, s.Default, s.Description)
	}
}

// parsePrefixes parses comma-separated CIDRs ("10.0.0.0/8") or single
// addresses ("192.168.1.10", one host) into prefixes.
func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") {
			p, err := netip.ParsePrefix(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR", part)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR nor an address", part)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Defaults returns the configuration with every setting at its default:
// what a development server runs with, and what the API tests build their
// services from (internal/app).
func Defaults() Config {
	c, _, err := Load("linli", nil, func(string) string { return "" })
	if err != nil {
		panic("config: the defaults do not load: " + err.Error())
	}
	return c
}
