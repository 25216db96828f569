// Package dispatch is the seam between the parts of Linli that need a
// volunteer to go somewhere (a canteen's home delivery) and Red Neighbor
// volunteer dispatch (志願服務110), which implements Dispatcher by creating
// a volunteer task. A server without volunteer dispatch passes a nil
// Dispatcher, and the caller runs the delivery itself (canteen staff).
package dispatch

import (
	"context"
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
	// same key creates one task.
	Key string
}

// Dispatcher creates volunteer tasks within the caller's transaction.
type Dispatcher interface {
	// Dispatch creates the task through tx and returns its ID.
	Dispatch(ctx context.Context, tx *ent.Tx, t Task) (taskID int, err error)
	// Cancel withdraws the task created under key, if it is not done.
	Cancel(ctx context.Context, tx *ent.Tx, key, reason string) error
}
