// Package roster administers who lives where and who holds which role:
// registering households and their members, verifying a signed-in resident
// into a household, assigning and revoking roles, and residents editing their
// own profile. Who may do each is decided by the privacy rules in
// internal/authz; this package adds the input checks, the audit trail, and
// the errors a client can act on.
package roster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Roster administers households, residents and roles through an ent client.
type Roster struct {
	client *ent.Client
	outbox *realtime.Outbox
	now    func() time.Time
}

// New returns a Roster over client; changes to who may see what (roles,
// households) go out through outbox (nil: not at all) so that the
// residents' open websockets reconnect; now is its clock (nil: time.Now).
func New(client *ent.Client, outbox *realtime.Outbox, now func() time.Time) *Roster {
	if now == nil {
		now = time.Now
	}
	return &Roster{client: client, outbox: outbox, now: now}
}

// forbidden turns a privacy denial of a write into FORBIDDEN with msg;
// other errors pass through.
func forbidden(err error, msg string) error {
	if errors.Is(err, privacy.Deny) {
		return apperr.New(apperr.Forbidden, "%s", msg)
	}
	return err
}

// anAdmin returns the viewer if they administer some community or the
// street, and FORBIDDEN otherwise, before anything is looked up: a refusal
// must not tell a non-admin whether a resident or phone exists.
func anAdmin(ctx context.Context) (*viewer.Viewer, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if !v.IsStreetAdmin() && len(v.CommunitiesWhere(viewer.CommunityAdmin)) == 0 {
		return nil, apperr.New(apperr.Forbidden, "only community and street admins administer residents and roles")
	}
	return v, nil
}

// audit records an action in the same transaction as the change (through
// c, a transaction's client), as the system: audit records are not the
// actor's to write or read.
func (r *Roster) audit(ctx context.Context, c *ent.Client, action string, subject int, detail string, args ...any) error {
	v := viewer.FromContext(ctx)
	create := c.AuditRecord.Create().SetCreatedAt(r.now()).SetAction(action).
		SetSubjectID(subject).SetDetail(fmt.Sprintf(detail, args...))
	if v.SignedIn() {
		create.SetActorID(v.ResidentID)
	}
	return create.Exec(viewer.SystemContext(ctx))
}

// cleanName trims a name and checks its length.
func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return "", apperr.New(apperr.BadUserInput, "a name has 1 to 100 characters")
	}
	return name, nil
}

// checkBirthDate refuses a birth date in the future or more than 130 years ago.
func (r *Roster) checkBirthDate(d *time.Time) error {
	if d == nil {
		return nil
	}
	now := r.now()
	if d.After(now) || d.Before(now.AddDate(-130, 0, 0)) {
		return apperr.New(apperr.BadUserInput, "the birth date must be in the past 130 years")
	}
	return nil
}
