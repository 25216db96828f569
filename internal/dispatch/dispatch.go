// Package dispatch is the seam between the parts of Linli that need a
// volunteer to go somewhere (a canteen's home delivery) and Red Neighbor
// volunteer dispatch (志願服務110), which implements Dispatcher by creating
// a volunteer task. A server without volunteer dispatch passes a nil
// Dispatcher, and the caller runs the delivery itself (canteen staff).
//
// The task and its subject (the meal order) move together, both ways, and
// imports stay one-way: the subject's side calls Dispatcher (Dispatch,
// Cancel, Finish) in its own transaction; the task's side asks the
// subject through a Subject it is given at wiring time, never by importing
// the subject's package.
package dispatch

import (
	"context"
	"strings"
	"time"

	"github.com/jimei-linli/linli/ent"
)

// Task is work for a volunteer.
type Task struct {
	// CommunityID is the community whose volunteers may take it.
	CommunityID int
	// GridID is the grid the work is in (the volunteers of that grid hear
	// of it first).
	GridID int
	// PlaceID is where to go.
	PlaceID int
	// Title and Details say what to do, e.g. "Deliver lunch to 林阿婆".
	Title, Details string
	// Start and End bound when it must be done.
	Start, End time.Time
	// Minutes is the time credited to the volunteer who does it.
	Minutes int
	// Key identifies the subject, e.g. "canteen-order:12884901889": the
	// same key creates one task. The part before the first colon is the
	// subject's kind (KindOf), which names the Subject the task side asks.
	Key string
}

// Dispatcher creates volunteer tasks within the caller's transaction.
type Dispatcher interface {
	// Dispatch creates the task through tx and returns its ID.
	Dispatch(ctx context.Context, tx *ent.Tx, t Task) (taskID int, err error)
	// Cancel withdraws the task created under key, if it is not done.
	Cancel(ctx context.Context, tx *ent.Tx, key, reason string) error
	// Finish closes the task created under key because its subject was
	// done by someone (the cook delivered the meal, or the volunteer did):
	// volunteers who have not started are released and nobody may take it
	// any more; the task is DONE when a volunteer worked on it (one still
	// at work may check out), CANCELLED with reason otherwise. A key never
	// dispatched, or a task done or cancelled already, changes nothing.
	Finish(ctx context.Context, tx *ent.Tx, key, reason string) error
}

// Subject is what the task side asks of the side that dispatched a task,
// within the task side's transaction. Each returns an *apperr.Error with a
// message for the volunteer when the answer is no.
type Subject interface {
	// Deliverable returns nil while the subject of key still needs the
	// volunteer (a meal order not delivered, collected or cancelled).
	Deliverable(ctx context.Context, tx *ent.Tx, key string) error
	// Delivered records through tx that volunteerID did the work of key
	// (the meal was handed over). It is nil when that is recorded already,
	// and an error when the subject cannot be done (the order was
	// cancelled, or is not ready to leave the kitchen).
	Delivered(ctx context.Context, tx *ent.Tx, key string, volunteerID int) error
}

// KindOf returns the kind of the subject a key names: "canteen-order" for
// "canteen-order:12884901889", "" for a key without a colon.
func KindOf(key string) string {
	kind, _, ok := strings.Cut(key, ":")
	if !ok {
		return ""
	}
	return kind
}
