package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

var metricsURL = regexp.MustCompile(`metrics are served.*url=(http://\S+/metrics)`)

// scrape GETs the Prometheus text of url.
func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// TestMetricsCountOperations boots the real server with LINLI_METRICS_ADDR,
// runs a few operations and scrapes /metrics on the private listener: the
// requests, the operations by name and code, and the gauges of the
// outbox, the push queue, the database pool and Go's runtime are there,
// and client-chosen operation names beyond the cap are filed as "other".
func TestMetricsCountOperations(t *testing.T) {
	env := map[string]string{
		"LINLI_DATABASE_URL": t.TempDir() + "/linli.db",
		"LINLI_METRICS_ADDR": "127.0.0.1:0",
	}
	base, url := startWithMetrics(t, env)
	if resp, err := http.Get(strings.Replace(url, "/metrics", "/graphql", 1)); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("the metrics listener answers /graphql: %v %v", resp, err)
	}
	for range 3 {
		postQuery(t, base, `query Streets { streets { totalCount } }`)
	}
	postQuery(t, base, `{ streets { totalCount } }`)
	postQuery(t, base, `query Broken { noSuchField }`)
	for i := range 250 {
		postQuery(t, base, `query Q`+strings.Repeat("x", i%60)+string(rune('a'+i/60))+` { streets { totalCount } }`)
	}
	if _, err := http.Get(base + "/readyz"); err != nil {
		t.Fatal(err)
	}
	text := scrape(t, url)
	for _, want := range []string{
		`linli_graphql_operations_total{code="OK",operation="Streets",type="query"} 3`,
		`linli_graphql_operations_total{code="OK",operation="anonymous",type="query"} 1`,
		`linli_graphql_operations_total{code="GRAPHQL_VALIDATION_FAILED",operation="anonymous",type="unknown"} 1`,
		`linli_graphql_operation_duration_seconds_count{operation="Streets",type="query"} 3`,
		`linli_graphql_operations_total{code="OK",operation="other",type="query"}`,
		`linli_http_requests_total{method="POST",route="/graphql",status="200"}`,
		`linli_http_requests_total{method="GET",route="/readyz",status="200"} 1`,
		`linli_outbox_lag_seconds 0`,
		`linli_push_queue_depth 0`,
		`linli_websockets 0`,
		`linli_graphql_subscriptions 0`,
		`linli_hub_subscriptions 0`,
		`go_sql_open_connections{db_name="sqlite3"}`,
		`go_goroutines `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if n := strings.Count(text, "linli_graphql_operations_total{"); n > 210 {
		t.Errorf("%d operation series: the names are not capped", n)
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grepLines(text, "linli_"))
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// startWithMetrics boots the real server with env (which sets
// LINLI_METRICS_ADDR) and returns its base URL and its /metrics URL.
func startWithMetrics(t *testing.T, env map[string]string, args ...string) (base, url string) {
	t.Helper()
	base, out, _ := startServerOut(t, env, args...)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := metricsURL.FindStringSubmatch(out.String()); m != nil {
			return base, m[1]
		}
	}
	t.Fatalf("no metrics listener in the output:\n%s", out.String())
	return "", ""
}

// eventuallyScraped waits up to 5 s for /metrics at url to show every
// line of want.
func eventuallyScraped(t *testing.T, url string, want ...string) {
	t.Helper()
	var text string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		text = scrape(t, url)
		missing := false
		for _, w := range want {
			missing = missing || !strings.Contains(text, w)
		}
		if !missing {
			return
		}
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
	t.Logf("/metrics:\n%s", grepLines(text, "linli_"))
	t.FailNow()
}

// TestMetricsCountStreams: a websocket with a subscription shows in the
// gauges while it is open and leaves them when it closes; a broadcast is
// counted by the relay.
func TestMetricsCountStreams(t *testing.T) {
	env := map[string]string{
		"LINLI_DATABASE_URL": t.TempDir() + "/linli.db",
		"LINLI_METRICS_ADDR": "127.0.0.1:0",
	}
	base, url := startWithMetrics(t, env, "--demo")
	leader := tokenFor(t, env, seed.PhoneGridLeader)
	resident := tokenFor(t, env, seed.PhoneGuardian)
	grid := gridID(t, base, seed.GridShengguang01)
	ws := apitest.DialWS(t, base, resident)
	ws.Subscribe("1", `subscription Inbox($since: Cursor) { notificationAdded(since: $since) { id title cursor } }`, nil)
	eventuallyScraped(t, url, "linli_websockets 1\n", "linli_graphql_subscriptions 1\n",
		`linli_graphql_subscriptions_started_total{operation="Inbox"} 1`)
	gql(t, base, leader, sendBroadcast, map[string]any{"target": grid, "title": "metrics"}, nil)
	if n := nextNotification(t, ws, 10*time.Second); n.Title != "metrics" {
		t.Fatalf("got %+v", n)
	}
	// The relay counts a batch after publishing it, so the subscriber can
	// hear of the broadcast a moment before the count moves.
	text := scrape(t, url)
	for deadline := time.Now().Add(5 * time.Second); strings.Contains(text, "linli_outbox_published_total 0\n") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		text = scrape(t, url)
	}
	if strings.Contains(text, "linli_outbox_published_total 0\n") {
		t.Errorf("the relay published nothing:\n%s", grepLines(text, "linli_outbox"))
	}
	ws.Conn.CloseNow()
	eventuallyScraped(t, url, "linli_websockets 0\n", "linli_graphql_subscriptions 0\n")
}
