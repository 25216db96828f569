package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/store/storetest"
)

// TestPostgresOutage stops a private PostgreSQL under a running server:
// while it is down, reads answer UNAVAILABLE with retryAfter (not INTERNAL)
// and /readyz 503; once it is back, the first read succeeds soon (the time
// it takes is logged: the "PostgreSQL back to first success").
func TestPostgresOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a server against its own PostgreSQL")
	}
	pg := storetest.NewPrivatePostgres(t)
	bin := buildLinli(t)
	env := map[string]string{
		"LINLI_DATABASE_URL": pg.URL(),
		"LINLI_JWT_SECRET":   "outage-test-secret-outage-test-secret",
		"LINLI_LOG_LEVEL":    "error",
	}
	runLinli(t, env, []string{"migrate"})
	srv := startInstance(t, bin, env)
	const read = `{ communities(first: 1) { totalCount } }`
	if code, _ := outageRead(t, srv.url, read); code != "" {
		t.Fatalf("before the outage: %s", code)
	}

	pg.Stop()
	for range 3 { // the pool's connections die one by one: every read says so
		code, retry := outageRead(t, srv.url, read)
		if code != "UNAVAILABLE" || retry < 1 {
			t.Fatalf("while PostgreSQL is down: code %q retryAfter %v\n%s", code, retry, srv.out.String())
		}
	}
	if s := status(t, srv.url+"/readyz"); s != http.StatusServiceUnavailable {
		t.Errorf("/readyz answered %d while PostgreSQL was down", s)
	}

	pg.Start()
	back := time.Now()
	for {
		code, _ := outageRead(t, srv.url, read)
		if code == "" {
			break
		}
		if code != "UNAVAILABLE" {
			t.Fatalf("after PostgreSQL came back: %s", code)
		}
		if time.Since(back) > 30*time.Second {
			t.Fatal("no success within 30 s of PostgreSQL being back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("first success %v after PostgreSQL accepted connections again", time.Since(back).Round(time.Millisecond))
	eventually(t, srv.url+"/readyz", http.StatusOK)
}

// outageRead posts query and returns the first error's code ("" when it
// succeeded) and its retryAfter.
func outageRead(t *testing.T, base, query string) (string, float64) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	resp, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) == 0 {
		return "", 0
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	retry, _ := r.Errors[0].Extensions["retryAfter"].(float64)
	if code == "" {
		code = strings.TrimSpace(r.Errors[0].Message)
	}
	return code, retry
}
