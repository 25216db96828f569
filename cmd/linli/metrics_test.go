package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
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
	base, out, _ := startServerOut(t, env)
	var url string
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := metricsURL.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("no metrics listener in the output:\n%s", out.String())
	}
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
		`linli_graphql_operations_total{code="BAD_USER_INPUT",operation="anonymous",type="unknown"} 1`,
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
