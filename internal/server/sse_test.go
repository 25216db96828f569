package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	event string
	data  string
}

// sseStream is an open GraphQL-over-SSE response.
type sseStream struct {
	t    *testing.T
	resp *http.Response
	r    *bufio.Reader
}

// postSSE posts body to srv's /graphql, accepting an event stream, with
// the given Authorization header ("" for none).
func postSSE(t *testing.T, srv *httptest.Server, body, authorization string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// openSSE posts query and checks that the answer is an event stream.
func openSSE(t *testing.T, srv *httptest.Server, query, authorization string) *sseStream {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query})
	resp := postSSE(t, srv, string(b), authorization)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d, Content-Type %q: %s", resp.StatusCode, ct, body)
	}
	return &sseStream{t: t, resp: resp, r: bufio.NewReader(resp.Body)}
}

// next returns the next event, skipping comments (keepalives).
func (s *sseStream) next() sseEvent {
	s.t.Helper()
	type result struct {
		ev  sseEvent
		err error
	}
	done := make(chan result, 1)
	go func() {
		var ev sseEvent
		for {
			line, err := s.r.ReadString('\n')
			if err != nil {
				done <- result{err: err}
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				if ev != (sseEvent{}) {
					done <- result{ev: ev}
					return
				}
			case strings.HasPrefix(line, ":"):
			case strings.HasPrefix(line, "event: "):
				ev.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			s.t.Fatalf("reading the stream: %v", res.err)
		}
		return res.ev
	case <-time.After(5 * time.Second):
		s.resp.Body.Close()
		s.t.Fatal("no event within 5 s")
		return sseEvent{}
	}
}

// expect reads the next event and checks it.
func (s *sseStream) expect(event, data string) {
	s.t.Helper()
	if ev := s.next(); ev.event != event || (data != "" && ev.data != data) {
		s.t.Fatalf("got event %q %s, want %q %s", ev.event, ev.data, event, data)
	}
}

func TestSSESubscription(t *testing.T) {
	srv, schema := streamServer(t, Options{})
	s := openSSE(t, srv, "subscription { name }", "")
	schema.waitSubscribers(t, 1)
	schema.publish("a")
	s.expect("next", `{"data":{"name":"a"}}`)
	schema.publish("b")
	s.expect("next", `{"data":{"name":"b"}}`)
	schema.end()
	s.expect("complete", "")

	// Closing the stream ends the subscription.
	s = openSSE(t, srv, "subscription { name }", "")
	schema.waitSubscribers(t, 1)
	s.resp.Body.Close()
	schema.waitSubscribers(t, 0)
}

func TestSSEErrorsArePresented(t *testing.T) {
	srv, _ := streamServer(t, Options{MaxDepth: 3})
	s := openSSE(t, srv, "subscription { fail }", "")
	s.expect("next", `{"errors":[{"message":"not yours","extensions":{"code":"FORBIDDEN"}},`+
		`{"message":"internal error","extensions":{"code":"INTERNAL"}}],"data":{"fail":null}}`)
	s.expect("complete", "")

	s = openSSE(t, srv, "subscription { node { child { child { child { name } } } } }", "")
	ev := s.next()
	var resp struct{ Errors json.RawMessage }
	_ = json.Unmarshal([]byte(ev.data), &resp)
	assertCodes(t, resp.Errors, "BAD_USER_INPUT")
	s.expect("complete", "")
}

func TestSSEAuthentication(t *testing.T) {
	srv, _ := streamServer(t, Options{Authenticate: testAuthenticate})
	s := openSSE(t, srv, "subscription { viewer }", "Bearer alice")
	s.expect("next", `{"data":{"viewer":"alice"}}`)
	s.expect("complete", "")

	resp := postSSE(t, srv, `{"query": "subscription { viewer }"}`, "Bearer bad")
	var body response
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusUnauthorized || body.code() != "UNAUTHENTICATED" {
		t.Fatalf("bad token: status %d, code %q", resp.StatusCode, body.code())
	}
}

func TestSSEBadBody(t *testing.T) {
	srv, _ := streamServer(t, Options{MaxBodyBytes: 100})
	for _, tc := range []struct {
		body, want string
		status     int
	}{
		{`{"query": "{ name }", "secret": "hunter2"}`, "unknown request field", http.StatusBadRequest},
		{`{"query": "{ name }"`, "not valid JSON", http.StatusBadRequest},
		{`[{"query": "{ name }"}]`, "batched requests are not supported", http.StatusBadRequest},
		{`{"query": "` + strings.Repeat("x", 200) + `"}`, "too large", http.StatusRequestEntityTooLarge},
	} {
		resp := postSSE(t, srv, tc.body, "")
		raw, _ := io.ReadAll(resp.Body)
		var body response
		_ = json.Unmarshal(raw, &body)
		if resp.StatusCode != tc.status || body.code() != "BAD_USER_INPUT" || !strings.Contains(body.message(), tc.want) {
			t.Errorf("%s: status %d, %s", tc.body, resp.StatusCode, raw)
		}
		if strings.Contains(string(raw), "hunter2") {
			t.Errorf("the body was echoed: %s", raw)
		}
	}
}

// TestSSEAndPOST checks that the POST transport does not take SSE
// requests, and that SSE does not take plain POSTs.
func TestSSEAndPOST(t *testing.T) {
	srv, _ := streamServer(t, Options{})
	s := openSSE(t, srv, "{ name }", "")
	s.expect("next", `{"data":{"name":"test"}}`)
	s.expect("complete", "")

	resp, err := srv.Client().Post(srv.URL+"/graphql", "application/json", strings.NewReader(`{"query": "{ name }"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" || string(raw) != `{"data":{"name":"test"}}` {
		t.Fatalf("plain POST: %q %s", ct, raw)
	}
}
