package personaldata

import (
	"context"
	"strings"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/accessrecord"
	"github.com/jimei-linli/linli/ent/auditrecord"
	"github.com/jimei-linli/linli/ent/device"
	"github.com/jimei-linli/linli/ent/idempotencykey"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/pushdelivery"
	"github.com/jimei-linli/linli/ent/signincode"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/i18n"
)

// Person is who an account deletion erases: the resident and the details
// they had, which erasers look for in the copies they hold.
type Person struct {
	// ID is the resident's ID; the row stays, renamed.
	ID int
	// Name is the name they had; copies of it become DeletedName.
	Name string
	// Phone is the phone they signed in with ("" if none).
	Phone string
}

// DeletedName is the name a deleted account keeps and the name that
// replaces theirs wherever a copy of it was stored, so that what the
// resident did stays counted without saying who they were.
const DeletedName = "已注销用户"

// Eraser is one capability's part of deleting an account.
type Eraser struct {
	// Name names the capability in errors.
	Name string
	// Close ends the resident's open business (orders, bookings, requests,
	// sign-ups) through the capability's own paths, as the resident (ctx
	// carries them), before the erasure, so that the usual notifications go
	// out. Each cancellation commits on its own; one that the rules refuse
	// (CONFLICT: too late to cancel, already done) is left as it is. Nil:
	// nothing to close.
	Close func(ctx context.Context, residentID int) error
	// Erase runs in the erasure's transaction, as the system, and removes
	// or replaces every copy of the person's details the capability holds.
	// Nil: it holds none.
	Erase func(ctx context.Context, tx *ent.Tx, p Person) error
}

// Tolerate returns nil for an error that only says the business cannot be
// closed any more (CONFLICT): erasure then anonymises it instead.
func Tolerate(err error) error {
	if apperr.CodeOf(err) == apperr.Conflict {
		return nil
	}
	return err
}

// ReplaceName is a modifier for an UPDATE that replaces every occurrence of
// name in the given text columns with DeletedName, also in immutable
// columns (erasure is the one change those allow). Use it with a Where that
// selects the rows that mention name.
func ReplaceName(name string, columns ...string) func(*entsql.UpdateBuilder) {
	return func(u *entsql.UpdateBuilder) {
		for _, c := range columns {
			u.Set(c, entsql.ExprFunc(func(b *entsql.Builder) {
				b.WriteString("REPLACE(").Ident(c).Comma().Arg(name).Comma().Arg(DeletedName).WriteString(")")
			}))
		}
	}
}

// coreEraser erases what sign-in, push, the access log and the inbox
// hold: sign-in codes sent to the phone, registered devices (push tokens)
// with their push records, the access records about the person (who read
// their records: there is nobody left to tell; the entries of their own
// reads as staff stay, since they are about the residents they read, and
// name the reader only by the resident row that stays), and the name in
// audit details and in notification text sent to others.
//
// A name in a notification's parameters (or in the stored text of one
// written before the catalogue) is replaced in place.
func coreEraser() Eraser {
	return Eraser{Name: "core", Erase: func(ctx context.Context, tx *ent.Tx, p Person) error {
		if p.Phone != "" {
			if _, err := tx.SignInCode.Delete().Where(signincode.Phone(p.Phone)).Exec(ctx); err != nil {
				return err
			}
		}
		devices, err := tx.Device.Query().Where(device.ResidentID(p.ID)).IDs(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.PushDelivery.Delete().Where(pushdelivery.DeviceIDIn(devices...)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.Device.Delete().Where(device.ResidentID(p.ID)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.AccessRecord.Delete().Where(accessrecord.SubjectID(p.ID)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.IdempotencyKey.Delete().Where(idempotencykey.ResidentID(p.ID)).Exec(ctx); err != nil {
			return err
		}
		if !p.Named() {
			return nil
		}
		if err := tx.AuditRecord.Update().Where(auditrecord.DetailContains(p.Name)).
			Modify(ReplaceName(p.Name, auditrecord.FieldDetail)).Exec(ctx); err != nil {
			return err
		}
		if err := tx.Notification.Update().
			Where(notification.Or(notification.TitleContains(p.Name), notification.BodyContains(p.Name))).
			Modify(ReplaceName(p.Name, notification.FieldTitle, notification.FieldBody)).Exec(ctx); err != nil {
			return err
		}
		return eraseInParams(ctx, tx, p.Name)
	}}
}

// eraseInParams replaces name in the parameters of the notifications that
// hold it (a notification is rendered from them whenever it is read, so
// the erased name is gone from every language at once).
func eraseInParams(ctx context.Context, tx *ent.Tx, name string) error {
	ns, err := tx.Notification.Query().Where(func(s *entsql.Selector) {
		s.Where(entsql.P(func(b *entsql.Builder) {
			// Builder.Arg writes the dialect's placeholder (? or $n).
			b.WriteString("CAST(" + s.C(notification.FieldParams) + " AS TEXT) LIKE ").Arg("%" + name + "%")
		}))
	}).All(ctx)
	if err != nil {
		return err
	}
	for _, n := range ns {
		params := make([]i18n.Param, len(n.Params))
		for i, pr := range n.Params {
			params[i] = i18n.Param{Key: pr.Key, Value: strings.ReplaceAll(pr.Value, name, DeletedName)}
		}
		if err := tx.Notification.UpdateOneID(n.ID).SetParams(params).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Named reports whether the person has a name to look for in copies (a
// blank name, or one already erased, has none).
func (p Person) Named() bool {
	return strings.TrimSpace(p.Name) != "" && p.Name != DeletedName
}
