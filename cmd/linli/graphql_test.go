package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/apitest"
)

// notification is what the tests select of a notificationAdded event.
type notification struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Cursor string `json:"cursor"`
}

// nextNotification reads the next notificationAdded event of subscription 1.
func nextNotification(t *testing.T, w *apitest.WS, timeout time.Duration) notification {
	t.Helper()
	var p struct{ NotificationAdded notification }
	w.Next("1", timeout, &p)
	return p.NotificationAdded
}

const notificationSubscription = `subscription($since: Cursor) { notificationAdded(since: $since) { id title cursor } }`

// gql posts a GraphQL operation with a bearer token and decodes data into v.
func gql(t *testing.T, base, token, query string, vars map[string]any, v any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %s", firstLine(query), r.Errors[0].Message)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			t.Fatal(err)
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return fmt.Sprintf("%.60s", s)
}
