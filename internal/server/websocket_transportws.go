package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// transportWS serves one connection of the graphql-transport-ws protocol
// (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md), with
// operations executed by gqlgen's executor, so that extensions (limits,
// introspection), middleware and the error presenter apply as over HTTP.
//
// The reading goroutine handles each message in turn; every operation runs
// in its own goroutine. serve returns when the socket is closed and every
// goroutine it started has ended.
type transportWS struct {
	t    *websocketTransport
	s    *socket
	r    *http.Request
	exec graphql.GraphExecutor

	ctx    context.Context // ends when the connection ends
	cancel context.CancelFunc
	wg     sync.WaitGroup // operations

	mu          sync.Mutex
	initialized bool                    // connection_init received
	opCtx       context.Context         // operations' context; nil until acknowledged
	ops         map[string]*wsOperation // active operations by id
	rate        *subscribeRate          // subscribe messages
	pingPending bool                    // a ping is waiting for its pong
}

// wsOperation is an active operation of a connection.
type wsOperation struct {
	cancel context.CancelFunc
	// done releases what the operation holds (its place in the viewer's
	// count), called once, when it leaves the connection's ops.
	done func()
}

// wsMessage is a message of graphql-transport-ws, in either direction.
type wsMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Message types of graphql-transport-ws.
const (
	msgConnectionInit = "connection_init"
	msgConnectionAck  = "connection_ack"
	msgPing           = "ping"
	msgPong           = "pong"
	msgSubscribe      = "subscribe"
	msgNext           = "next"
	msgError          = "error"
	msgComplete       = "complete"
)

// newTransportWS prepares a graphql-transport-ws connection on s, which
// was upgraded from r, to be served under parent.
func newTransportWS(t *websocketTransport, s *socket, r *http.Request, parent context.Context, exec graphql.GraphExecutor) *transportWS {
	ctx, cancel := context.WithCancel(parent)
	c := &transportWS{t: t, s: s, r: r, exec: exec, ctx: ctx, cancel: cancel, ops: map[string]*wsOperation{},
		rate: newSubscribeRate(t.limits.SubscribesPerSecond)}
	// Give the operations' places back before their streams end, so that
	// a client that hears of the end and subscribes again is not refused.
	s.onClose = func() { c.stopAll(); cancel() }
	return c
}

// serve reads and handles messages until the socket closes, then waits
// for the connection's goroutines.
func (c *transportWS) serve() {
	// Whoever closes the socket (a timer, the expiry) ends the operations
	// at once (c.s.onClose, which gives their places back first); the connection's context ending (the server
	// is shutting down: its base context ended) closes the socket. Both
	// are callbacks rather than a goroutine, which an idle connection
	// would hold; closing twice is harmless.
	stopWatch := context.AfterFunc(c.ctx, func() {
		c.s.close(websocket.StatusGoingAway, reasonShuttingDown)
	})
	stopKeepAlive := func() {}
	if c.t.keepAlive > 0 {
		stopKeepAlive = c.s.keepAlive(c.ctx, c.t.keepAlive, c.ping)
	}
	defer func() {
		stopWatch()
		c.s.close(websocket.StatusNormalClosure, "")
		c.cancel()
		c.stopAll()
		stopKeepAlive()
		c.wg.Wait()
		<-c.s.done
	}()
	initTimer := time.AfterFunc(c.t.initTimeout, func() {
		c.mu.Lock()
		initialized := c.initialized
		c.mu.Unlock()
		if !initialized {
			c.fail(closeInitTimeout, "Connection initialisation timeout")
		}
	})
	defer initTimer.Stop()
	// Closing the socket ends the read; a cancelled context would drop
	// the connection before the close frame.
	for {
		_, data, err := c.s.ws.Read(context.Background())
		if err != nil || !c.handle(data) {
			return
		}
	}
}

// fail closes the connection with a close code of the protocol.
func (c *transportWS) fail(code websocket.StatusCode, reason string) {
	c.t.logger.DebugContext(c.ctx, "closing websocket", "code", int(code), "reason", reason)
	c.s.close(code, reason)
	c.cancel()
}

// handle handles one message. It returns false when the connection is
// closing.
func (c *transportWS) handle(data []byte) bool {
	var m wsMessage
	if err := json.Unmarshal(data, &m); err != nil {
		c.fail(closeBadRequest, "Invalid message received")
		return false
	}
	switch m.Type {
	case msgConnectionInit:
		return c.init(m)
	case msgSubscribe:
		return c.subscribe(m)
	case msgComplete:
		if m.ID == "" {
			c.fail(closeBadRequest, "Invalid message received")
			return false
		}
		c.stop(m.ID)
	case msgPing:
		_ = c.s.write(wsMessage{Type: msgPong, Payload: m.Payload})
	case msgPong:
		c.mu.Lock()
		c.pingPending = false
		c.mu.Unlock()
	default:
		c.fail(closeBadRequest, "Invalid message received")
		return false
	}
	return true
}

// init handles connection_init: it authenticates the payload and
// acknowledges the connection.
func (c *transportWS) init(m wsMessage) bool {
	c.mu.Lock()
	again := c.initialized
	c.initialized = true
	c.mu.Unlock()
	if again {
		c.fail(closeTooManyInits, "Too many initialisation requests")
		return false
	}
	var payload map[string]any
	if len(m.Payload) > 0 && string(m.Payload) != "null" {
		if !isJSONObject(m.Payload) {
			c.fail(closeBadRequest, "Invalid message received")
			return false
		}
		dec := json.NewDecoder(bytes.NewReader(m.Payload))
		dec.UseNumber()
		if err := dec.Decode(&payload); err != nil {
			c.fail(closeBadRequest, "Invalid message received")
			return false
		}
	}
	ctx, expires, err := c.t.initContext(c.ctx, c.r, payload)
	if err != nil {
		c.fail(c.t.initRefusal(c.ctx, err))
		return false
	}
	c.t.initialized(ctx, c.s, expires)
	c.mu.Lock()
	c.opCtx = ctx
	// The upgrade request (its headers above all) is not needed once the
	// connection is initialized; an idle connection should not keep it.
	c.r = nil
	c.mu.Unlock()
	_ = c.s.write(wsMessage{Type: msgConnectionAck})
	return true
}

// subscribe handles subscribe: it validates the operation and runs it.
func (c *transportWS) subscribe(m wsMessage) bool {
	start := graphql.Now()
	c.mu.Lock()
	opCtx, dup, running := c.opCtx, c.ops[m.ID] != nil, len(c.ops)
	c.mu.Unlock()
	switch {
	case opCtx == nil:
		c.fail(closeUnauthorized, "Unauthorized")
		return false
	case m.ID == "":
		c.fail(closeBadRequest, "Invalid message received")
		return false
	case dup:
		c.fail(closeSubscriberExists, "Subscriber for "+m.ID+" already exists")
		return false
	case !c.rate.allow():
		c.sendErrors(m.ID, c.present(opCtx, c.rate.refusal()))
		return true
	case running >= c.t.limits.SubscriptionsPerSocket:
		c.sendErrors(m.ID, c.present(opCtx, socketFull(c.t.limits.SubscriptionsPerSocket)))
		return true
	}
	var body requestBody
	dec := json.NewDecoder(bytes.NewReader(m.Payload))
	dec.UseNumber()
	if !isJSONObject(m.Payload) || dec.Decode(&body) != nil {
		c.fail(closeBadRequest, "Invalid message received")
		return false
	}
	params := &graphql.RawParams{
		Query:         body.Query,
		OperationName: body.OperationName,
		Variables:     body.Variables,
		Extensions:    body.Extensions,
		ReadTime:      graphql.TraceTiming{Start: start, End: graphql.Now()},
	}
	ctx := graphql.StartOperationTrace(opCtx)
	rc, errs := c.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := c.exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		c.sendErrors(m.ID, resp.Errors)
		return true
	}
	done := func() {}
	if v := viewer.FromContext(opCtx); v.SignedIn() {
		if !c.t.viewerOps.acquire(v.ResidentID) {
			c.sendErrors(m.ID, c.present(opCtx, viewerFull(c.t.limits.SubscriptionsPerViewer)))
			return true
		}
		done = func() { c.t.viewerOps.release(v.ResidentID) }
	}
	ctx, cancel := context.WithCancel(ctx)
	op := &wsOperation{cancel: cancel, done: done}
	c.mu.Lock()
	c.ops[m.ID] = op
	c.mu.Unlock()
	c.wg.Go(func() { c.run(ctx, m.ID, op, rc) })
	return true
}

// present passes errs of an operation refused before it was created through
// the error presenter.
func (c *transportWS) present(ctx context.Context, errs gqlerror.List) gqlerror.List {
	return c.exec.DispatchError(graphql.WithOperationContext(ctx, &graphql.OperationContext{}), errs).Errors
}

// run executes an operation and sends its results: next for each, then
// complete, unless the client completed it first or the connection ended.
//
// A subscription whose stream signals when it has a value (realtime.Ready:
// Follow and the notification stream do) is then served on demand: no
// goroutine waits on its channel while it is idle, so an idle subscription
// costs no goroutine stack beyond the connection's reader. Other
// operations are read in this goroutine until they end.
func (c *transportWS) run(ctx context.Context, id string, op *wsOperation, rc *graphql.OperationContext) {
	var (
		pending  atomic.Int64 // values signalled and not yet sent
		onDemand realtime.OnDemand
	)
	onDemand.Hold()
	// The stream signals from its own goroutine, which sends the value on
	// at once (onDemand.Run) instead of waking yet another goroutine.
	ctx, claimed := realtime.WithReady(ctx, func() { pending.Add(1); onDemand.Run() })
	var responses graphql.ResponseHandler
	if !c.guard(ctx, id, op, rc, func() bool {
		responses, ctx = c.exec.DispatchOperation(ctx, rc)
		return true
	}) {
		return
	}
	if !claimed() {
		for c.guard(ctx, id, op, rc, func() bool { return c.sendNext(ctx, id, op, responses) }) {
		}
		return
	}
	c.wg.Add(1)
	onDemand.Step = func() bool {
		for pending.Load() > 0 {
			pending.Add(-1)
			if !c.guard(ctx, id, op, rc, func() bool { return c.sendNext(ctx, id, op, responses) }) {
				return false
			}
		}
		if ctx.Err() != nil {
			c.finish(id, op, nil)
			return false
		}
		return true
	}
	onDemand.End = c.wg.Done
	context.AfterFunc(ctx, onDemand.Wake) // ends it even if its stream never signals
	onDemand.Release()
}

// sendNext sends the operation's next result; false means it has ended.
func (c *transportWS) sendNext(ctx context.Context, id string, op *wsOperation, responses graphql.ResponseHandler) bool {
	resp := responses(ctx)
	if resp == nil || !c.active(id, op) {
		return false
	}
	b, err := json.Marshal(resp)
	if err != nil {
		panic(err) // recovered by guard
	}
	return c.s.write(wsMessage{Type: msgNext, ID: id, Payload: b}) == nil
}

// guard runs step; when it panics or returns false, the operation is
// finished (see finish) and guard returns false.
func (c *transportWS) guard(ctx context.Context, id string, op *wsOperation, rc *graphql.OperationContext, step func() bool) (more bool) {
	defer func() {
		if v := recover(); v != nil {
			err := rc.Recover(ctx, v)
			c.finish(id, op, c.exec.DispatchError(ctx, gqlerror.List{gqlerror.WrapIfUnwrapped(err)}).Errors)
			more = false
		}
	}()
	if step() {
		return true
	}
	c.finish(id, op, nil)
	return false
}

// finish ends an operation: it sends errs as an error message, or else
// complete, unless the client completed it first or the connection ended.
// Its place is given back before its stream is cancelled and before the
// client hears of the end. Finishing twice does nothing more.
func (c *transportWS) finish(id string, op *wsOperation, errs gqlerror.List) {
	active := c.release(id, op)
	op.cancel()
	if !active {
		return
	}
	switch {
	case errs != nil:
		c.sendErrors(id, errs)
	case c.ctx.Err() == nil:
		_ = c.s.write(wsMessage{Type: msgComplete, ID: id})
	}
}

// sendErrors sends an error message: the operation id ended with errs.
func (c *transportWS) sendErrors(id string, errs gqlerror.List) {
	b, err := json.Marshal(errs)
	if err != nil {
		return
	}
	_ = c.s.write(wsMessage{Type: msgError, ID: id, Payload: b})
}

// active reports whether op is still the operation with the given id.
func (c *transportWS) active(id string, op *wsOperation) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ops[id] == op
}

// release forgets op, reporting whether it was still active (the client
// had not completed it).
func (c *transportWS) release(id string, op *wsOperation) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ops[id] != op {
		return false
	}
	delete(c.ops, id)
	op.done()
	return true
}

// stop handles complete from the client: the operation ends without a
// message, and its id is free at once. Its place in the viewer's count is
// given back before its stream ends (op.done before op.cancel), so that
// whoever sees the stream end may start another at once.
func (c *transportWS) stop(id string) {
	c.mu.Lock()
	op := c.ops[id]
	delete(c.ops, id)
	c.mu.Unlock()
	if op != nil {
		op.done()
		op.cancel()
	}
}

// stopAll ends every operation, each place given back before its stream
// ends.
func (c *transportWS) stopAll() {
	c.mu.Lock()
	ops := c.ops
	c.ops = map[string]*wsOperation{}
	c.mu.Unlock()
	for _, op := range ops {
		op.done()
		op.cancel()
	}
}

// ping sends a protocol ping for keepAlive; it returns false when the
// previous one has not been answered.
func (c *transportWS) ping() bool {
	c.mu.Lock()
	unanswered := c.pingPending
	c.pingPending = true
	c.mu.Unlock()
	if unanswered {
		return false
	}
	_ = c.s.write(wsMessage{Type: msgPing})
	return true
}

// isJSONObject reports whether raw JSON is an object.
func isJSONObject(raw json.RawMessage) bool {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	return len(raw) > 0 && raw[0] == '{'
}
