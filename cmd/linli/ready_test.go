package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// status GETs url and returns the status code (0 when the request fails).
func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// eventually waits up to 5 s for GET url to answer want.
func eventually(t *testing.T, url string, want int) {
	t.Helper()
	got := 0
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got = status(t, url); got == want {
			return
		}
	}
	t.Fatalf("GET %s = %d; want %d", url, got, want)
}

// TestReadyzFailsWhileDraining stops the real server with a drain delay:
// between the signal and the listener's close /readyz answers 503 while
// the server still serves (/healthz and GraphQL answer).
func TestReadyzFailsWhileDraining(t *testing.T) {
	env := map[string]string{"LINLI_DATABASE_URL": t.TempDir() + "/linli.db", "LINLI_DRAIN_DELAY": "3s"}
	base, _, stop := startServerOut(t, env)
	if got := status(t, base+"/readyz"); got != http.StatusOK {
		t.Fatalf("GET /readyz before the signal = %d; want 200", got)
	}
	stop()
	eventually(t, base+"/readyz", http.StatusServiceUnavailable)
	if got := status(t, base+"/healthz"); got != http.StatusOK {
		t.Errorf("GET /healthz while draining = %d; want 200", got)
	}
	if r := postQuery(t, base, `{ streets { totalCount } }`); len(r.Errors) > 0 {
		t.Errorf("a query while draining: %+v", r.Errors)
	}
	eventually(t, base+"/healthz", 0) // then the listener closes
}

// TestReadyzChecksRedis serves with a Redis of the test's own: /readyz is
// 200 while it runs, 503 once it is gone, and 200 again when it is back.
func TestReadyzChecksRedis(t *testing.T) {
	r := startPrivateRedis(t)
	env := map[string]string{"LINLI_DATABASE_URL": t.TempDir() + "/linli.db", "LINLI_REDIS_URL": r.url()}
	base := startServer(t, env)
	eventually(t, base+"/readyz", http.StatusOK)
	r.stop()
	eventually(t, base+"/readyz", http.StatusServiceUnavailable)
	r.start()
	eventually(t, base+"/readyz", http.StatusOK)
}

// TestSignInWhileRedisIsDown: with the shared rate limits' Redis stopped, a
// resident still gets a code and signs in (the limits fall back to the
// instance's own counts).
func TestSignInWhileRedisIsDown(t *testing.T) {
	r := startPrivateRedis(t)
	env := map[string]string{"LINLI_DATABASE_URL": t.TempDir() + "/linli.db", "LINLI_REDIS_URL": r.url()}
	base, out, _ := startServerOut(t, env)
	r.stop()
	const phone = "13912345678"
	if res := postQuery(t, base, `mutation { requestSignInCode(phone: "`+phone+`") { __typename } }`); len(res.Errors) > 0 {
		t.Fatalf("requestSignInCode while Redis is down: %+v", res.Errors)
	}
	m := regexp.MustCompile(`phone=` + phone + ` code=(\d{6})`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no code in the log:\n%s", out.String())
	}
	version := postQuery(t, base, `{ privacyNoticeVersion }`)
	var v struct{ PrivacyNoticeVersion string }
	if err := json.Unmarshal(version.Data, &v); err != nil {
		t.Fatal(err)
	}
	res := postQuery(t, base, `mutation { signIn(phone: "`+phone+`", code: "`+m[1]+`", acceptPrivacyNotice: "`+v.PrivacyNoticeVersion+`") { accessToken } }`)
	if len(res.Errors) > 0 || !strings.Contains(string(res.Data), "accessToken") {
		t.Fatalf("signIn while Redis is down: %s %+v", res.Data, res.Errors)
	}
}
