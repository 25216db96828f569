package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/jimei-linli/linli/internal/apperr"
)

// serveLegacy serves the legacy graphql-ws protocol (subscriptions-
// transport-ws: connection_init, connection_ack, ka, start, data, error,
// complete, stop, connection_terminate) on s with gqlgen's
// transport.Websocket, which keeps its own close codes (see the table in
// websocket.go). Linli adds: AuthenticateInit (4403 and a
// connection_error for refused credentials), the close at the token's
// expiry, websocket-level pings, and errors that always pass the error
// presenter.
func (t *websocketTransport) serveLegacy(s *socket, w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx, cancel := context.WithCancel(r.Context())
	stopKeepAlive := func() {}
	if t.keepAlive > 0 {
		stopKeepAlive = s.keepAlive(ctx, t.keepAlive, nil)
	}
	defer func() {
		s.close(websocket.StatusNormalClosure, "")
		cancel()
		stopKeepAlive()
		<-s.done
	}()
	ws := transport.Websocket{
		Implementation: acceptedSocket{s},
		InitTimeout:    t.initTimeout,
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			opCtx, expires, err := t.initContext(ctx, r, payload)
			if err != nil {
				code, reason := t.initRefusal(ctx, err)
				ctx = transport.WithWebsocketCloseCode(transport.AppendCloseReason(ctx, reason), int(code))
				// gqlgen sends the error's text in connection_error.
				return ctx, nil, errors.New(apperr.MessageOf(err))
			}
			t.initialized(opCtx, s, expires)
			return opCtx, nil, nil
		},
		ErrorFunc: func(ctx context.Context, err error) {
			t.logger.DebugContext(ctx, "graphql-ws connection", "error", err.Error())
		},
	}
	if t.keepAlive > 0 {
		ws.KeepAlivePingInterval = t.keepAlive
	}
	ws.Do(w, r.WithContext(ctx), presentingExecutor{exec, newSubscribeRate(t.limits.SubscribesPerSecond)})
}

// acceptedSocket hands an already accepted socket to gqlgen's
// transport.Websocket.
type acceptedSocket struct{ s *socket }

// Accept returns the socket as gqlgen's connection.
func (a acceptedSocket) Accept(http.ResponseWriter, *http.Request, transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	return legacyConn{a.s}, nil
}

// legacyConn is a socket as gqlgen's transport.WebsocketConn.
type legacyConn struct{ s *socket }

var _ transport.WebsocketConn = legacyConn{}

// NextReader reads the next message; a normal close is
// transport.ErrWebsocketClosed.
func (c legacyConn) NextReader() (int, io.Reader, error) {
	typ, data, err := c.s.ws.Read(context.Background())
	if err != nil {
		switch websocket.CloseStatus(err) {
		case websocket.StatusNormalClosure, websocket.StatusNoStatusRcvd:
			return 0, nil, transport.ErrWebsocketClosed
		}
		return 0, nil, err
	}
	return int(typ), bytes.NewReader(data), nil
}

// WriteJSON sends v.
func (c legacyConn) WriteJSON(v any) error { return c.s.write(v) }

// WriteClose closes the socket, unless Linli has closed it already (the
// token expired, the client stopped answering pings).
func (c legacyConn) WriteClose(code int, reason string) error {
	c.s.close(websocket.StatusCode(code), reason)
	return nil
}

// Close closes the socket (normally gqlgen has called WriteClose first).
func (c legacyConn) Close() error {
	c.s.close(websocket.StatusNormalClosure, "")
	return nil
}

// Subprotocol returns the negotiated subprotocol.
func (c legacyConn) Subprotocol() string { return c.s.ws.Subprotocol() }

// presentingExecutor passes the errors of CreateOperationContext through
// the error presenter: gqlgen's websocket transport sends the errors of
// extensions (e.g. the limits) to graphql-ws clients as they are. The
// presented errors carry their code and message as an *apperr.Error, so
// that presenting them again changes nothing.
// It also paces the socket's start messages (Limits.SubscribesPerSecond).
type presentingExecutor struct {
	graphql.GraphExecutor
	rate *subscribeRate
}

// CreateOperationContext validates the operation and presents its errors.
func (e presentingExecutor) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	var (
		rc   *graphql.OperationContext
		errs gqlerror.List
	)
	if e.rate.allow() {
		rc, errs = e.GraphExecutor.CreateOperationContext(ctx, params)
	} else {
		rc, errs = &graphql.OperationContext{}, e.rate.refusal()
	}
	if errs == nil {
		return rc, nil
	}
	presented := e.DispatchError(graphql.WithOperationContext(ctx, rc), errs).Errors
	out := make(gqlerror.List, len(presented))
	for i, p := range presented {
		code, _ := p.Extensions["code"].(string)
		e := *p
		e.Err = &apperr.Error{Code: apperr.Code(code), Message: p.Message}
		if limit, ok := p.Extensions["limit"].(string); ok {
			e.Err = &limitExceeded{app: apperr.Error{Code: apperr.Code(code), Message: p.Message}, limit: limit}
		}
		out[i] = &e
	}
	return rc, out
}
