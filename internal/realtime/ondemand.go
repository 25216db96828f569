package realtime

import (
	"context"
	"sync/atomic"
)

// OnDemand runs work in a goroutine of its own only while there is work:
// Wake schedules Step, which handles everything queued and returns; the
// goroutine then exits unless woken meanwhile. Thousands of idle streams
// thus hold no goroutine stacks. Steps never overlap, and each sees what
// the previous one did. When Step returns false, End runs once and the
// OnDemand never runs again.
type OnDemand struct {
	// Step handles what is queued; false ends it for good.
	Step func() bool
	// End runs once after the last Step.
	End func()

	// running is set while a goroutine runs (and for good once ended, or
	// while held); again is set by every Wake, so that a wake that comes
	// while the goroutine is finishing is not lost.
	running, again atomic.Bool
}

// Hold keeps wakes from starting a goroutine until Release.
func (o *OnDemand) Hold() { o.running.Store(true) }

// Release lets a held OnDemand run, at once if it was woken meanwhile.
func (o *OnDemand) Release() {
	o.running.Store(false)
	if o.again.Load() && o.running.CompareAndSwap(false, true) {
		go o.run()
	}
}

// Wake makes sure a goroutine runs Step soon. It never blocks.
func (o *OnDemand) Wake() {
	o.again.Store(true)
	if o.running.CompareAndSwap(false, true) {
		go o.run()
	}
}

// Run runs Step in the calling goroutine, unless a goroutine runs it now
// (that one then runs it again). A caller that may block for as long as
// Step takes (a stream's own goroutine, unlike the hub's) saves starting a
// goroutine this way.
func (o *OnDemand) Run() {
	o.again.Store(true)
	if o.running.CompareAndSwap(false, true) {
		o.run()
	}
}

func (o *OnDemand) run() {
	for {
		for o.again.Swap(false) {
			if !o.Step() {
				if o.End != nil {
					o.End()
				}
				return // running stays set: never again
			}
		}
		o.running.Store(false)
		if !o.again.Load() || !o.running.CompareAndSwap(false, true) {
			return
		}
	}
}

type readyKey struct{}

// readyHook is what WithReady puts in a context.
type readyHook struct {
	signal  func()
	claimed atomic.Bool
}

// WithReady returns ctx carrying signal, for a transport that would rather
// not park a goroutine on a subscription's channel: a stream made under
// ctx (Follow, the notification stream) that claims it with Ready calls
// signal after each value it puts on its channel, and after closing it.
// Claimed reports whether a stream did.
func WithReady(ctx context.Context, signal func()) (_ context.Context, claimed func() bool) {
	h := &readyHook{signal: signal}
	return context.WithValue(ctx, readyKey{}, h), h.claimed.Load
}

// Ready claims ctx's ready signal for a stream about to be returned: it
// returns the function to call after each value sent and after closing
// the channel (a no-op when the transport set none).
func Ready(ctx context.Context) func() {
	h, ok := ctx.Value(readyKey{}).(*readyHook)
	if !ok {
		return func() {}
	}
	h.claimed.Store(true)
	return h.signal
}
