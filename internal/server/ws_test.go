package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/jimei-linli/linli/internal/apperr"
)

// streamServer serves opts over a new stream schema (opts.Schema is
// replaced), logging nowhere.
func streamServer(t *testing.T, opts Options) (*httptest.Server, *streamSchema) {
	t.Helper()
	schema := newStreamSchema()
	opts.Schema = schema.executable()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv := httptest.NewServer(New(opts))
	t.Cleanup(srv.Close)
	return srv, schema
}

// testAuthenticate is an Options.Authenticate: "Bearer <name>" is the
// viewer <name>, "Bearer bad" is refused.
func testAuthenticate(r *http.Request) (context.Context, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return r.Context(), nil
	}
	name, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || name == "bad" {
		return nil, apperr.New(apperr.Unauthenticated, "bad token")
	}
	return context.WithValue(r.Context(), testViewerKey{}, name), nil
}

// testAuthenticateInit is an Options.AuthenticateInit: the token is the
// viewer's name, expiring at expires; "bad" is refused and "boom" fails
// inside.
func testAuthenticateInit(expires time.Time) func(context.Context, map[string]any) (context.Context, time.Time, error) {
	return AuthenticateInitToken(func(ctx context.Context, token string) (context.Context, time.Time, error) {
		switch token {
		case "bad":
			return nil, time.Time{}, apperr.New(apperr.Unauthenticated, "bad token")
		case "boom":
			return nil, time.Time{}, errors.New("database is down")
		}
		return context.WithValue(ctx, testViewerKey{}, token), expires, nil
	})
}

// wsClient is a test client of one websocket.
type wsClient struct {
	t *testing.T
	c *websocket.Conn
}

// dial opens a websocket to srv's /graphql with the given subprotocol
// ("" for none) and dial options.
func dial(t *testing.T, srv *httptest.Server, subprotocol string, opts *websocket.DialOptions) wsClient {
	t.Helper()
	c, err := tryDial(srv, subprotocol, opts)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return wsClient{t: t, c: c}
}

// tryDial opens a websocket, returning the handshake's error.
func tryDial(srv *httptest.Server, subprotocol string, opts *websocket.DialOptions) (*websocket.Conn, error) {
	if opts == nil {
		opts = &websocket.DialOptions{}
	}
	if subprotocol != "" {
		opts.Subprotocols = []string{subprotocol}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", opts)
	return c, err
}

// send sends a message of the given type, id and payload.
func (w wsClient) send(typ, id string, payload any) {
	w.t.Helper()
	m := map[string]any{"type": typ}
	if id != "" {
		m["id"] = id
	}
	if payload != nil {
		m["payload"] = payload
	}
	b, _ := json.Marshal(m)
	w.sendRaw(string(b))
}

// sendRaw sends text as it is.
func (w wsClient) sendRaw(text string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
		w.t.Fatalf("write %s: %v", text, err)
	}
}

// read returns the next message that is not a keepalive (ka, ping).
func (w wsClient) read() wsMessage {
	w.t.Helper()
	for {
		m, err := w.next()
		if err != nil {
			w.t.Fatalf("read: %v", err)
		}
		if m.Type != "ka" && m.Type != msgPing {
			return m
		}
	}
}

// next returns the next message.
func (w wsClient) next() (wsMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := w.c.Read(ctx)
	if err != nil {
		return wsMessage{}, err
	}
	var m wsMessage
	if err := json.Unmarshal(data, &m); err != nil {
		w.t.Fatalf("message is not JSON: %s", data)
	}
	return m, nil
}

// expect reads the next message and checks its type, id and payload (when
// payload is not "").
func (w wsClient) expect(typ, id, payload string) wsMessage {
	w.t.Helper()
	m := w.read()
	if m.Type != typ || m.ID != id || (payload != "" && string(m.Payload) != payload) {
		w.t.Fatalf("got %s %q %s, want %s %q %s", m.Type, m.ID, m.Payload, typ, id, payload)
	}
	return m
}

// expectClose reads until the socket closes and checks the close code;
// it returns the reason.
func (w wsClient) expectClose(code websocket.StatusCode) string {
	w.t.Helper()
	for {
		_, data, err := w.c.Read(context.Background())
		if err == nil {
			w.t.Logf("message before the close: %s", data)
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			w.t.Fatalf("socket ended with %v, want close code %d", err, code)
		}
		if ce.Code != code {
			w.t.Fatalf("close code %d %q, want %d", ce.Code, ce.Reason, code)
		}
		return ce.Reason
	}
}

// init sends connection_init with payload and expects the ack.
func (w wsClient) init(payload any) {
	w.t.Helper()
	w.send(msgConnectionInit, "", payload)
	w.expect(msgConnectionAck, "", "")
}

// subscribe sends a subscribe (start on graphql-ws) of query as id.
func (w wsClient) subscribe(typ, id, query string) {
	w.t.Helper()
	w.send(typ, id, map[string]any{"query": query})
}

func TestTransportWSSubscription(t *testing.T) {
	srv, schema := streamServer(t, Options{})
	c := dial(t, srv, subprotocolTransportWS, nil)
	if got := c.c.Subprotocol(); got != subprotocolTransportWS {
		t.Fatalf("subprotocol %q", got)
	}
	c.init(nil)

	c.subscribe(msgSubscribe, "1", "subscription { name }")
	schema.waitSubscribers(t, 1)
	schema.publish("a")
	c.expect(msgNext, "1", `{"data":{"name":"a"}}`)
	schema.publish("b")
	c.expect(msgNext, "1", `{"data":{"name":"b"}}`)
	schema.end()
	c.expect(msgComplete, "1", "")

	// Queries work too: one next, then complete.
	c.subscribe(msgSubscribe, "2", "{ name }")
	c.expect(msgNext, "2", `{"data":{"name":"test"}}`)
	c.expect(msgComplete, "2", "")

	// The client completes: the operation ends with no message, and the id
	// can be used again at once.
	c.subscribe(msgSubscribe, "3", "subscription { ticks }")
	c.expect(msgNext, "3", `{"data":{"ticks":"tick"}}`)
	c.send(msgComplete, "3", nil)
	c.subscribe(msgSubscribe, "3", "subscription { ticks }")
	c.expect(msgNext, "3", `{"data":{"ticks":"tick"}}`)
	c.send(msgComplete, "3", nil)
	schema.waitSubscribers(t, 0)

	// ping gets pong with the same payload.
	c.send(msgPing, "", map[string]any{"n": 1})
	c.expect(msgPong, "", `{"n":1}`)

	c.c.Close(websocket.StatusNormalClosure, "")
}

func TestTransportWSCloseCodes(t *testing.T) {
	subscription := map[string]any{"query": "subscription { name }"}
	for _, tc := range []struct {
		name string
		code websocket.StatusCode
		run  func(c wsClient)
	}{
		{"invalid JSON", closeBadRequest, func(c wsClient) {
			c.init(nil)
			c.sendRaw(`{"type": "subscribe"`)
		}},
		{"unknown type", closeBadRequest, func(c wsClient) {
			c.init(nil)
			c.send("start", "1", subscription)
		}},
		{"server message from the client", closeBadRequest, func(c wsClient) {
			c.init(nil)
			c.send(msgNext, "1", map[string]any{})
		}},
		{"subscribe without id", closeBadRequest, func(c wsClient) {
			c.init(nil)
			c.send(msgSubscribe, "", subscription)
		}},
		{"subscribe without payload", closeBadRequest, func(c wsClient) {
			c.init(nil)
			c.send(msgSubscribe, "1", nil)
		}},
		{"init payload not an object", closeBadRequest, func(c wsClient) {
			c.send(msgConnectionInit, "", []int{1})
		}},
		{"subscribe before ack", closeUnauthorized, func(c wsClient) {
			c.send(msgSubscribe, "1", subscription)
		}},
		{"bad token", closeForbidden, func(c wsClient) {
			c.send(msgConnectionInit, "", map[string]any{"authorization": "Bearer bad"})
		}},
		{"malformed authorization", closeForbidden, func(c wsClient) {
			c.send(msgConnectionInit, "", map[string]any{"authorization": "Basic YWxpY2U6eA=="})
		}},
		{"AuthenticateInit fails inside", closeInternalError, func(c wsClient) {
			c.send(msgConnectionInit, "", map[string]any{"token": "boom"})
		}},
		{"no connection_init", closeInitTimeout, func(wsClient) {}},
		{"duplicate id", closeSubscriberExists, func(c wsClient) {
			c.init(nil)
			c.send(msgSubscribe, "1", subscription)
			c.send(msgSubscribe, "1", subscription)
		}},
		{"second connection_init", closeTooManyInits, func(c wsClient) {
			c.init(nil)
			c.send(msgConnectionInit, "", nil)
		}},
		{"message too big", websocket.StatusMessageTooBig, func(c wsClient) {
			c.init(nil)
			c.send(msgSubscribe, "1", map[string]any{"query": "{ name }", "variables": map[string]any{"x": strings.Repeat("x", 2000)}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Only the case about the init timeout has a short one: on a
			// loaded machine the others must not close as timed out
			// before they are answered.
			initTimeout := 10 * time.Second
			if tc.code == closeInitTimeout {
				initTimeout = 100 * time.Millisecond
			}
			srv, _ := streamServer(t, Options{
				AuthenticateInit: testAuthenticateInit(time.Time{}),
				InitTimeout:      initTimeout,
				MaxBodyBytes:     1000,
			})
			c := dial(t, srv, subprotocolTransportWS, nil)
			tc.run(c)
			c.expectClose(tc.code)
		})
	}
	t.Run("unknown subprotocol", func(t *testing.T) {
		t.Parallel()
		srv, _ := streamServer(t, Options{})
		c := dial(t, srv, "graphql-sse", nil)
		c.expectClose(closeSubprotocol)
	})
}

func TestTransportWSDuplicateIDClosesOnlyWhileActive(t *testing.T) {
	srv, schema := streamServer(t, Options{})
	c := dial(t, srv, subprotocolTransportWS, nil)
	c.init(nil)
	c.subscribe(msgSubscribe, "1", "subscription { name }")
	schema.waitSubscribers(t, 1)
	schema.end()
	c.expect(msgComplete, "1", "")
	c.subscribe(msgSubscribe, "1", "{ name }") // the first has ended
	c.expect(msgNext, "1", `{"data":{"name":"test"}}`)
	c.expect(msgComplete, "1", "")
	c.subscribe(msgSubscribe, "2", "subscription { name }")
	schema.waitSubscribers(t, 1)
	c.subscribe(msgSubscribe, "2", "subscription { name }")
	if reason := c.expectClose(closeSubscriberExists); reason != "Subscriber for 2 already exists" {
		t.Errorf("reason %q", reason)
	}
	schema.waitSubscribers(t, 0) // closing ends the operations
}

func TestWebsocketViewer(t *testing.T) {
	srv, _ := streamServer(t, Options{
		Authenticate:     testAuthenticate,
		AuthenticateInit: testAuthenticateInit(time.Time{}),
	})
	for _, tc := range []struct {
		name    string
		payload any
		header  string
		want    string
	}{
		{"authorization", map[string]any{"authorization": "Bearer alice"}, "", "alice"},
		{"Authorization", map[string]any{"Authorization": "Bearer bob"}, "", "bob"},
		{"token", map[string]any{"token": "carol"}, "", "carol"},
		{"anonymous", nil, "", ""},
		{"empty authorization is anonymous", map[string]any{"authorization": ""}, "", ""},
		{"upgrade header", nil, "Bearer dave", "dave"},
		{"payload before header", map[string]any{"token": "erin"}, "Bearer dave", "erin"},
	} {
		for _, proto := range []string{subprotocolTransportWS, subprotocolGraphQLWS} {
			t.Run(tc.name+" "+proto, func(t *testing.T) {
				opts := &websocket.DialOptions{HTTPHeader: http.Header{}}
				if tc.header != "" {
					opts.HTTPHeader.Set("Authorization", tc.header)
				}
				c := dial(t, srv, proto, opts)
				c.init(tc.payload)
				start, data := msgSubscribe, msgNext
				if proto == subprotocolGraphQLWS {
					start, data = "start", "data"
				}
				c.subscribe(start, "1", "subscription { viewer }")
				want, _ := json.Marshal(map[string]any{"data": map[string]string{"viewer": tc.want}})
				c.expect(data, "1", string(want))
				c.expect(msgComplete, "1", "")
			})
		}
	}
	t.Run("bad upgrade header", func(t *testing.T) {
		_, err := tryDial(srv, subprotocolTransportWS, &websocket.DialOptions{
			HTTPHeader: http.Header{"Authorization": {"Bearer bad"}},
		})
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("dial with a bad header: %v, want 401", err)
		}
	})
}

// TestWebsocketTokenExpiry: a socket closes when its token expires, on the
// clock that issued the token (Options.Now), not on the wall clock: the
// tokens here are issued at a fixed instant years from the test's run.
func TestWebsocketTokenExpiry(t *testing.T) {
	issued := time.Date(2020, 1, 6, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return issued }
	for _, proto := range []string{subprotocolTransportWS, subprotocolGraphQLWS} {
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			const ttl = 300 * time.Millisecond
			srv, schema := streamServer(t, Options{AuthenticateInit: testAuthenticateInit(issued.Add(ttl)), Now: clock})
			c := dial(t, srv, proto, nil)
			start := time.Now()
			c.init(map[string]any{"token": "alice"})
			c.subscribe(map[string]string{subprotocolTransportWS: msgSubscribe, subprotocolGraphQLWS: "start"}[proto],
				"1", "subscription { name }")
			schema.waitSubscribers(t, 1)
			if reason := c.expectClose(closeForbidden); reason != reasonTokenExpired {
				t.Errorf("reason %q, want %q", reason, reasonTokenExpired)
			}
			if elapsed := time.Since(start); elapsed > ttl+time.Second {
				t.Errorf("closed after %v, want about %v", elapsed, ttl)
			}
			schema.waitSubscribers(t, 0)
		})
	}
	t.Run("already expired", func(t *testing.T) {
		t.Parallel()
		srv, _ := streamServer(t, Options{AuthenticateInit: testAuthenticateInit(issued.Add(-time.Second)), Now: clock})
		c := dial(t, srv, subprotocolTransportWS, nil)
		c.send(msgConnectionInit, "", map[string]any{"token": "alice"})
		c.expectClose(closeForbidden)
	})
}

func TestWebsocketKeepAlive(t *testing.T) {
	const interval = 30 * time.Millisecond
	t.Run("answering client stays", func(t *testing.T) {
		t.Parallel()
		srv, _ := streamServer(t, Options{KeepAlive: interval})
		var wsPings atomic.Int32
		c := dial(t, srv, subprotocolTransportWS, &websocket.DialOptions{
			OnPingReceived: func(context.Context, []byte) bool { wsPings.Add(1); return true },
		})
		c.init(nil)
		for range 3 {
			m, err := c.next()
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if m.Type != msgPing {
				t.Fatalf("got %s, want ping", m.Type)
			}
			c.send(msgPong, "", nil)
		}
		if wsPings.Load() == 0 {
			t.Error("no websocket-level ping")
		}
		c.subscribe(msgSubscribe, "1", "{ name }")
		c.expect(msgNext, "1", `{"data":{"name":"test"}}`)
	})
	t.Run("client that ignores protocol pings is dropped", func(t *testing.T) {
		t.Parallel()
		srv, _ := streamServer(t, Options{KeepAlive: interval})
		c := dial(t, srv, subprotocolTransportWS, nil)
		c.init(nil)
		if reason := c.expectClose(closeKeepAliveTimedOut); reason != reasonKeepAliveTimedOut {
			t.Errorf("reason %q", reason)
		}
	})
	for _, proto := range []string{subprotocolTransportWS, subprotocolGraphQLWS} {
		t.Run("client that ignores websocket pings is dropped "+proto, func(t *testing.T) {
			t.Parallel()
			srv, _ := streamServer(t, Options{KeepAlive: interval})
			c := dial(t, srv, proto, &websocket.DialOptions{
				OnPingReceived: func(context.Context, []byte) bool { return false },
			})
			c.init(nil)
			for {
				m, err := c.next()
				if err != nil {
					if websocket.CloseStatus(err) != closeKeepAliveTimedOut {
						t.Fatalf("closed with %v, want %d", err, closeKeepAliveTimedOut)
					}
					return
				}
				if m.Type == msgPing {
					c.send(msgPong, "", nil)
				}
			}
		})
	}
	t.Run("graphql-ws gets ka", func(t *testing.T) {
		t.Parallel()
		srv, _ := streamServer(t, Options{KeepAlive: interval})
		c := dial(t, srv, subprotocolGraphQLWS, nil)
		c.init(nil)
		for range 2 {
			if m, err := c.next(); err != nil || m.Type != "ka" {
				t.Fatalf("got %+v, %v, want ka", m, err)
			}
		}
	})
}

func TestWebsocketOrigin(t *testing.T) {
	for _, tc := range []struct {
		name       string
		production bool
		allowed    []string
		origin     string
		ok         bool
	}{
		{"production, same origin", true, nil, "SELF", true},
		{"production, no origin (native app)", true, nil, "", true},
		{"production, other origin", true, nil, "https://evil.example", false},
		{"production, null origin", true, nil, "null", false},
		{"production, allowed host", true, []string{"app.example.com"}, "https://app.example.com", true},
		{"production, allowed wildcard", true, []string{"*.example.com"}, "https://admin.example.com", true},
		{"production, allowed scheme", true, []string{"https://app.example.com"}, "http://app.example.com", false},
		{"production, not allowed", true, []string{"*.example.com"}, "https://example.org", false},
		{"development, any origin", false, nil, "https://evil.example", true},
		{"development, allowed list applies", false, []string{"app.example.com"}, "https://evil.example", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := streamServer(t, Options{Production: tc.production, AllowedOrigins: tc.allowed})
			h := http.Header{}
			switch tc.origin {
			case "SELF":
				h.Set("Origin", srv.URL)
			case "":
			default:
				h.Set("Origin", tc.origin)
			}
			c, err := tryDial(srv, subprotocolTransportWS, &websocket.DialOptions{HTTPHeader: h})
			if c != nil {
				defer c.CloseNow()
			}
			if tc.ok != (err == nil) {
				t.Fatalf("dial: %v, want ok=%v", err, tc.ok)
			}
		})
	}
	t.Run("refusal is a coded error", func(t *testing.T) {
		srv, _ := streamServer(t, Options{Production: true})
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql", nil)
		for k, v := range map[string]string{
			"Connection": "Upgrade", "Upgrade": "websocket", "Origin": "https://evil.example",
			"Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
		} {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body response
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != http.StatusForbidden || body.code() != "FORBIDDEN" {
			t.Fatalf("status %d, code %q", resp.StatusCode, body.code())
		}
	})
	t.Run("malformed pattern", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("New accepted a malformed origin pattern")
			}
		}()
		New(Options{Schema: newStreamSchema().executable(), AllowedOrigins: []string{"[a-"}})
	})
}

func TestGraphQLWS(t *testing.T) {
	for _, proto := range []string{subprotocolGraphQLWS, ""} {
		t.Run("subprotocol "+proto, func(t *testing.T) {
			srv, schema := streamServer(t, Options{})
			c := dial(t, srv, proto, nil)
			if got := c.c.Subprotocol(); got != proto {
				t.Fatalf("subprotocol %q, want %q", got, proto)
			}
			c.init(nil)
			c.subscribe("start", "1", "subscription { name }")
			schema.waitSubscribers(t, 1)
			schema.publish("a")
			c.expect("data", "1", `{"data":{"name":"a"}}`)
			schema.end()
			c.expect(msgComplete, "1", "")

			c.subscribe("start", "2", "subscription { name }")
			schema.waitSubscribers(t, 1)
			c.send("stop", "2", nil)
			c.expect(msgComplete, "2", "") // gqlgen confirms a stop
			schema.waitSubscribers(t, 0)

			c.send("connection_terminate", "", nil)
			c.expectClose(websocket.StatusNormalClosure)
		})
	}
}

// TestGraphQLWSCloseCodes records the close codes of the legacy protocol,
// which are gqlgen's (plus 4403 for refused credentials).
func TestGraphQLWSCloseCodes(t *testing.T) {
	for _, tc := range []struct {
		name            string
		code            websocket.StatusCode
		connectionError bool
		run             func(c wsClient)
	}{
		{"invalid JSON before init", websocket.StatusProtocolError, true, func(c wsClient) { c.sendRaw("{") }},
		{"start before init", websocket.StatusProtocolError, true, func(c wsClient) {
			c.send("start", "1", map[string]any{"query": "subscription { name }"})
		}},
		{"unknown type before init", websocket.StatusProtocolError, true, func(c wsClient) {
			c.send("subscribe", "1", map[string]any{"query": "subscription { name }"})
		}},
		{"bad token", closeForbidden, true, func(c wsClient) {
			c.send(msgConnectionInit, "", map[string]any{"authorization": "Bearer bad"})
		}},
		{"AuthenticateInit fails inside", closeInternalError, true, func(c wsClient) {
			c.send(msgConnectionInit, "", map[string]any{"token": "boom"})
		}},
		{"no connection_init", websocket.StatusProtocolError, false, func(wsClient) {}},
		{"second connection_init", websocket.StatusProtocolError, true, func(c wsClient) {
			c.init(nil)
			c.send(msgConnectionInit, "", nil)
		}},
		{"invalid JSON after init", websocket.StatusNormalClosure, false, func(c wsClient) {
			c.init(nil)
			c.sendRaw("{")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			initTimeout := 10 * time.Second // as in TestTransportWSCloseCodes
			if tc.name == "no connection_init" {
				initTimeout = 100 * time.Millisecond
			}
			srv, _ := streamServer(t, Options{
				AuthenticateInit: testAuthenticateInit(time.Time{}),
				InitTimeout:      initTimeout,
			})
			c := dial(t, srv, subprotocolGraphQLWS, nil)
			tc.run(c)
			if tc.connectionError {
				m := c.read()
				if m.Type != "connection_error" {
					t.Fatalf("got %s %s, want connection_error", m.Type, m.Payload)
				}
			}
			c.expectClose(tc.code)
		})
	}
}

func TestSubscriptionErrorsArePresented(t *testing.T) {
	srv, _ := streamServer(t, Options{MaxDepth: 3})
	const (
		internal  = `{"message":"internal error","extensions":{"code":"INTERNAL"}}`
		forbidden = `{"message":"not yours","extensions":{"code":"FORBIDDEN"}}`
	)
	t.Run(subprotocolTransportWS, func(t *testing.T) {
		c := dial(t, srv, subprotocolTransportWS, nil)
		c.init(nil)
		c.subscribe(msgSubscribe, "1", "subscription { fail }")
		c.expect(msgNext, "1", `{"errors":[`+forbidden+`,`+internal+`],"data":{"fail":null}}`)
		c.expect(msgComplete, "1", "")

		// Errors before execution are an error message (and no complete).
		c.subscribe(msgSubscribe, "2", "subscription { nope }")
		m := c.expect(msgError, "2", "")
		assertCodes(t, m.Payload, "GRAPHQL_VALIDATION_FAILED")
		c.subscribe(msgSubscribe, "3", "subscription { node { child { child { child { name } } } } }")
		m = c.expect(msgError, "3", "")
		assertCodes(t, m.Payload, "BAD_USER_INPUT")
		if !strings.Contains(string(m.Payload), "exceeds the limit of 3") {
			t.Errorf("depth error: %s", m.Payload)
		}
		c.subscribe(msgSubscribe, "4", "{ name }")
		c.expect(msgNext, "4", "")
	})
	t.Run(subprotocolGraphQLWS, func(t *testing.T) {
		c := dial(t, srv, subprotocolGraphQLWS, nil)
		c.init(nil)
		c.subscribe("start", "1", "subscription { fail }")
		c.expect("data", "1", `{"errors":[`+forbidden+`,`+internal+`],"data":{"fail":null}}`)
		c.expect(msgComplete, "1", "")
		// A document that does not validate is the protocol's GQL_ERROR
		// ("error", for validation errors, then complete); a request over
		// a limit is a result with errors.
		c.subscribe("start", "2", "subscription { nope }")
		m := c.expect("error", "2", "")
		assertCodes(t, m.Payload, "GRAPHQL_VALIDATION_FAILED")
		c.expect(msgComplete, "2", "")
		c.subscribe("start", "3", "subscription { node { child { child { child { name } } } } }")
		var resp struct{ Errors json.RawMessage }
		m = c.expect("data", "3", "")
		_ = json.Unmarshal(m.Payload, &resp)
		assertCodes(t, resp.Errors, "BAD_USER_INPUT")
		c.expect(msgComplete, "3", "")
	})
}

func TestWebsocketIntrospectionInProduction(t *testing.T) {
	srv, _ := streamServer(t, Options{Production: true})
	c := dial(t, srv, subprotocolTransportWS, nil)
	c.init(nil)
	c.subscribe(msgSubscribe, "1", "{ __schema { queryType { name } } }")
	m := c.expect(msgError, "1", "")
	assertCodes(t, m.Payload, "BAD_USER_INPUT")
	if !strings.Contains(string(m.Payload), "introspection is disabled") {
		t.Errorf("got %s", m.Payload)
	}
}

// assertCodes checks that a JSON list of errors has exactly the codes
// want.
func assertCodes(t *testing.T, raw json.RawMessage, want ...string) {
	t.Helper()
	var errs []struct {
		Extensions struct{ Code string } `json:"extensions"`
	}
	if err := json.Unmarshal(raw, &errs); err != nil {
		t.Fatalf("errors %s: %v", raw, err)
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Extensions.Code)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("codes %v, want %v (%s)", got, want, raw)
	}
}
