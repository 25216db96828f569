package realtime

import (
	"context"

	"github.com/jimei-linli/linli/internal/viewer"
)

// Handlers handle what a Listen subscription receives. Each runs in the
// listener's goroutine, one at a time and in order, and returns false to
// end the listening.
type Handlers struct {
	// Start runs first (e.g. replay what the subscriber missed).
	Start func() bool
	// Message handles one message on the subscription's topics.
	Message func(*Message) bool
	// Lost handles a possible loss of messages: catch up from the database.
	Lost func() bool
	// End runs once when the listening ends, because ctx ended or a
	// handler returned false, after the subscription is closed.
	End func()
}

// Listener is one Listen subscription.
type Listener struct {
	ctx     context.Context
	sub     *Subscription
	h       Handlers
	run     OnDemand
	started bool // the running goroutine's own
}

// Listen subscribes to topics at once and, from Start on, hands what
// arrives to h until ctx ends. Unlike a Subscription read in a loop, a
// Listener holds no goroutine while it is idle: the hub wakes it, and it
// runs in a goroutine of its own only until it has handled everything
// queued (OnDemand). An idle subscription (most of them, most of the time)
// thus costs a small struct and a buffer, not a goroutine stack.
//
// Between Listen and Start the caller can do what must follow the
// subscription (a first load); what arrives meanwhile waits for Start.
// Call Start or Drop exactly once.
func (hub *Hub) Listen(ctx context.Context, topics []string, h Handlers) *Listener {
	l := &Listener{ctx: ctx, h: h}
	l.run.Step = l.step
	l.run.End = l.end
	l.run.Hold()
	l.sub = hub.subscribe(topics, 0, l.run.Wake)
	return l
}

// Start begins handling: Handlers.Start first, then what has arrived.
func (l *Listener) Start() {
	context.AfterFunc(l.ctx, l.run.Wake)
	l.run.Wake()
	l.run.Release()
}

// Drop unsubscribes a listener that was never started; End is not called.
func (l *Listener) Drop() { l.sub.Close() }

// step handles everything queued; false means the listening ends.
func (l *Listener) step() bool {
	if l.ctx.Err() != nil {
		return false
	}
	if !l.started {
		l.started = true
		if l.h.Start != nil && !l.h.Start() {
			return false
		}
	}
	for {
		select {
		case <-l.sub.lost:
			if l.h.Lost != nil && !l.h.Lost() {
				return false
			}
		case m := <-l.sub.ch:
			if l.h.Message != nil && !l.h.Message(m) {
				return false
			}
		default:
			return l.ctx.Err() == nil
		}
	}
}

func (l *Listener) end() {
	l.sub.Close()
	if l.h.End != nil {
		l.h.End()
	}
}

// WatchSession returns the server's WatchSession for hub: until ctx ends,
// it listens on the session topic of ctx's viewer and on their ViewerTopic,
// and calls closeWith when the session ends ("session ended") or the
// viewer's rights change ("rights changed"). A message lost to a Redis
// outage leaves the socket open until its token expires.
func WatchSession(hub *Hub) func(ctx context.Context, closeWith func(reason string)) {
	return func(ctx context.Context, closeWith func(reason string)) {
		v := viewer.FromContext(ctx)
		if !v.SignedIn() || v.SessionID == "" {
			return
		}
		session := SessionTopic(v.SessionID)
		hub.Listen(ctx, []string{session, ViewerTopic(v.ResidentID)}, Handlers{
			Message: func(m *Message) bool {
				if m.HasTopic(session) {
					closeWith("session ended")
				} else {
					closeWith("rights changed")
				}
				return false
			},
		}).Start()
	}
}
