package server

import (
	"fmt"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// subscribeRate is a token bucket for one websocket's subscribe messages:
// perSecond tokens a second, at most perSecond at once. Its time is the wall
// clock: it paces a connection, it is not business time.
type subscribeRate struct {
	perSecond int
	mu        sync.Mutex
	tokens    float64
	last      time.Time
}

// newSubscribeRate returns a full bucket of perSecond tokens.
func newSubscribeRate(perSecond int) *subscribeRate {
	return &subscribeRate{perSecond: perSecond, tokens: float64(perSecond)}
}

// allow takes a token, reporting whether there was one.
func (r *subscribeRate) allow() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if !r.last.IsZero() {
		r.tokens = min(float64(r.perSecond), r.tokens+now.Sub(r.last).Seconds()*float64(r.perSecond))
	}
	r.last = now
	if r.tokens < 1 {
		return false
	}
	r.tokens--
	return true
}

// refusal returns the error for a subscribe message over the rate.
func (r *subscribeRate) refusal() gqlerror.List {
	return gqlerror.List{newLimitError(nil, LimitSubscribesPerSecond,
		fmt.Sprintf("more than %d subscribe messages a second on this websocket", r.perSecond))}
}

// viewerOperations counts the operations each signed-in resident runs over
// all the websockets of this process.
type viewerOperations struct {
	max int
	mu  sync.Mutex
	n   map[int]int // by resident ID
}

// acquire counts one more operation of the resident, reporting false (and
// counting nothing) when they already run max.
func (v *viewerOperations) acquire(residentID int) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.n == nil {
		v.n = map[int]int{}
	}
	if v.n[residentID] >= v.max {
		return false
	}
	v.n[residentID]++
	return true
}

// release counts one operation of the resident less.
func (v *viewerOperations) release(residentID int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.n[residentID]--; v.n[residentID] <= 0 {
		delete(v.n, residentID)
	}
}

// socketFull returns the error for a subscribe message on a websocket that
// runs max operations already.
func socketFull(max int) gqlerror.List {
	return gqlerror.List{newLimitError(nil, LimitSubscriptionsPerSocket,
		fmt.Sprintf("this websocket already runs %d operations, the limit", max))}
}

// viewerFull returns the error for a subscribe message of a resident who
// runs max operations already.
func viewerFull(max int) gqlerror.List {
	return gqlerror.List{newLimitError(nil, LimitSubscriptionsPerViewer,
		fmt.Sprintf("you already run %d operations over websockets, the limit", max))}
}
