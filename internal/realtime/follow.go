package realtime

import (
	"context"
)

// Follow is the generic machinery behind subscriptions to things other than
// one's inbox (a request, a grid's requests, an order): it streams
// load(ctx) once at the start and again after every event on topics, and
// after any possible loss, until ctx ends.
//
// Authorization is checked when subscribing and for each event by load
// itself: it reads through ent with the subscriber's context, so privacy
// rules apply every time. When load fails at the start, Follow returns the
// error (the subscription is refused); when it fails later (the subscriber
// lost the right to see it, or it is gone), the stream ends. A load that
// returns ok=false skips the event (nothing changed for this subscriber).
//
// A subscription is then a few lines:
//
//	return realtime.Follow(ctx, hub, []string{realtime.NodeTopic(id)},
//		func(ctx context.Context) (*ent.Request, bool, error) {
//			r, err := client.Request.Get(ctx, id)
//			return r, err == nil, err
//		})
func Follow[T any](ctx context.Context, hub *Hub, topics []string, load func(ctx context.Context) (T, bool, error)) (<-chan T, error) {
	// Subscribe before the first load, so that no change in between is
	// missed; the listener holds no goroutine while nothing happens.
	out := make(chan T, 1)
	var ready func()
	send := func(v T) bool {
		select {
		case out <- v:
			ready()
			return true
		case <-ctx.Done():
			return false
		}
	}
	reload := func() bool {
		v, ok, err := load(ctx)
		if err != nil {
			return false
		}
		return !ok || send(v)
	}
	l := hub.Listen(ctx, topics, Handlers{
		Message: func(*Message) bool { return reload() },
		Lost:    reload,
		End:     func() { close(out); ready() },
	})
	first, ok, err := load(ctx)
	if err != nil {
		l.Drop()
		return nil, err
	}
	ready = Ready(ctx)
	if ok {
		out <- first // the buffer has room: the listener has not started
		ready()
	}
	l.Start()
	return out, nil
}

// FollowNode is Follow for one node: it streams get(ctx, id) at the start
// and after every event about the node (NodeTopic), and ends when get
// fails (the node is gone, or hidden from the subscriber now).
func FollowNode[T any](ctx context.Context, hub *Hub, id int, get func(ctx context.Context, id int) (T, error)) (<-chan T, error) {
	return Follow(ctx, hub, []string{NodeTopic(id)}, func(ctx context.Context) (T, bool, error) {
		v, err := get(ctx, id)
		return v, err == nil, err
	})
}
