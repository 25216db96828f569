package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/jimei-linli/linli/internal/viewer"
)

// TestRequestLogLine checks what a request's log line carries: the
// client's X-Request-Id (echoed back) or a new one, the operation, the
// viewer's resident id, the first error's code, and
// the duration in milliseconds.
func TestRequestLogLine(t *testing.T) {
	opts, logs := testOptions(t)
	opts.Authenticate = func(r *http.Request) (context.Context, error) {
		return viewer.NewContext(r.Context(), &viewer.Viewer{ResidentID: 42}), nil
	}
	h := New(opts)

	req := postQuery(`query Named { __typename }`, nil)
	req.Header.Set("X-Request-Id", "lb-7f3a")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("X-Request-Id"); got != "lb-7f3a" {
		t.Errorf("X-Request-Id returned %q, want the client's", got)
	}
	line := logLine(t, logs.String(), "request_id=lb-7f3a")
	for _, want := range []string{"operation=Named", "resident=42", "status=200"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %q: %s", want, line)
		}
	}
	if !regexp.MustCompile(`duration_ms=\d+(\.\d+)?`).MatchString(line) {
		t.Errorf("log line lacks duration_ms: %s", line)
	}

	req = postQuery(`{ communitie { totalCount } }`, nil)
	req.Header.Set("X-Request-Id", "has space")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	id := rec.Header().Get("X-Request-Id")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
		t.Fatalf("made request id %q, want 32 hex digits", id)
	}
	line = logLine(t, logs.String(), "request_id="+id)
	if !strings.Contains(line, "code=GRAPHQL_VALIDATION_FAILED") {
		t.Errorf("log line lacks the error code: %s", line)
	}
}

// TestWebsocketLogLineAtClose checks that a websocket writes a line when it
// closes, with its request id and how long it lived.
func TestWebsocketLogLineAtClose(t *testing.T) {
	logs := &syncBuffer{}
	srv, _ := streamServer(t, Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	c := dial(t, srv, subprotocolTransportWS, &websocket.DialOptions{HTTPHeader: http.Header{"X-Request-Id": {"ws-1"}}})
	c.init(nil)
	c.c.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "websocket closed") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	line := logLine(t, logs.String(), "websocket closed")
	if !strings.Contains(line, "request_id=ws-1") || !regexp.MustCompile(`lifetime_ms=\d`).MatchString(line) {
		t.Errorf("websocket close line lacks request id or lifetime: %s", line)
	}
}

// logLine returns the first line of logs that contains s.
func logLine(t *testing.T, logs, s string) string {
	t.Helper()
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	t.Fatalf("no log line with %q:\n%s", s, logs)
	return ""
}
