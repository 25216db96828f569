// Package personaldata serves residents' rights over their personal
// information (PIPL): a copy of everything Linli holds about them, and the
// deletion of their account. Every capability that stores personal data
// registers a Section so that the export stays complete as Linli grows.
package personaldata

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/accessrecord"
	"github.com/jimei-linli/linli/ent/auditrecord"
	"github.com/jimei-linli/linli/ent/broadcast"
	"github.com/jimei-linli/linli/ent/consent"
	"github.com/jimei-linli/linli/ent/device"
	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/ent/session"
	"github.com/jimei-linli/linli/internal/auth"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Section exports one kind of record about a resident. It runs as the
// system, so it must select only what belongs to residentID.
type Section struct {
	// Name is the section's key in the export.
	Name string
	// Covers lists the references to residents ("table.column", ent's
	// names) whose rows the section exports, so that a test finds every
	// reference to a resident exported by some section.
	Covers []string
	// Export returns the section's records about residentID.
	Export func(ctx context.Context, c *ent.Client, residentID int) (any, error)
}

// Service exports and deletes residents' data.
type Service struct {
	client   *ent.Client
	sections []Section
	erasers  []Eraser
	now      func() time.Time
	outbox   *realtime.Outbox
}

// New returns a Service with the sections of the map and sign-in, plus
// the sections other capabilities export, and the erasers that end their
// business and erase their copies when an account is deleted. Account
// deletion closes the deleted account's websockets at once through outbox
// (auth.EndSessions; nil: they close when their token expires).
func New(client *ent.Client, outbox *realtime.Outbox, now func() time.Time, sections []Section, erasers ...Eraser) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{client: client, outbox: outbox, now: now,
		sections: append(coreSections(), sections...), erasers: append([]Eraser{coreEraser()}, erasers...)}
}

// Export returns everything Linli holds about the signed-in resident as a
// JSON document, one key per section, and when it was made.
func (s *Service) Export(ctx context.Context) ([]byte, time.Time, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	sys := viewer.SystemContext(ctx)
	now := s.now()
	doc := map[string]any{"generatedAt": now, "residentId": v.ResidentID}
	for _, sec := range s.sections {
		data, err := sec.Export(sys, s.client, v.ResidentID)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("personaldata: export %s: %w", sec.Name, err)
		}
		doc[sec.Name] = data
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	return b, now, err
}

// coreSections export the resident's profile, personal details, household,
// roles, consents, sessions, the audit records about or by them, their
// guardianships, registered devices, notifications, the broadcasts they
// sent, and who read their sensitive records (the access log).
func coreSections() []Section {
	return []Section{
		{"profile", []string{"residents.id"}, func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.Resident.Query().Where(resident.ID(id)).
				WithHousehold(func(q *ent.HouseholdQuery) { q.WithPlace() }).Only(ctx)
		}},
		{"personalInfo", []string{"personal_infos.resident_id"}, func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.PersonalInfo.Query().Where(personalinfo.ResidentID(id)).All(ctx)
		}},
		{"roles", []string{"role_assignments.resident_id"}, func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.RoleAssignment.Query().Where(roleassignment.ResidentID(id)).All(ctx)
		}},
		{"consents", []string{"consents.resident_id"}, func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.Consent.Query().Where(consent.ResidentID(id)).All(ctx)
		}},
		{"sessions", []string{"sessions.resident_id"}, func(ctx context.Context, c *ent.Client, id int) (any, error) {
			// Token hashes are Sensitive and never marshalled.
			return c.Session.Query().Where(session.ResidentID(id)).All(ctx)
		}},
		{"auditRecords", nil, func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.AuditRecord.Query().
				Where(auditrecord.Or(auditrecord.SubjectID(id), auditrecord.ActorID(id))).All(ctx)
		}},
		{"guardianships", []string{"guardianships.guardian_id", "guardianships.dependent_id"}, func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.Guardianship.Query().
				Where(guardianship.Or(guardianship.GuardianID(id), guardianship.DependentID(id))).
				Order(guardianship.ByID()).All(ctx)
		}},
		{"devices", []string{"devices.resident_id"}, func(ctx context.Context, c *ent.Client, id int) (any, error) {
			// Push tokens are Sensitive and never marshalled.
			return c.Device.Query().Where(device.ResidentID(id)).Order(device.ByID()).All(ctx)
		}},
		{"notifications", []string{"notifications.resident_id"}, func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.Notification.Query().Where(notification.ResidentID(id)).Order(notification.ByID()).All(ctx)
		}},
		{"broadcastsSent", []string{"broadcasts.sender_id"}, func(ctx context.Context, c *ent.Client, id int) (any, error) {
			return c.Broadcast.Query().Where(broadcast.SenderID(id)).Order(broadcast.ByID()).All(ctx)
		}},
		{"accesses", []string{"access_records.subject_id"}, func(ctx context.Context, c *ent.Client, id int) (any, error) {
			// Who read their care notes and incidents, child records,
			// subsidy qualifications and personal details, and where.
			return c.AccessRecord.Query().Where(accessrecord.SubjectID(id)).
				Order(accessrecord.ByAt(), accessrecord.ByID()).All(ctx)
		}},
	}
}

// DeleteAccount deletes the signed-in resident's account. First each
// capability ends their open business through its own paths (Eraser.Close),
// with the usual notifications; then, in one transaction, every copy of
// their name, phone and tokens is removed or replaced (Eraser.Erase), their
// personal details, household membership and roles are erased, every
// session ends, and an audit record is kept. The resident row stays,
// renamed, so that statistics, ledgers and records that point at it stay
// correct. Deleting again finishes what a failed attempt left.
func (s *Service) DeleteAccount(ctx context.Context) error {
	v, err := viewer.Required(ctx)
	if err != nil {
		return err
	}
	sys := viewer.SystemContext(ctx)
	for _, e := range s.erasers {
		if e.Close == nil {
			continue
		}
		if err := e.Close(ctx, v.ResidentID); err != nil {
			return fmt.Errorf("personaldata: close %s: %w", e.Name, err)
		}
	}
	who, err := s.client.Resident.Query().Where(resident.ID(v.ResidentID)).WithPersonalInfo().Only(sys)
	if err != nil {
		return err
	}
	p := Person{ID: who.ID, Name: who.Name}
	if who.Edges.PersonalInfo != nil && who.Edges.PersonalInfo.Phone != nil {
		p.Phone = *who.Edges.PersonalInfo.Phone
	}
	now := s.now()
	return store.WithTx(sys, s.client, func(tx *ent.Tx) error {
		for _, e := range s.erasers {
			if e.Erase == nil {
				continue
			}
			if err := e.Erase(sys, tx, p); err != nil {
				return fmt.Errorf("personaldata: erase %s: %w", e.Name, err)
			}
		}
		if _, err := tx.PersonalInfo.Delete().Where(personalinfo.ResidentID(v.ResidentID)).Exec(sys); err != nil {
			return err
		}
		if _, err := tx.RoleAssignment.Delete().Where(roleassignment.ResidentID(v.ResidentID)).Exec(sys); err != nil {
			return err
		}
		if err := auth.EndSessions(sys, tx, s.outbox, now, session.ResidentID(v.ResidentID)); err != nil {
			return err
		}
		if err := tx.Resident.UpdateOneID(v.ResidentID).SetName(DeletedName).SetDeletedAt(now).
			ClearHousehold().Exec(sys); err != nil {
			return err
		}
		return tx.AuditRecord.Create().SetCreatedAt(now).SetActorID(v.ResidentID).
			SetSubjectID(v.ResidentID).SetAction("account.delete").
			SetDetail("open business ended; personal details, copies of name, phone and tokens, household membership and roles erased; sessions revoked").Exec(sys)
	})
}

// Sections returns the export's sections, core ones first.
func (s *Service) Sections() []Section { return s.sections }
