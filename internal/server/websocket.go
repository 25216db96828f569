package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/jimei-linli/linli/internal/apperr"
)

// GraphQL over websockets. One upgrade on /graphql, two subprotocols:
//
//   - graphql-transport-ws (the GraphQL over WebSocket protocol of
//     github.com/enisdenjo/graphql-ws) is served by transportWS
//     (websocket_transportws.go), which sends every close code the protocol
//     names. gqlgen's transport.Websocket sends few of them: it closes with
//     1002 for a bad message, a subscribe before connection_ack, a second
//     connection_init and the init timeout, with 1000 for a bad message
//     after the ack, and it lets a duplicate subscription id replace the
//     first.
//   - graphql-ws (the legacy subscriptions-transport-ws protocol), or no
//     subprotocol at all, is served by gqlgen's transport.Websocket over
//     the same accepted socket (websocket_legacy.go), with its close codes.
//
// Both get Linli's origin check, connection_init authentication
// (Options.AuthenticateInit), websocket-level keepalive pings, the close at
// the token's expiry and the error presenter.
//
// Close codes:
//
//	                                        graphql-transport-ws      graphql-ws (gqlgen's codes)
//	invalid JSON, unknown message type      4400                      1002 + connection_error before the ack, 1000 after
//	subscribe (start) before the ack        4401                      1002 + connection_error
//	credentials refused at connection_init  4403 "Forbidden"          4403 + connection_error
//	AuthenticateInit failed inside          4500                      4500 + connection_error
//	only unknown subprotocols offered       4406                      -
//	no connection_init within InitTimeout   4408                      1002
//	subscribe with an id in use             4409                      - (replaces the first)
//	a second connection_init                4429                      1002 + connection_error
//	the access token expired                4403 "token expired"      4403 "token expired"
//	no answer to pings within KeepAlive     1001 "keepalive timeout"  1001 "keepalive timeout"
//	the server shuts down (base context)    1001 "server shutting down"  (connection dropped)
//	a message over MaxBodyBytes             1009                      1009
//	a write waited WriteTimeout (10 s)      4499 "too slow: resume    4499 "too slow: resume
//	  for a client that does not read         with your cursor"         with your cursor"
//	connection_terminate                    -                         1000
//
// 4499 (too slow): a client that stops reading (a phone whose app went to
// the background, a stalled network) fills the socket's buffers until a
// write waits WriteTimeout. Rather than dropping the connection (1006, no
// reason), the socket stops sending and closes with 4499; the close frame
// follows what the client has yet to read, so a client that reads again
// within 5 s of the close (coder/websocket's close handshake) hears why,
// and one that does not sees the connection drop. Either way it reconnects
// and resumes each feed with its last cursor (since:), losing nothing.
// graphql-ws clients retry on 4499 (it is not one of their fatal codes).
//
// 4403 rather than 4401 at expiry: graphql-ws clients treat 4401 as a
// client bug and give up, and retry after 4403, calling connectionParams
// again, which is where a client puts its refreshed token.

// The websocket subprotocols Linli speaks, in order of preference.
const (
	subprotocolTransportWS = "graphql-transport-ws"
	subprotocolGraphQLWS   = "graphql-ws"
)

// Close codes of the GraphQL over WebSocket protocol.
const (
	closeBadRequest         websocket.StatusCode = 4400 // an invalid message
	closeUnauthorized       websocket.StatusCode = 4401 // subscribe before connection_ack
	closeForbidden          websocket.StatusCode = 4403 // refused credentials, or expired ones
	closeSubprotocol        websocket.StatusCode = 4406 // no subprotocol Linli speaks
	closeInitTimeout        websocket.StatusCode = 4408 // no connection_init in time
	closeSubscriberExists   websocket.StatusCode = 4409 // a subscribe with an id in use
	closeTooManyInits       websocket.StatusCode = 4429 // a second connection_init
	closeInternalError      websocket.StatusCode = 4500 // AuthenticateInit failed inside
	closeTooSlow            websocket.StatusCode = 4499 // the client stopped reading
	closeKeepAliveTimedOut                       = websocket.StatusGoingAway
	reasonTokenExpired                           = "token expired"
	reasonShuttingDown                           = "server shutting down"
	reasonKeepAliveTimedOut                      = "keepalive timeout"
	reasonTooSlow                                = "too slow: resume with your cursor"
)

// websocketTransport accepts websocket upgrades of /graphql and serves
// them with the negotiated subprotocol.
type websocketTransport struct {
	logger           *slog.Logger
	authenticateInit func(ctx context.Context, payload map[string]any) (context.Context, time.Time, error)
	now              func() time.Time // the clock credentials expire on
	watchSession     func(ctx context.Context, closeWith func(reason string))
	originPatterns   []string
	anyOrigin        bool
	keepAlive        time.Duration // <= 0: off
	initTimeout      time.Duration
	writeTimeout     time.Duration // a write waiting longer closes the socket (4499)
	maxMessageBytes  int64
	// limits bounds each socket's operations and subscribe messages;
	// viewerOps counts each resident's operations over all sockets.
	limits    Limits
	viewerOps *viewerOperations
	// done ends every websocket (close 1001) when the server shuts down.
	done context.Context
	// metrics counts open websockets (nil: not counted).
	metrics Metrics
}

var _ graphql.Transport = (*websocketTransport)(nil)

// newWebsocketTransport returns the websocket transport for opts (with
// defaults applied). It panics on a malformed origin pattern.
func newWebsocketTransport(opts Options) *websocketTransport {
	for _, p := range opts.AllowedOrigins {
		if _, err := path.Match(strings.ToLower(p), ""); err != nil {
			panic(fmt.Sprintf("server: AllowedOrigins: malformed pattern %q", p))
		}
	}
	return &websocketTransport{
		logger:           opts.Logger,
		authenticateInit: opts.AuthenticateInit,
		now:              opts.Now,
		watchSession:     opts.WatchSession,
		originPatterns:   opts.AllowedOrigins,
		anyOrigin:        !opts.Production && len(opts.AllowedOrigins) == 0,
		keepAlive:        opts.KeepAlive,
		initTimeout:      opts.InitTimeout,
		writeTimeout:     opts.WriteTimeout,
		maxMessageBytes:  opts.MaxBodyBytes,
		limits:           opts.Limits,
		viewerOps:        &viewerOperations{max: opts.Limits.SubscriptionsPerViewer},
		done:             opts.Streams,
		metrics:          opts.Metrics,
	}
}

// Supports reports whether r asks for a websocket.
func (*websocketTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// Do checks the origin, accepts the websocket and serves it until it
// closes.
func (t *websocketTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if !t.originAllowed(r) {
		msg := "websocket connections from this origin are not allowed"
		resp := exec.DispatchError(r.Context(), gqlerror.List{{Message: msg, Err: apperr.New(apperr.Forbidden, "%s", msg)}})
		writeErrors(w, r, http.StatusForbidden, resp)
		return
	}
	ws, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{
		Subprotocols:       []string{subprotocolTransportWS, subprotocolGraphQLWS},
		InsecureSkipVerify: true, // the origin is checked above
	})
	if err != nil {
		// Accept has answered the malformed handshake.
		t.logger.DebugContext(r.Context(), "websocket handshake failed", "error", err.Error())
		return
	}
	ws.SetReadLimit(t.maxMessageBytes)
	opened := time.Now()
	t.websocketOpened()
	s := newSocket(ws, t.writeTimeout)
	s.slow = func() {
		t.logger.InfoContext(r.Context(), "closing a websocket whose client stopped reading",
			"code", int(closeTooSlow), "write_timeout", t.writeTimeout.String())
	}
	switch ws.Subprotocol() {
	case subprotocolTransportWS:
		ctx, release := t.detachedContext(r)
		// Serve the connection in a goroutine of its own and return: the
		// handler's goroutine would hold the stack that the HTTP request
		// grew (16 KiB and more) for as long as the connection lasts,
		// while a new goroutine starts small. The socket is hijacked, so
		// net/http no longer touches it. (The request log line, written
		// when the handler returns, is thus written at the upgrade.)
		go func() {
			defer release()
			defer t.websocketClosed(ctx, opened)
			defer t.recoverPanic(ctx)
			newTransportWS(t, s, r, ctx, exec).serve()
		}()
	case subprotocolGraphQLWS:
		t.serveLegacy(s, w, r, exec)
		t.websocketClosed(r.Context(), opened)
	default:
		if r.Header.Get("Sec-WebSocket-Protocol") != "" {
			s.close(closeSubprotocol, "Subprotocol not acceptable")
			<-s.done
			t.websocketClosed(r.Context(), opened)
			return
		}
		// Clients that name no subprotocol get graphql-ws, as from gqlgen.
		t.serveLegacy(s, w, r, exec)
		t.websocketClosed(r.Context(), opened)
	}
}

// initialized starts what an initialized socket s with operations'
// context ctx needs: its close when the credentials expire at expires (on
// t's clock), or when their session ends or their rights change.
func (t *websocketTransport) initialized(ctx context.Context, s *socket, expires time.Time) {
	if expires.IsZero() {
		s.expireAfter(0)
	} else {
		s.expireAfter(max(expires.Sub(t.now()), time.Nanosecond))
	}
	if t.watchSession != nil {
		t.watchSession(ctx, func(reason string) { s.close(closeForbidden, reason) })
	}
}

// detachedContext returns a context for serving the websocket upgraded
// from r after the handler has returned (when net/http cancels r's
// context): it has r's values and ends when t.done does, so that shutting
// the server down still closes the socket. release frees it.
func (t *websocketTransport) detachedContext(r *http.Request) (ctx context.Context, release func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	stop := context.AfterFunc(t.done, cancel)
	return ctx, func() { stop(); cancel() }
}

// recoverPanic logs a panic of a websocket served after its handler
// returned, which net/http would otherwise have recovered and logged.
func (t *websocketTransport) recoverPanic(ctx context.Context) {
	if v := recover(); v != nil {
		t.logger.ErrorContext(ctx, "panic serving a websocket", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	}
}

// originAllowed reports whether the Origin of r may open a websocket: no
// Origin (not a browser), the server's own, or one that AllowedOrigins
// matches (in development without AllowedOrigins: any).
func (t *websocketTransport) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if t.anyOrigin || origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return matchOrigin(t.originPatterns, origin)
}

// initContext runs Options.AuthenticateInit for a connection_init payload
// received on the websocket upgraded from r. A payload without a token
// borrows the upgrade request's Authorization header, so that a header
// token expires like one sent in connection_init.
func (t *websocketTransport) initContext(ctx context.Context, r *http.Request, payload map[string]any) (context.Context, time.Time, error) {
	if t.authenticateInit == nil {
		return withLocale(ctx, r), time.Time{}, nil
	}
	if h := r.Header.Get("Authorization"); h != "" {
		if token, err := InitToken(payload); err == nil && token == "" {
			withHeader := make(map[string]any, len(payload)+1)
			for k, v := range payload {
				withHeader[k] = v
			}
			withHeader["authorization"] = h
			payload = withHeader
		}
	}
	ctx, expires, err := t.authenticateInit(ctx, payload)
	if err == nil && !expires.IsZero() && !t.now().Before(expires) {
		err = apperr.New(apperr.Unauthenticated, "the access token has expired")
	}
	if err == nil {
		ctx = withLocale(ctx, r)
	}
	return ctx, expires, err
}

// initRefusal returns the close code and reason for an error of
// AuthenticateInit, logging an internal one.
func (t *websocketTransport) initRefusal(ctx context.Context, err error) (websocket.StatusCode, string) {
	if apperr.CodeOf(err) == apperr.Internal {
		t.logger.ErrorContext(ctx, "authenticating a websocket failed", "error", err.Error())
		return closeInternalError, "Internal server error"
	}
	return closeForbidden, "Forbidden"
}

// errSocketClosing is returned for writes to a socket that is closing.
var errSocketClosing = errors.New("websocket is closing")
